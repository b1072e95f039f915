package io.fraudstream.job.validation;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.Transaction;
import io.fraudstream.job.JobMetrics;
import io.fraudstream.job.JobStreams;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.WireFormatException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes the single-object Avro bytes and validates the transaction. Valid transactions continue as
 * {@link TransactionEvent}s; everything else leaves on {@link JobStreams#DEAD_LETTERS} with the
 * original bytes, its Kafka coordinates and a reason, and is counted per reason. Never throws on
 * input, so no record can fail or restart the job.
 */
public class DecodeAndValidate extends ProcessFunction<io.fraudstream.job.io.RawRecord, TransactionEvent> {

    private static final long serialVersionUID = 1L;

    private final ValidationRules rules;
    private transient AvroCodec<Transaction> codec;
    private transient TransactionValidator validator;
    private transient Counter recordsIn;
    private transient Map<DeadLetterReason, Counter> deadLetters;

    public DecodeAndValidate(ValidationRules rules) {
        this.rules = rules;
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
        Transaction tx;
        try {
            tx = codec.decode(raw.value);
        } catch (WireFormatException e) {
            reject(raw, new Rejection(e.reason(), e.getMessage(), false), ctx);
            return;
        }
        TransactionEvent event = new TransactionEvent();
        Rejection rejection;
        try {
            rejection = validator.validate(tx, ctx.timerService().currentProcessingTime(), event);
        } catch (RuntimeException e) {
            // A decoded record with a null where the schema allows none, or similar: never fail the job.
            rejection = Rejection.of(DeadLetterReason.OTHER, "validation failed: " + e.getClass().getSimpleName());
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
        ctx.output(JobStreams.DEAD_LETTERS, deadLetter(raw.topic, raw.partition, raw.offset, raw.key, raw.value,
                rejection, rules.deadLetterMaxPayload(), ctx.timerService().currentProcessingTime()));
    }

    /** Builds the dead letter, truncating or withholding the payload as the rejection requires. */
    public static DeadLetter deadLetter(String topic, int partition, long offset, byte[] key, byte[] value,
            Rejection rejection, int maxPayload, long nowMillis) {
        byte[] payload = value == null ? new byte[0] : value;
        boolean truncated = false;
        if (rejection.withholdPayload()) {
            payload = new byte[0];
            key = null;
            truncated = value != null && value.length > 0;
        } else if (payload.length > maxPayload) {
            payload = Arrays.copyOf(payload, maxPayload);
            truncated = true;
        }
        return DeadLetter.newBuilder()
                .setPayload(ByteBuffer.wrap(payload))
                .setPayloadTruncated(truncated)
                .setKey(key == null ? null : ByteBuffer.wrap(key.length > 1024 ? Arrays.copyOf(key, 1024) : key))
                .setSourceTopic(topic == null ? "" : topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setReason(rejection.reason())
                .setMessage(rejection.message())
                .setDetectedAt(Instant.ofEpochMilli(nowMillis))
                .build();
    }
}
