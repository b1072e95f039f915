package io.fraudstream.job.validation;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.Transaction;
import io.fraudstream.job.JobMetrics;
import io.fraudstream.job.JobStreams;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.WireFormatException;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes the single-object Avro bytes and validates the transaction. Valid transactions continue as
 * {@link TransactionEvent}s; everything else leaves on {@link JobStreams#DEAD_LETTERS} with its Kafka
 * coordinates, a reason, and as much of the original bytes as {@code dead-letter.payload} allows, and is counted
 * per reason. Before anything else the Kafka key, every field and (for records that do not decode) the raw bytes
 * are searched for a full card number ({@link PanScan}); where one is found the dead letter says where
 * ({@code PAN_DETECTED}) and carries neither payload nor key. Never throws on input, so no record can fail or
 * restart the job.
 */
public class DecodeAndValidate extends ProcessFunction<io.fraudstream.job.io.RawRecord, TransactionEvent> {

    private static final long serialVersionUID = 1L;

    private final ValidationRules rules;
    private transient AvroCodec<Transaction> codec;
    private final DeadLetterPolicy policy;
    private transient TransactionValidator validator;
    private transient Counter recordsIn;
    private transient Map<DeadLetterReason, Counter> deadLetters;

    public DecodeAndValidate(ValidationRules rules) {
        this.rules = rules;
        this.policy = rules.deadLetters();
    }

    @Override
    public void open(OpenContext openContext) {
        codec = AvroCodec.of(Transaction.class);
        validator = new TransactionValidator(rules);
        recordsIn = getRuntimeContext().getMetricGroup().counter(JobMetrics.RECORDS_IN);
        deadLetters = new EnumMap<>(DeadLetterReason.class);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLetters.put(reason, JobMetrics.deadLetterCounter(getRuntimeContext().getMetricGroup(), reason));
        }
    }

    @Override
    public void processElement(io.fraudstream.job.io.RawRecord raw, Context ctx, Collector<TransactionEvent> out) {
        recordsIn.inc();
        // Card numbers first: a record carrying one must not reach the dead letter with its bytes, whatever else is wrong.
        String keyPan = PanScan.key(raw.key) ? Rejection.KAFKA_KEY : null;
        Transaction tx;
        try {
            tx = codec.decode(raw.value);
        } catch (WireFormatException e) {
            String places = PanScan.join(PanScan.rawBytes(raw.value) ? Rejection.RAW_BYTES : null, keyPan);
            reject(raw, places != null ? Rejection.pan(places, "the record is also not decodable: " + e.reason())
                    : new Rejection(e.reason(), e.getMessage(), false), ctx);
            return;
        }
        TransactionEvent event = new TransactionEvent();
        Rejection rejection;
        try {
            rejection = validator.validate(tx, keyPan, ctx.timerService().currentProcessingTime(), event);
        } catch (RuntimeException e) {
            // A decoded record with a null where the schema allows none, or similar: never fail the job.
            rejection = keyPan != null ? Rejection.pan(keyPan, null)
                    : Rejection.of(DeadLetterReason.OTHER, "validation failed: " + e.getClass().getSimpleName());
        }
        if (rejection != null) {
            reject(raw, rejection, ctx);
            return;
        }
        event.sourceTopic = raw.topic;
        event.sourcePartition = raw.partition;
        event.sourceOffset = raw.offset;
        event.kafkaTimestamp = raw.kafkaTimestamp;
        event.ingestMicros = raw.ingestMicros;
        out.collect(event);
    }

    private void reject(io.fraudstream.job.io.RawRecord raw, Rejection rejection, Context ctx) {
        deadLetters.get(rejection.reason()).inc();
        ctx.output(JobStreams.DEAD_LETTERS, policy.build(raw.topic, raw.partition, raw.offset, raw.key, raw.value,
                rejection, ctx.timerService().currentProcessingTime()));
    }

    /**
     * Builds a dead letter that keeps at most {@code maxPayload} bytes of the value (none, and no key, when the
     * rejection withholds them). Kept for callers outside validation; {@link DeadLetterPolicy#build} is the rule.
     */
    public static DeadLetter deadLetter(String topic, int partition, long offset, byte[] key, byte[] value,
            Rejection rejection, int maxPayload, long nowMillis) {
        return DeadLetterPolicy.truncated(maxPayload).build(topic, partition, offset, key, value, rejection, nowMillis);
    }
}
