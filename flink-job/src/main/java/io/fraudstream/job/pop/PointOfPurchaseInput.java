package io.fraudstream.job.pop;

import io.fraudstream.features.pop.PopTable;
import io.fraudstream.job.io.RawRecord;
import java.util.Objects;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Where the scoring topology gets point-of-purchase counts from:
 * <ul>
 *   <li>{@link #off()}: no point-of-purchase features (models that need them are refused);
 *   <li>{@link #live}: counted in the stream from the validated transactions and the {@code fraud-labels} records,
 *       flushed to the scoring side every {@code flushMillis} (the live job);
 *   <li>{@link #precomputed}: a {@link PopTable} built beforehand from the whole bounded input (bounded replay, where
 *       the input runs through event time far faster than any flush: the table gives every transaction what the
 *       live job would have known at its event time, so replay stays deterministic).
 * </ul>
 */
public final class PointOfPurchaseInput {
    private final DataStream<RawRecord> labels;
    private final long flushMillis;
    private final PopTable table;
    private final boolean enabled;
    private final int enrichmentParallelism;

    private PointOfPurchaseInput(boolean enabled, DataStream<RawRecord> labels, long flushMillis, PopTable table,
            int enrichmentParallelism) {
        this.enabled = enabled;
        this.enrichmentParallelism = enrichmentParallelism;
        this.labels = labels;
        this.flushMillis = flushMillis;
        this.table = table;
    }

    public static PointOfPurchaseInput off() {
        return new PointOfPurchaseInput(false, null, 0, null, 0);
    }

    /** Live counting with the enrichment step on one subtask (every key's counts held once). */
    public static PointOfPurchaseInput live(DataStream<RawRecord> labels, long flushMillis) {
        return live(labels, flushMillis, 1);
    }

    /**
     * @param labels raw {@code fraud-labels} records, or null to count transactions only
     * @param enrichmentParallelism subtasks of the enrichment step; each holds every key's counts
     */
    public static PointOfPurchaseInput live(DataStream<RawRecord> labels, long flushMillis,
            int enrichmentParallelism) {
        if (flushMillis <= 0) {
            throw new IllegalArgumentException("flush interval must be > 0 ms, was " + flushMillis);
        }
        if (enrichmentParallelism < 1) {
            throw new IllegalArgumentException("enrichment parallelism must be >= 1, was " + enrichmentParallelism);
        }
        return new PointOfPurchaseInput(true, labels, flushMillis, null, enrichmentParallelism);
    }

    public static PointOfPurchaseInput precomputed(PopTable table) {
        return new PointOfPurchaseInput(true, null, 0, Objects.requireNonNull(table, "table"), 0);
    }

    public boolean enabled() { return enabled; }
    public DataStream<RawRecord> labels() { return labels; }
    public long flushMillis() { return flushMillis; }
    /** Subtasks of the live enrichment step (0 when not live). */
    public int enrichmentParallelism() { return enrichmentParallelism; }
    /** Non-null in precomputed mode only. */
    public PopTable table() { return table; }
}
