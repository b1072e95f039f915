package io.fraudstream.job.pop;

import io.fraudstream.features.pop.PopCounts;
import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.job.JobMetrics;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.validation.TransactionEvent;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Attaches the point-of-purchase features ({@link PopFeatures}) to each transaction, from hourly counts of every
 * merchant and terminal held in broadcast state (the same on every subtask). Sits between validation and the
 * card keyBy with the same parallelism and forward edges, so each card's transactions keep their Kafka order.
 *
 * <p><b>Why deterministic:</b> a transaction at T reads only hours before {@code hour(T) - settle}; the counts of
 * those hours arrived long before (the aggregator flushes every second, the settle time is an hour). A delta that
 * arrives for an hour some transaction here could already read is counted in {@code fraudstreamPopLateCounts}:
 * then, and only then, a replay could differ from what the live job scored.
 *
 * <p><b>Bounded state:</b> each point of purchase keeps its last {@link PopFeatures#RETAINED_HOURS} hours of
 * activity; one that has been silent that long is dropped, and the others' packed bytes are trimmed (swept once per
 * day of delta time).
 */
public class PopEnrichment extends BroadcastProcessFunction<TransactionEvent, PopDelta, TransactionEvent> {
    private static final long serialVersionUID = 1L;

    private transient PopFeatures.Scratch scratch;
    private transient Counter lateCounts;
    /** Highest horizon a transaction on this subtask has read (not state: a metric only). */
    private transient int maxHorizon;
    /** Newest delta hour seen and the hour of the last sweep: derived from broadcast input only. */
    private transient int newestHour;
    private transient int lastSweepHour;
    private transient volatile int keys;

    @Override
    public void open(OpenContext openContext) {
        scratch = new PopFeatures.Scratch();
        lateCounts = getRuntimeContext().getMetricGroup().counter(JobMetrics.POP_LATE_COUNTS);
        getRuntimeContext().getMetricGroup().gauge(JobMetrics.POP_POINTS_OF_PURCHASE, () -> Math.max(0, keys));
        maxHorizon = Integer.MIN_VALUE;
        newestHour = Integer.MIN_VALUE;
        lastSweepHour = Integer.MIN_VALUE;
        keys = -1;
    }

    @Override
    public void processElement(TransactionEvent tx, ReadOnlyContext ctx, Collector<TransactionEvent> out)
            throws Exception {
        ReadOnlyBroadcastState<String, PopCounts> state = ctx.getBroadcastState(JobStreams.POP_COUNTS);
        String merchantKey = PopFeatures.merchantKey(tx.merchantId);
        String terminalKey = PopFeatures.terminalKey(tx.terminalId);
        float[] features = new float[PopFeatures.ATTACHED_COUNT];
        PopFeatures.compute(merchantKey == null ? null : state.get(merchantKey),
                terminalKey == null ? null : state.get(terminalKey), tx.eventTimeMillis, PopFeatures.SETTLE_HOURS,
                scratch, features, 0);
        tx.pointOfPurchase = features;
        maxHorizon = Math.max(maxHorizon, PopFeatures.horizon(tx.eventTimeMillis, PopFeatures.SETTLE_HOURS));
        out.collect(tx);
    }

    @Override
    public void processBroadcastElement(PopDelta delta, Context ctx, Collector<TransactionEvent> out) throws Exception {
        BroadcastState<String, PopCounts> state = ctx.getBroadcastState(JobStreams.POP_COUNTS);
        if (delta.hour < maxHorizon) {
            lateCounts.inc();
        }
        newestHour = Math.max(newestHour, delta.hour);
        int oldest = newestHour - PopFeatures.RETAINED_HOURS;
        if (delta.hour < oldest) {
            return; // older than any window any current transaction reads
        }
        if (keys < 0) {
            keys = countKeys(state); // first delta after (re)start: broadcast state may have been restored
        }
        PopCounts counts = state.get(delta.key);
        if (counts == null) {
            counts = new PopCounts();
            keys++;
        }
        counts.add(delta.hour, delta.transactions, delta.frauds);
        counts.evictBefore(oldest);
        state.put(delta.key, counts);
        if (lastSweepHour == Integer.MIN_VALUE) {
            lastSweepHour = newestHour;
        } else if (newestHour - lastSweepHour >= 24) {
            lastSweepHour = newestHour;
            sweep(state, oldest);
            keys = countKeys(state);
        }
    }

    /**
     * Drops the points of purchase silent since before {@code oldest} and trims the others' packed bytes to their
     * length plus a little slack ({@code size / 16} buckets, at least one: a busy key adds one hour and then evicts one,
     * so it settles without growing again), so the heap keeps no spare bytes of hours gone (the checkpoint never
     * writes spare bytes).
     */
    private static void sweep(BroadcastState<String, PopCounts> state, int oldest) throws Exception {
        Iterator<Map.Entry<String, PopCounts>> it = state.iterator();
        while (it.hasNext()) {
            PopCounts counts = it.next().getValue();
            if (counts.latestHour() < oldest) {
                it.remove();
            } else {
                counts.trimToSize(Math.max(1, counts.size >> 4));
            }
        }
    }

    private static int countKeys(BroadcastState<String, PopCounts> state) throws Exception {
        int n = 0;
        for (Iterator<?> it = state.iterator(); it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }
}
