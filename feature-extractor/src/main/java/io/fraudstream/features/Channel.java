package io.fraudstream.features;

/** How the card was used. The ordinal is part of the token encoding and of the state format: append only. */
public enum Channel {
    CARD_PRESENT,
    ONLINE,
    ATM,
    CONTACTLESS,
    OTHER;

    private static final Channel[] VALUES = values();

    static Channel ofOrdinal(int ordinal) {
        return ordinal >= 0 && ordinal < VALUES.length ? VALUES[ordinal] : OTHER;
    }
}
