package io.fraudstream.job.validation;

import io.fraudstream.avro.DeadLetterReason;

/**
 * Why a record is not scored. {@code field} names where the defect is (a field, {@code kafka key},
 * {@code raw bytes}), or is null. {@code withholdPayload} is set when the record itself carries sensitive data (a
 * full card number): then neither its payload nor its key may be copied into the dead-letter topic, whatever
 * {@code dead-letter.payload} says.
 */
public record Rejection(DeadLetterReason reason, String message, boolean withholdPayload, String field) {

    /** Where a card number was found in a record's Kafka key. */
    public static final String KAFKA_KEY = "kafka key";
    /** Where a card number was found in a record that did not decode. */
    public static final String RAW_BYTES = "raw bytes";

    public Rejection(DeadLetterReason reason, String message, boolean withholdPayload) {
        this(reason, message, withholdPayload, null);
    }

    public static Rejection of(DeadLetterReason reason, String message) {
        return new Rejection(reason, message, false, null);
    }

    public static Rejection of(DeadLetterReason reason, String field, String message) {
        return new Rejection(reason, message, false, field);
    }

    /** A card number in {@code places} (comma-separated): payload and key withheld. */
    public static Rejection pan(String places, String context) {
        return new Rejection(DeadLetterReason.PAN_DETECTED, "a full card number (PAN) was found in " + places
                + (context == null ? "" : " (" + context + ")")
                + "; only card tokens are accepted; payload and key withheld", true, places);
    }
}
