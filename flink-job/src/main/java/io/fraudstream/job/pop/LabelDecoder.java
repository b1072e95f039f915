package io.fraudstream.job.pop;

import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.LabelValue;
import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.job.JobMetrics;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.io.RawRecord;
import io.fraudstream.job.validation.DeadLetterPolicy;
import io.fraudstream.job.validation.PanScan;
import io.fraudstream.job.validation.Rejection;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.WireFormatException;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes {@code fraud-labels} records into point-of-purchase deltas: a FRAUD label counts once at its merchant
 * and once at its terminal, in the hour it was <i>reported</i>. GENUINE labels carry no fraud count and are only
 * counted. A label carrying a full card number (in a field, its key or its undecodable bytes) is dead-lettered as
 * {@code PAN_DETECTED} without payload or key. Undecodable labels and labels reported before 1970 or further ahead of the clock than
 * {@code validation.max-event-lead} go to the dead-letter output with a reason; a fraud label that
 * names neither merchant nor terminal cannot be attributed and is counted in {@code fraudstreamLabelsUnattributed}.
 */
public class LabelDecoder extends ProcessFunction<RawRecord, PopDelta> {
    private static final long serialVersionUID = 1L;
    private final DeadLetterPolicy deadLetterPolicy;
    /** Labels reported further ahead of the wall clock than this are implausible (validation.max-event-lead). */
    private final long maxLeadMillis;
    private transient AvroCodec<FraudLabel> codec;
    private transient Counter labelsIn;
    private transient Counter unattributed;
    private transient Map<DeadLetterReason, Counter> deadLetters;

    public LabelDecoder(int deadLetterMaxPayload, long maxLeadMillis) {
        this(DeadLetterPolicy.truncated(deadLetterMaxPayload), maxLeadMillis);
    }

    public LabelDecoder(DeadLetterPolicy deadLetterPolicy, long maxLeadMillis) {
        this.deadLetterPolicy = deadLetterPolicy;
        this.maxLeadMillis = maxLeadMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        codec = AvroCodec.of(FraudLabel.class);
        labelsIn = getRuntimeContext().getMetricGroup().counter(JobMetrics.LABELS_IN);
        unattributed = getRuntimeContext().getMetricGroup().counter(JobMetrics.LABELS_UNATTRIBUTED);
        deadLetters = new EnumMap<>(DeadLetterReason.class);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLetters.put(reason, JobMetrics.deadLetterCounter(getRuntimeContext().getMetricGroup(), reason));
        }
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<PopDelta> out) {
        // A chargeback feed is the likeliest place for a card number: key, fields and undecodable bytes are searched
        // before anything else, and a label carrying one is dead-lettered without payload or key.
        String keyPan = PanScan.key(raw.key) ? Rejection.KAFKA_KEY : null;
        FraudLabel label;
        try {
            label = codec.decode(raw.value);
        } catch (WireFormatException e) {
            String places = PanScan.join(PanScan.rawBytes(raw.value) ? Rejection.RAW_BYTES : null, keyPan);
            reject(raw, places != null ? Rejection.pan(places, "the label is also not decodable: " + e.reason())
                    : new Rejection(e.reason(), e.getMessage(), false), ctx);
            return;
        }
        labelsIn.inc();
        String panPlaces = PanScan.join(PanScan.fields(label), keyPan);
        if (panPlaces != null) {
            reject(raw, Rejection.pan(panPlaces, "fraud label"), ctx);
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        long reported = label.getReportedAt() == null ? -1 : label.getReportedAt().toEpochMilli();
        if (reported < 0 || reported > now + maxLeadMillis) {
            reject(raw, Rejection.of(DeadLetterReason.INVALID_TIMESTAMP, "label reportedAt " + label.getReportedAt()
                    + " is before 1970 or further ahead of now than validation.max-event-lead"), ctx);
            return;
        }
        if (label.getLabel() != LabelValue.FRAUD) {
            return; // a cleared transaction: nothing to count at the point of purchase
        }
        String merchant = PopFeatures.merchantKey(label.getMerchantId());
        String terminal = PopFeatures.terminalKey(label.getTerminalId());
        if (merchant == null && terminal == null) {
            unattributed.inc();
            return;
        }
        int hour = PopFeatures.hourOf(reported);
        if (merchant != null) {
            out.collect(new PopDelta(merchant, hour, 0, 1));
        }
        if (terminal != null) {
            out.collect(new PopDelta(terminal, hour, 0, 1));
        }
    }

    private void reject(RawRecord raw, Rejection rejection, Context ctx) {
        deadLetters.get(rejection.reason()).inc();
        ctx.output(JobStreams.DEAD_LETTERS, deadLetterPolicy.build(raw.topic, raw.partition, raw.offset, raw.key,
                raw.value, rejection, ctx.timerService().currentProcessingTime()));
    }
}
