package io.fraudstream.job.validation;

/**
 * What a dead letter keeps of the rejected record ({@code dead-letter.payload}). A record in which a full card
 * number was found keeps neither payload nor key whatever this says.
 */
public enum DeadLetterPayload {
    /** The whole original value and key, so the record can be repaired and replayed (cut only above 900,000 bytes, to fit a Kafka message). */
    FULL,
    /** The first {@code dead-letter.max-payload-bytes} of the value (flagged when cut) and the key. */
    TRUNCATED,
    /** Neither value nor key: only coordinates, reason and message (for topics readable by more people than the input). */
    WITHHELD;

    /** Largest payload any mode keeps: a dead letter must fit in a default 1 MB Kafka message with its envelope. */
    public static final int HARD_LIMIT_BYTES = 900_000;
}
