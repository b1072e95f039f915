package io.fraudstream.job.config;

import java.io.Serializable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Where the transaction source starts when the job has no checkpoint or savepoint to resume from
 * ({@code kafka.start-from}). A restored job always continues from the offsets in its snapshot.
 *
 * @param kind which rule
 * @param timestamp the first record time to read, for {@link Kind#TIMESTAMP}; else null
 */
public record StartFrom(Kind kind, Instant timestamp) implements Serializable {

    public enum Kind {
        /** The consumer group's committed offsets; partitions without one start at the end (only new records). */
        COMMITTED,
        /** The end of every partition: only records produced after the job started. */
        LATEST,
        /** The beginning of every partition (replays everything retained: scores and alerts on old traffic). */
        EARLIEST,
        /** The first record at or after a time (Kafka record timestamps); partitions with none start at the end. */
        TIMESTAMP
    }

    public static final StartFrom DEFAULT = new StartFrom(Kind.COMMITTED, null);

    /** {@code committed}, {@code latest}, {@code earliest} or an ISO-8601 instant ({@code 2026-12-01T00:00:00Z}, offsets allowed). */
    public static StartFrom parse(String value) {
        String v = value.trim();
        switch (v.toLowerCase(Locale.ROOT)) {
            case "committed":
                return DEFAULT;
            case "latest":
                return new StartFrom(Kind.LATEST, null);
            case "earliest":
                return new StartFrom(Kind.EARLIEST, null);
            default:
                try {
                    return new StartFrom(Kind.TIMESTAMP, OffsetDateTime.parse(v).toInstant());
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("expected committed, latest, earliest or an ISO-8601 time "
                            + "such as 2026-12-01T00:00:00Z");
                }
        }
    }

    /** For the start-up log line. */
    public String describe() {
        return switch (kind) {
            case COMMITTED -> "the consumer group's committed offsets, else the end of the topic (only new transactions)";
            case LATEST -> "the end of the topic (only transactions produced from now on)";
            case EARLIEST -> "the beginning of the topic (every retained transaction is scored, old ones included)";
            case TIMESTAMP -> "the first transaction at or after " + timestamp + " (by Kafka record time)";
        };
    }
}
