package io.fraudstream.schemas;

import io.fraudstream.avro.DeadLetterReason;

/**
 * A value on the wire that cannot be turned into a record. Carries the dead-letter reason so the
 * caller can route the bytes to the dead-letter topic without inspecting exception types.
 */
public final class WireFormatException extends Exception {

    private final DeadLetterReason reason;

    public WireFormatException(DeadLetterReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
