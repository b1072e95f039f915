package io.fraudstream.job.pop;

import io.fraudstream.features.pop.PopCounts;
import io.fraudstream.job.JobStreams;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by point of purchase: sums the deltas of each key for {@code flushMillis} of processing time and emits
 * one delta per (key, hour) touched, so the broadcast that follows carries about one record per active merchant
 * and terminal per flush interval instead of one per transaction. Pending sums are keyed state (checkpointed);
 * once flushed, the state and its timer are gone.
 */
public class PopAggregator extends KeyedProcessFunction<String, PopDelta, PopDelta> {
    private static final long serialVersionUID = 1L;

    private final long flushMillis;
    private transient ValueState<PopCounts> pending;

    public PopAggregator(long flushMillis) {
        if (flushMillis <= 0) {
            throw new IllegalArgumentException("flush interval must be > 0 ms, was " + flushMillis);
        }
        this.flushMillis = flushMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        pending = getRuntimeContext().getState(JobStreams.POP_PENDING);
    }

    @Override
    public void processElement(PopDelta delta, Context ctx, Collector<PopDelta> out) throws Exception {
        PopCounts counts = pending.value();
        if (counts == null) {
            counts = new PopCounts();
            ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + flushMillis);
        }
        counts.add(delta.hour, delta.transactions, delta.frauds);
        pending.update(counts);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PopDelta> out) throws Exception {
        PopCounts counts = pending.value();
        if (counts == null) {
            return;
        }
        String key = ctx.getCurrentKey();
        counts.forEachBucket((hour, tx, frauds) -> out.collect(new PopDelta(key, hour, tx, frauds)));
        pending.clear();
    }
}
