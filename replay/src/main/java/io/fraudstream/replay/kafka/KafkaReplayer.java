package io.fraudstream.replay.kafka;

import io.fraudstream.avro.Transaction;
import io.fraudstream.datasets.LabelledTransaction;
import io.fraudstream.datasets.TransactionReader;
import io.fraudstream.cli.support.Progress;
import io.fraudstream.schemas.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Replays a file onto a Kafka topic as the bank's pipeline would publish it: key = card token, value =
 * single-object Avro {@link Transaction}. Per-card order is file order: one idempotent producer, records of
 * a card share a partition (the key), and an idempotent producer keeps per-partition order across retries.
 *
 * <p>Pacing: at speed s, the record with event time t is sent at {@code start + (t - t0) / s} of wall
 * time, t0 being the first record's event time, so inter-arrival gaps are the event-time gaps divided by
 * s. A record whose event time is earlier than one already sent goes at once (file order wins over time
 * order). {@code speed <= 0} means as fast as possible. The Kafka timestamp is the send time (as for live
 * traffic), so the job's end-to-end latency metric stays meaningful during a replay.
 */
public final class KafkaReplayer {

    /** What was sent. */
    public record Summary(long sent, long wallMillis, long eventSpanMillis) {}

    private final Map<String, Object> producerConfig;
    private final String topic;
    private final double speed;
    private final LongSupplier clockNanos;

    public KafkaReplayer(String bootstrapServers, Map<String, Object> extraConfig, String topic, double speed) {
        this(bootstrapServers, extraConfig, topic, speed, System::nanoTime);
    }

    KafkaReplayer(String bootstrapServers, Map<String, Object> extraConfig, String topic, double speed,
            LongSupplier clockNanos) {
        Map<String, Object> config = new java.util.HashMap<>(extraConfig);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, speed > 0 ? 0 : 10);
        config.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        this.producerConfig = config;
        this.topic = topic;
        this.speed = speed;
        this.clockNanos = clockNanos;
    }

    /** Sends every transaction of {@code reader}; fails on the first send that is not acknowledged. */
    public Summary replay(TransactionReader reader, Progress progress) throws Exception {
        AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
        List<Future<RecordMetadata>> pending = new ArrayList<>();
        long sent = 0;
        long start = clockNanos.getAsLong();
        long firstEvent = Long.MIN_VALUE;
        long lastEvent = Long.MIN_VALUE;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
            LabelledTransaction t;
            while ((t = reader.next()) != null) {
                Transaction tx = t.transaction();
                long event = tx.getEventTime().toEpochMilli();
                if (firstEvent == Long.MIN_VALUE) {
                    firstEvent = event;
                }
                lastEvent = Math.max(lastEvent, event);
                if (speed > 0) {
                    long due = start + (long) ((event - firstEvent) * 1_000_000L / speed);
                    long wait = due - clockNanos.getAsLong();
                    if (wait > 0) {
                        producer.flush();
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                pending.add(producer.send(new ProducerRecord<>(topic, null, null,
                        tx.getCardId().getBytes(StandardCharsets.UTF_8), codec.encode(tx))));
                sent++;
                if (pending.size() >= 10_000) {
                    for (Future<RecordMetadata> f : pending) {
                        f.get(60, TimeUnit.SECONDS);
                    }
                    pending.clear();
                }
                progress.tick("sent", sent, -1);
            }
            producer.flush();
            for (Future<RecordMetadata> f : pending) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        progress.done("sent", sent);
        return new Summary(sent, (clockNanos.getAsLong() - start) / 1_000_000L,
                sent == 0 ? 0 : lastEvent - firstEvent);
    }
}
