package io.fraudstream.job.pop;

import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.job.validation.TransactionEvent;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/** One transaction counts once at its merchant and once at its terminal, in the hour of its event time. */
public class TransactionDeltas implements FlatMapFunction<TransactionEvent, PopDelta> {
    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(TransactionEvent tx, Collector<PopDelta> out) {
        int hour = PopFeatures.hourOf(tx.eventTimeMillis);
        String merchant = PopFeatures.merchantKey(tx.merchantId);
        if (merchant != null) {
            out.collect(new PopDelta(merchant, hour, 1, 0));
        }
        String terminal = PopFeatures.terminalKey(tx.terminalId);
        if (terminal != null) {
            out.collect(new PopDelta(terminal, hour, 1, 0));
        }
    }
}
