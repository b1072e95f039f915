package io.fraudstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.Transaction;
import io.fraudstream.schemas.AvroSerde;
import io.fraudstream.schemas.Topics;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The writer against a real broker: every transaction and label arrives exactly once, keyed by card. */
class KafkaTransactionWriterIT {

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBrokers.start();
        broker.createTopics(Map.of(Topics.TRANSACTIONS.name(), 4, Topics.FRAUD_LABELS.name(), 2, "paced", 1),
                Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void writesNTransactionsAndTheirLabelsAndReadsBackExactlyThoseIds() throws Exception {
        // Zero label delay and a short run: every label is reported inside the run.
        Simulator sim = new Simulator(SimulatorConfig.builder().seed(77).cards(300).duration(Duration.ofDays(20))
                .labelDelay(Duration.ZERO).build());
        List<SimulatedEvent> events = sim.events().toList();
        Set<String> txIds = new HashSet<>();
        Set<String> fraudIds = new HashSet<>();
        for (SimulatedEvent e : events) {
            if (e instanceof SimulatedTransaction t) {
                txIds.add(t.tx().getTransactionId());
                if (t.fraud()) {
                    fraudIds.add(t.tx().getTransactionId());
                }
            }
        }
        assertThat(txIds).hasSizeGreaterThan(10_000);
        assertThat(fraudIds).isNotEmpty();

        try (KafkaTransactionWriter writer = KafkaTransactionWriter.builder(broker.bootstrapServers()).build()) {
            writer.writeAll(events.iterator());
            assertThat(writer.acknowledged()).isEqualTo(events.size());
            assertThat(writer.failed()).isZero();
        }

        List<String> received = new ArrayList<>();
        try (KafkaConsumer<String, Transaction> consumer = new KafkaConsumer<>(consumerProps("tx"),
                new StringDeserializer(), new AvroSerde<>(Transaction.class))) {
            consumer.subscribe(List.of(Topics.TRANSACTIONS.name()));
            pollUntil(consumer, () -> received.size() >= txIds.size(), r -> {
                assertThat(r.key()).isEqualTo(r.value().getCardId());
                received.add(r.value().getTransactionId());
            });
        }
        assertThat(received).hasSize(txIds.size()).doesNotHaveDuplicates();
        assertThat(new HashSet<>(received)).isEqualTo(txIds);

        List<String> labelled = new ArrayList<>();
        try (KafkaConsumer<String, FraudLabel> consumer = new KafkaConsumer<>(consumerProps("labels"),
                new StringDeserializer(), new AvroSerde<>(FraudLabel.class))) {
            consumer.subscribe(List.of(Topics.FRAUD_LABELS.name()));
            pollUntil(consumer, () -> labelled.size() >= fraudIds.size(), r -> labelled.add(r.value().getTransactionId()));
        }
        assertThat(labelled).hasSize(fraudIds.size()).doesNotHaveDuplicates();
        assertThat(new HashSet<>(labelled)).isEqualTo(fraudIds);
    }

    @Test
    void liveModeKeepsToTheRate() throws Exception {
        Simulator sim = new Simulator(SimulatorConfig.builder().seed(78).cards(50).unbounded().maxTransactions(600).build());
        long begin = System.nanoTime();
        try (KafkaTransactionWriter writer = KafkaTransactionWriter.builder(broker.bootstrapServers())
                .transactionsTopic("paced").ratePerSecond(2_000).build()) {
            writer.writeAll(sim.transactionIterator());
            assertThat(writer.acknowledged()).isEqualTo(600);
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        // 600 at 2,000/s is 0.3 s minus the 50 ms burst; generous upper bound for a loaded machine.
        assertThat(seconds).isGreaterThan(0.24).isLessThan(10);
    }

    private static <V> void pollUntil(KafkaConsumer<String, V> consumer, BooleanSupplier done,
            Consumer<ConsumerRecord<String, V>> sink) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("records arrived before the deadline").isLessThan(deadline);
            consumer.poll(Duration.ofMillis(200)).forEach(sink);
        }
        // One more poll: anything beyond the expected count would be a duplicate.
        consumer.poll(Duration.ofMillis(500)).forEach(sink);
    }

    private static Map<String, Object> consumerProps(String group) {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    }
}
