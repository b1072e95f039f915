package io.fraudstream.job.pop;

import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.features.pop.PopTable;
import io.fraudstream.job.validation.TransactionEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/** Bounded replay: point-of-purchase features from a table built from the whole input ({@link PointOfPurchaseInput}). */
public class PopTableEnrichment extends RichMapFunction<TransactionEvent, TransactionEvent> {
    private static final long serialVersionUID = 1L;

    private final PopTable table;
    private transient PopFeatures.Scratch scratch;

    public PopTableEnrichment(PopTable table) {
        this.table = table;
    }

    @Override
    public void open(OpenContext openContext) {
        scratch = new PopFeatures.Scratch();
    }

    @Override
    public TransactionEvent map(TransactionEvent tx) {
        float[] features = new float[PopFeatures.ATTACHED_COUNT];
        table.features(tx.merchantId, tx.terminalId, tx.eventTimeMillis, PopFeatures.SETTLE_HOURS, scratch, features, 0);
        tx.pointOfPurchase = features;
        return tx;
    }
}
