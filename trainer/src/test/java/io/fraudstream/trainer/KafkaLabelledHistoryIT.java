package io.fraudstream.trainer;

import io.fraudstream.model.scoring.WireTransactions;
import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.LabelValue;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.Transaction;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.schemas.Topics;
import io.fraudstream.simulator.KafkaTransactionWriter;
import io.fraudstream.simulator.SimulatedTransaction;
import io.fraudstream.simulator.Simulator;
import io.fraudstream.simulator.SimulatorConfig;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training data read back from a real broker ({@link KafkaBrokers#start()}): a simulated history and its fraud
 * labels are produced to {@code transactions} (3 partitions) and {@code fraud-labels} (2 partitions), with bad
 * records mixed in; the trainer must see exactly the simulator's transactions of the range, labelled fraud exactly
 * when the simulator's label was reported before the range's end.
 */
class KafkaLabelledHistoryIT {
    static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    static final Instant FROM = START.plus(Duration.ofDays(2));
    static final Instant TO = START.plus(Duration.ofDays(34));
    static final Duration LABEL_DELAY = Duration.ofDays(5);

    static KafkaBroker broker;
    static List<SimulatedTransaction> simulated;
    /** The expected view: (card, id, event time, amount, fraud as known at TO) of every transaction in range. */
    static List<String> expected;

    @BeforeAll
    static void produce() throws Exception {
        broker = KafkaBrokers.start();
        broker.createTopics(Map.of(Topics.TRANSACTIONS.name(), 3, Topics.FRAUD_LABELS.name(), 2,
                Topics.MODEL_UPDATES.name(), 1), Duration.ofSeconds(60));
        SimulatorConfig config = SimulatorConfig.builder().seed(5).cards(60).start(START)
                .duration(Duration.ofDays(40)).fraudRate(0.02).labelDelay(LABEL_DELAY).build();
        Simulator sim = new Simulator(config);
        simulated = sim.transactions().toList();
        try (KafkaTransactionWriter writer = KafkaTransactionWriter.builder(broker.bootstrapServers()).build()) {
            writer.writeAll(sim.eventIterator());
        }
        // Bad records: garbage, no value, a repeated transaction, a label for nothing, a label with the wrong card.
        Transaction first = simulated.stream().filter(t -> !t.tx().getEventTime().isBefore(FROM)).findFirst()
                .orElseThrow().tx();
        SimulatedTransaction fraudInRange = simulated.stream().filter(t -> t.fraud()
                && !t.tx().getEventTime().isBefore(FROM) && t.tx().getEventTime().plus(LABEL_DELAY).isBefore(TO))
                .findFirst().orElseThrow();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer()); KafkaTransactionWriter writer =
                KafkaTransactionWriter.builder(broker.bootstrapServers()).build()) {
            raw.send(new ProducerRecord<>(Topics.TRANSACTIONS.name(), "card-x",
                    "not avro".getBytes(StandardCharsets.UTF_8)));
            raw.send(new ProducerRecord<>(Topics.TRANSACTIONS.name(), "card-x", null));
            raw.send(new ProducerRecord<>(Topics.FRAUD_LABELS.name(), "card-x", new byte[] {(byte) 0xC3, 1, 2}));
            writer.send(first); // a producer retry that got through twice
            writer.send(new FraudLabel("no-such-transaction", "card-000001", LabelValue.FRAUD, FROM, "ANALYST",
                    null, null, null, null));
            writer.send(new FraudLabel(fraudInRange.tx().getTransactionId(), "card-999999", LabelValue.GENUINE,
                    fraudInRange.tx().getEventTime().plus(Duration.ofDays(6)), "ANALYST", null, null, null, null));
        }
        expected = new ArrayList<>();
        for (SimulatedTransaction t : simulated) {
            Instant at = t.tx().getEventTime();
            if (!at.isBefore(FROM) && at.isBefore(TO)) {
                boolean known = t.fraud() && at.plus(LABEL_DELAY).isBefore(TO);
                // Amount as the job converts it (minor units x 10^-digits), so the strings compare exactly.
                expected.add(key(t.tx().getCardId(), t.tx().getTransactionId(), at.toEpochMilli(),
                        new WireTransactions().toRaw(t.tx()).amount(), known));
            }
        }
        expected.sort(null);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    static String key(String card, String id, long time, double amount, boolean fraud) {
        return card + "|" + id + "|" + time + "|" + amount + "|" + fraud;
    }

    static List<String> seen(LabelledData data) {
        List<String> out = new ArrayList<>();
        for (List<LabelledTransaction> card : data.cards()) {
            for (LabelledTransaction t : card) {
                out.add(key(t.cardId(), t.tx().transactionId(), t.time(), t.tx().amount(), t.fraud()));
            }
        }
        out.sort(null);
        return out;
    }

    @Test
    void readsExactlyTheRangeWithTheLabelsKnownAtItsEnd() {
        KafkaLabelledHistory.Result r = KafkaLabelledHistory.read(
                KafkaLabelledHistory.Source.of(broker.bootstrapServers()), FROM, TO);

        assertThat(seen(r.data())).containsExactlyElementsOf(expected);
        long inRangeFraud = simulated.stream().filter(t -> t.fraud() && !t.tx().getEventTime().isBefore(FROM)
                && t.tx().getEventTime().isBefore(TO)).count();
        long knownFraud = expected.stream().filter(s -> s.endsWith("|true")).count();
        // The label delay matters in this range: some fraud of its last days is not known yet, so not learned.
        assertThat(knownFraud).isPositive().isLessThan(inRangeFraud);
        assertThat(r.data().frauds()).isEqualTo((int) knownFraud);
        // Per-card sequences in the job's order, one card per list.
        for (List<LabelledTransaction> card : r.data().cards()) {
            assertThat(card).isSortedAccordingTo(LabelledData.CARD_ORDER);
            assertThat(card).extracting(LabelledTransaction::cardId).containsOnly(card.get(0).cardId());
        }

        KafkaLabelledHistory.Stats s = r.stats();
        assertThat(s.transactionRecords()).isEqualTo(simulated.size() + 3);
        assertThat(s.transactionsInRange()).isEqualTo(expected.size());
        assertThat(s.outOfRange()).isEqualTo(simulated.size() - expected.size());
        assertThat(s.fraudLabelled()).isEqualTo(knownFraud);
        assertThat(s.labelsApplied()).isEqualTo(knownFraud);
        assertThat(s.skipped()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "transaction undecodable (UNDECODABLE)", 1L,
                "transaction no value", 1L,
                "transaction " + KafkaLabelledHistory.DUPLICATE, 1L,
                "label undecodable (UNDECODABLE)", 1L,
                KafkaLabelledHistory.UNMATCHED, 1L,
                KafkaLabelledHistory.CARD_MISMATCH, 1L));
        long simLabels = simulated.stream().filter(SimulatedTransaction::fraud).count();
        assertThat(s.labelRecords()).isEqualTo(simLabels + 3);
        assertThat(s.labelsReportedLate()).isEqualTo(simulated.stream().filter(t -> t.fraud()
                && !t.tx().getEventTime().plus(LABEL_DELAY).isBefore(TO)).count());
    }

    @Test
    void trainFromTheTopicsLearnsFromExactlyThoseRows(@TempDir Path tmp) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Clock clock = Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC);
        // Seeded attention and a small extractor: the data path is under test here, not DJL (TrainingQualityIT).
        int status = TrainerMain.run(new String[] {"train", "--data", "kafka", "--kafka", broker.bootstrapServers(),
                "--from-time", FROM.toString(), "--to-time", TO.toString(),
                "--store", tmp.resolve("store").toString(), "--keys", tmp.resolve("keys").toString(),
                "--train-from", FROM.toString(), "--train-to", "2025-01-20", "--validation-from", "2025-01-22",
                "--validation-to", "2025-01-29", "--shadow-period", "8h", "--attention", "seeded",
                "--window", "256", "--k", "8", "--heads", "2", "--dim", "8", "--lambdas", "1,10"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), clock);
        assertThat(status).as(err.toString()).isZero();

        ModelRegistry registry = new ModelRegistry(new ModelStore(tmp.resolve("store")),
                SigningKeys.loadOrCreate(tmp.resolve("keys")), DescriptorSink.NONE, clock);
        ModelDescriptor shadow = registry.shadow().orElseThrow();
        FraudModel model = registry.load(shadow);
        long trainTo = Instant.parse("2025-01-20T00:00:00Z").toEpochMilli();
        long validFrom = Instant.parse("2025-01-22T00:00:00Z").toEpochMilli();
        long validTo = Instant.parse("2025-01-29T00:00:00Z").toEpochMilli();
        long trainRows = 0;
        long trainFrauds = 0;
        long validRows = 0;
        long validFrauds = 0;
        for (String e : expected) {
            String[] f = e.split("\\|");
            long t = Long.parseLong(f[2]);
            boolean fraud = Boolean.parseBoolean(f[4]);
            if (t < trainTo) {
                trainRows++;
                trainFrauds += fraud ? 1 : 0;
            } else if (t >= validFrom && t < validTo) {
                validRows++;
                validFrauds += fraud ? 1 : 0;
            }
        }
        assertThat(trainFrauds).isPositive();
        assertThat(validFrauds).isPositive();
        assertThat(model.metrics()).containsEntry("train.rows", (double) trainRows)
                .containsEntry("train.frauds", (double) trainFrauds)
                .containsEntry("validation.rows", (double) validRows)
                .containsEntry("validation.frauds", (double) validFrauds);
        assertThat(model.trainingData().source()).contains("kafka transactions + fraud-labels")
                .contains(TO.toString());
    }
}
