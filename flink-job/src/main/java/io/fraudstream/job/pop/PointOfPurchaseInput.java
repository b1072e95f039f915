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

    private PointOfPurchaseInput(boolean enabled, DataStream<RawRecord> labels, long flushMillis, PopTable table) {
        this.enabled = enabled;
        this.labels = labels;
        this.flushMillis = flushMillis;
        this.table = table;
    }

    public static PointOfPurchaseInput off() {
        return new PointOfPurchaseInput(false, null, 0, null);
    }

    /** @param labels raw {@code fraud-labels} records, or null to count transactions only */
    public static PointOfPurchaseInput live(DataStream<RawRecord> labels, long flushMillis) {
        if (flushMillis <= 0) {
            throw new IllegalArgumentException("flush interval must be > 0 ms, was " + flushMillis);
        }
        return new PointOfPurchaseInput(true, labels, flushMillis, null);
    }

    public static PointOfPurchaseInput precomputed(PopTable table) {
        return new PointOfPurchaseInput(true, null, 0, Objects.requireNonNull(table, "table"));
    }

    public boolean enabled() { return enabled; }
    public DataStream<RawRecord> labels() { return labels; }
    public long flushMillis() { return flushMillis; }
    /** Non-null in precomputed mode only. */
    public PopTable table() { return table; }
}
