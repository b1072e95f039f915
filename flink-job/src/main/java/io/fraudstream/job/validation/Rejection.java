package io.fraudstream.job.validation;

import io.fraudstream.avro.DeadLetterReason;

/**
 * Why a record is not scored. {@code withholdPayload} is set when the record itself carries
 * sensitive data (a full card number) that must not be copied into the dead-letter topic.
 */
public record Rejection(DeadLetterReason reason, String message, boolean withholdPayload) {

    public static Rejection of(DeadLetterReason reason, String message) {
        return new Rejection(reason, message, false);
    }
}
