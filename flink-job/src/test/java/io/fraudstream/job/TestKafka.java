package io.fraudstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.WireFormatException;
import io.fraudstream.testkit.TopicReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Plain Kafka clients for integration tests: produce bytes (every ack checked), read a topic to its end. */
final class TestKafka {

    private TestKafka() {}

    /** Sends every record and waits for every acknowledgement; returns their metadata in order. */
    static List<RecordMetadata> produce(String bootstrap, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        return produce(bootstrap, Map.of(), records);
    }

    static List<RecordMetadata> produce(String bootstrap, Map<String, Object> security,
            List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        Map<String, Object> props = new java.util.HashMap<>(security);
        props.putAll(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 10, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024));
        List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(producer.send(r));
            }
            List<RecordMetadata> out = new ArrayList<>(acks.size());
            for (Future<RecordMetadata> ack : acks) {
                out.add(ack.get(60, TimeUnit.SECONDS));
            }
            return out;
        }
    }

    /**
     * Reads every committed record of a topic (read_committed, all partitions, from the beginning to
     * the end offsets as of now) and decodes it. Fails on a record that does not decode.
     */
    static <T extends SpecificRecord> List<T> readAll(String bootstrap, String topic, Class<T> type) {
        return readAll(bootstrap, Map.of(), topic, type);
    }

    static <T extends SpecificRecord> List<T> readAll(String bootstrap, Map<String, Object> security, String topic,
            Class<T> type) {
        AvroCodec<T> codec = AvroCodec.of(type);
        List<T> out = new ArrayList<>();
        for (byte[] value : TopicReader.readAll(bootstrap, security, topic, Duration.ofSeconds(120))) {
            try {
                out.add(codec.decode(value));
            } catch (WireFormatException e) {
                throw new AssertionError("undecodable record on " + topic + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Every committed record of a topic, key and value as bytes (from the beginning to the end offsets as of now). */
    static List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> readRaw(String bootstrap, String topic) {
        List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertThat(System.nanoTime()).as("read %s to its end in time", topic).isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * No key or value of any record on {@code topics} holds a card number: neither one of {@code pans} literally
     * (digits only, or in groups of four with spaces or dashes) nor anything the job's own detector calls one.
     */
    static void assertNoCardNumbers(String bootstrap, List<String> pans, String... topics) {
        for (String topic : topics) {
            List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records = readRaw(bootstrap, topic);
            for (org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r : records) {
                for (byte[] bytes : new byte[][] {r.key(), r.value()}) {
                    if (bytes == null) {
                        continue;
                    }
                    String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
                    assertThat(io.fraudstream.schemas.CardNumbers.containsPan(bytes))
                            .as("%s record %d@%d holds a card number", topic, r.partition(), r.offset()).isFalse();
                    for (String pan : pans) {
                        assertThat(text).as("%s record %d@%d", topic, r.partition(), r.offset())
                                .doesNotContain(pan).doesNotContain(pan.substring(0, 4) + " " + pan.substring(4, 8))
                                .doesNotContain(pan.substring(0, 4) + "-" + pan.substring(4, 8));
                    }
                }
            }
        }
    }

    /** Records written to a topic so far, committed or not: progress, not results. */
    static long recordsWritten(String bootstrap, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Waits (polling, with a deadline) until a topic holds at least {@code atLeast} records. */
    static void awaitRecordsWritten(String bootstrap, String topic, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (recordsWritten(bootstrap, topic) < atLeast) {
            assertThat(System.nanoTime()).as("%s reached %d records in time", topic, atLeast).isLessThan(deadline);
            Thread.sleep(100); // polling a broker-side count; there is nothing to wait on
        }
    }

    /**
     * Valid transactions {@code from .. to-1} (see {@link FraudScoringJobIT#transaction}) as records keyed by
     * card, in the project's wire format; their ids are added to {@code ids}.
     */
    static List<ProducerRecord<byte[], byte[]>> transactionRecords(String topic, int from, int to, long now,
            java.util.Random random, java.util.Set<String> ids) {
        AvroCodec<io.fraudstream.avro.Transaction> codec = AvroCodec.of(io.fraudstream.avro.Transaction.class);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            io.fraudstream.avro.Transaction tx = FraudScoringJobIT.transaction(i, now, random);
            ids.add(tx.getTransactionId());
            records.add(new ProducerRecord<>(topic, tx.getCardId().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    codec.encode(tx)));
        }
        return records;
    }
}
