package io.fraudstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.Transaction;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The wire format through a real broker: 10,000 transactions, and schema evolution both ways. */
class KafkaRoundTripIT {

    private static final int COUNT = 10_000;
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBrokers.start();
        broker.createTopics(Map.of(Topics.TRANSACTIONS.name(), 4, "evolution", 1), Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void tenThousandTransactionsComeBackExactlyOnce() throws Exception {
        Set<String> sent = new HashSet<>();
        try (KafkaProducer<String, Transaction> producer = new KafkaProducer<>(
                producerProps(), new StringSerializer(), new AvroSerde<>(Transaction.class))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>(COUNT);
            for (int i = 0; i < COUNT; i++) {
                Transaction tx = SampleTransactions.transaction(i);
                sent.add(tx.getTransactionId());
                acks.add(producer.send(new ProducerRecord<>(Topics.TRANSACTIONS.name(), tx.getCardId(), tx)));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }

        List<String> received = new ArrayList<>();
        try (KafkaConsumer<String, Transaction> consumer = new KafkaConsumer<>(
                consumerProps("round-trip"), new StringDeserializer(), new AvroSerde<>(Transaction.class))) {
            consumer.subscribe(List.of(Topics.TRANSACTIONS.name()));
            pollUntil(consumer, () -> received.size() >= COUNT, r -> {
                assertThat(r.key()).isEqualTo(r.value().getCardId());
                received.add(r.value().getTransactionId());
            });
        }

        assertThat(received).hasSize(COUNT).doesNotHaveDuplicates();
        assertThat(new HashSet<>(received)).isEqualTo(sent);
    }

    @Test
    void schemaEvolutionRoundTripsThroughTheBroker() throws Exception {
        Schema previous = SampleTransactions.previousSchema();
        Schema current = Transaction.getClassSchema();
        Transaction tx = SampleTransactions.transaction(4242);
        byte[] oldWriterBytes = SchemaEvolutionTest.Evolution.encodeAs(previous, tx);
        byte[] newWriterBytes = AvroCodec.of(Transaction.class).encode(tx);

        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(producerProps(), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("evolution", "old-writer", oldWriterBytes)).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>("evolution", "new-writer", newWriterBytes)).get(30, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                consumerProps("evolution"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("evolution"));
            pollUntil(consumer, () -> records.size() >= 2, records::add);
        }
        assertThat(records).extracting(ConsumerRecord::key).containsExactly("old-writer", "new-writer");

        // Old writer, new reader: the field the old producer lacked takes its default.
        Transaction fromOld = AvroCodec.withSchemas(Transaction.class, current, List.of(previous))
                .decode(records.get(0).value());
        assertThat(fromOld.getTerminalId()).isNull();
        assertThat(fromOld.getTransactionId()).isEqualTo(tx.getTransactionId());

        // New writer, old reader: the old consumer skips the field it does not know.
        GenericRecord fromNew = SchemaEvolutionTest.Evolution.decodeAs(previous, current, records.get(1).value());
        assertThat(fromNew.get("transactionId").toString()).isEqualTo(tx.getTransactionId());
        assertThat(fromNew.get("amountMinor")).isEqualTo(tx.getAmountMinor());
    }

    private static <V> void pollUntil(KafkaConsumer<String, V> consumer, java.util.function.BooleanSupplier done,
            Consumer<ConsumerRecord<String, V>> sink) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("records arrived before the deadline").isLessThan(deadline);
            consumer.poll(Duration.ofMillis(200)).forEach(sink);
        }
        // One more poll: anything beyond the expected count would be a duplicate.
        consumer.poll(Duration.ofMillis(500)).forEach(sink);
    }

    private static Map<String, Object> producerProps() {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5);
    }

    private static Map<String, Object> consumerProps(String group) {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    }
}
