package io.fraudstream.simulator;

/** A simulator setting is missing or out of range; the message and {@link #setting()} name it. */
public final class InvalidSettingException extends IllegalArgumentException {

    private final String setting;

    public InvalidSettingException(String setting, String message) {
        super(message);
        this.setting = setting;
    }

    /** The configuration key, e.g. {@code simulator.cards}. */
    public String setting() {
        return setting;
    }
}
