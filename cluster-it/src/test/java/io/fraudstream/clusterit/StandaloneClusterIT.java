package io.fraudstream.clusterit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.AttendedTransaction;
import io.fraudstream.avro.Channel;
import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.Decision;
import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.avro.Transaction;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.job.FraudScoringJob;
import io.fraudstream.job.JobMetrics;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.model.TrainingData;
import io.fraudstream.schemas.AvroJson;
import io.fraudstream.schemas.Topics;
import io.fraudstream.simulator.KafkaTransactionWriter;
import io.fraudstream.simulator.SimulatedTransaction;
import io.fraudstream.simulator.Simulator;
import io.fraudstream.simulator.SimulatorConfig;
import io.fraudstream.testkit.EmbeddedKafkaBroker;
import io.fraudstream.testkit.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shaded job jar on a real multi-process Flink standalone cluster (one JobManager, two TaskManagers,
 * each its own JVM started from Flink's entry points), RocksDB state, submitted over the REST API, against a
 * real Kafka broker, then upgraded twice through savepoints with a change of parallelism (2 → 1 → 2).
 *
 * <p>The model's threshold is 0, so every score is also an alert, and an alert lists the card's most
 * attended past transactions ({@code alert.top-attended}, 5). Probe cards get one transaction per phase; with
 * at most 5 earlier transactions every one of them is attended, so a probe's alert after a restore names
 * exactly the transactions the card had before the savepoint: its history was carried over (and
 * redistributed across a different number of subtasks), or the list would be empty. That conclusion needs the
 * restored job not to have re-read earlier input (which would rebuild the histories): every phase also checks
 * that no transaction was scored twice. Resuming without the savepoint fails the test (checked by hand: the
 * job re-reads from the last committed offsets and scores transactions twice).
 */
class StandaloneClusterIT {

    private static final String MODEL_VERSION = ClusterFixture.MODEL_VERSION;
    private static final int PROBES = 40;
    private static final int SIMULATED_PHASE_1 = 3_000;
    private static final int SIMULATED_LATER = 600;
    private static final Duration START = ClusterFixture.START;
    private static final Duration SCORED = Duration.ofSeconds(150);

    private static ClusterFixture fixture;
    private static Path dir;
    private static KafkaBroker broker;
    private static FlinkStandaloneCluster cluster;
    private static FlinkRest rest;
    private static List<String> jobArgs;

    @BeforeAll
    static void startClusterAndBroker() throws Exception {
        // Threshold 0: every score is an alert.
        fixture = ClusterFixture.start("", 2, 0.0, Map.of());
        dir = fixture.dir;
        broker = fixture.broker;
        cluster = fixture.cluster;
        rest = fixture.rest;
        jobArgs = fixture.jobArgs("--" + JobOptions.CHECKPOINT_INTERVAL.key(), "2 s");
    }

    @AfterAll
    static void stopEverything() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void scoresEverythingAndCarriesCardHistoriesThroughSavepointsAndRescaling() throws Exception {
        String jarId = fixture.uploadJobJar();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Iterator<SimulatedTransaction> simulated = new Simulator(SimulatorConfig.builder()
                .seed(2026).cards(150).start(now.minus(Duration.ofDays(40))).unbounded().build()).transactionIterator();
        Map<String, List<String>> historyByCard = new HashMap<>(); // every transaction sent so far, per card
        Set<String> sentIds = new LinkedHashSet<>();

        try (TopicTail<FraudScore> scores = new TopicTail<>(broker.bootstrapServers(), Topics.FRAUD_SCORES.name(), FraudScore.class);
             TopicTail<FraudAlert> alerts = new TopicTail<>(broker.bootstrapServers(), Topics.FRAUD_ALERTS.name(), FraudAlert.class);
             KafkaTransactionWriter writer = KafkaTransactionWriter.builder(broker.bootstrapServers()).build()) {

            // ---- phase 1: fresh start, parallelism 2, spread over both TaskManagers
            String job1 = rest.runJar(jarId, FraudScoringJob.class.getName(), jobArgs, 2, null);
            rest.awaitRunning(job1, START);
            assertSpreadOver(job1, 2);
            // Probes first: long before the savepoint, so a restart that lost state could not rebuild them
            // from re-read input either.
            List<Transaction> phase1 = new ArrayList<>();
            for (int p = 0; p < PROBES; p++) {
                phase1.add(probe(p, 0, now));
                phase1.add(probe(p, 1, now));
            }
            for (int i = 0; i < SIMULATED_PHASE_1; i++) {
                phase1.add(simulated.next().tx());
            }
            Map<String, List<String>> before1 = copy(historyByCard);
            send(writer, phase1, historyByCard, sentIds);
            awaitScored(scores, sentIds, job1);
            assertAlertsReflectHistory(alerts, phase1, before1, 0);
            String savepoint1 = rest.stopWithSavepoint(job1, dir.resolve("savepoints"), START);

            // ---- phase 2: restore with parallelism 1 (all key groups on one subtask)
            String job2 = rest.runJar(jarId, FraudScoringJob.class.getName(), jobArgs, 1, savepoint1);
            rest.awaitRunning(job2, START);
            assertSpreadOver(job2, 1);
            List<Transaction> phase2 = new ArrayList<>();
            for (int p = 0; p < PROBES; p++) {
                phase2.add(probe(p, 2, now));
            }
            for (int i = 0; i < SIMULATED_LATER; i++) {
                phase2.add(simulated.next().tx());
            }
            Map<String, List<String>> before2 = copy(historyByCard);
            send(writer, phase2, historyByCard, sentIds);
            awaitScored(scores, sentIds, job2);
            int carried2 = assertAlertsReflectHistory(alerts, phase2, before2, PROBES);
            String savepoint2 = rest.stopWithSavepoint(job2, dir.resolve("savepoints"), START);

            // ---- phase 3: restore with parallelism 2 again (key groups split over two TaskManagers)
            String job3 = rest.runJar(jarId, FraudScoringJob.class.getName(), jobArgs, 2, savepoint2);
            rest.awaitRunning(job3, START);
            assertSpreadOver(job3, 2);
            List<Transaction> phase3 = new ArrayList<>();
            for (int p = 0; p < PROBES; p++) {
                phase3.add(probe(p, 3, now));
            }
            for (int i = 0; i < SIMULATED_LATER; i++) {
                phase3.add(simulated.next().tx());
            }
            Map<String, List<String>> before3 = copy(historyByCard);
            send(writer, phase3, historyByCard, sentIds);
            sendGarbage(); // one undecodable record, so the dead-letter metric exists for the dashboard check
            awaitScored(scores, sentIds, job3);
            int carried3 = assertAlertsReflectHistory(alerts, phase3, before3, PROBES);

            // Every transaction of the three phases scored exactly once: the restored source resumed at the
            // savepoint's offsets (nothing re-read, nothing skipped).
            List<String> scoredIds = scores.records().stream().map(FraudScore::getTransactionId).toList();
            assertThat(scoredIds).doesNotHaveDuplicates();
            assertThat(new HashSet<>(scoredIds)).isEqualTo(sentIds);

            assertDashboardMetricsExported(job3);
            rest.assertRunningWithoutRestarts(job3);
            System.out.printf("cluster-it: %d transactions scored across 3 runs (p=2 -> savepoint -> p=1 -> savepoint -> p=2);"
                            + " alerts attending to the card's pre-savepoint transactions: %d of %d after the"
                            + " first restore, %d of %d after the second; savepoints %s, %s%n",
                    sentIds.size(), carried2, phase2.size(), carried3, phase3.size(), savepoint1, savepoint2);
        }
    }

    /** The job's widest vertex has {@code parallelism} subtasks, on exactly that many TaskManagers (1 slot each). */
    private static void assertSpreadOver(String jobId, int parallelism) {
        Map<String, Integer> vertices = rest.vertexParallelism(jobId);
        assertThat(vertices.values().stream().mapToInt(Integer::intValue).max().orElse(0))
                .as("widest vertex of %s", vertices).isEqualTo(parallelism);
        cluster.await(parallelism + " TaskManager(s) running tasks of job " + jobId, Duration.ofSeconds(60), () -> {
            Map<String, Integer> used = rest.usedSlotsPerTaskManager();
            return used.values().stream().filter(n -> n > 0).count() == parallelism;
        });
    }

    private static void send(KafkaTransactionWriter writer, List<Transaction> txs, Map<String, List<String>> history,
            Set<String> sentIds) throws InterruptedException {
        for (Transaction tx : txs) {
            writer.send(tx);
            history.computeIfAbsent(tx.getCardId(), c -> new ArrayList<>()).add(tx.getTransactionId());
            assertThat(sentIds.add(tx.getTransactionId())).as("unique id %s", tx.getTransactionId()).isTrue();
        }
        writer.flush();
    }

    /** Waits until every sent id has a score (and the job still runs); fails on scores for unknown ids. */
    private static void awaitScored(TopicTail<FraudScore> scores, Set<String> sentIds, String jobId) {
        cluster.await(sentIds.size() + " transactions scored", SCORED, () -> {
            Set<String> scored = scores.poll(Duration.ofMillis(500)).stream().map(FraudScore::getTransactionId)
                    .collect(Collectors.toSet());
            return scored.containsAll(sentIds);
        });
        rest.assertRunningWithoutRestarts(jobId);
        // Scored once each: a restored job that re-read earlier input (instead of resuming at the savepoint's
        // offsets) would also rebuild card histories from it, and the history checks would prove nothing.
        assertThat(scores.records().stream().map(FraudScore::getTransactionId).toList())
                .as("transactions scored more than once").doesNotHaveDuplicates();
        assertThat(scores.records()).allSatisfy(s -> {
            assertThat(sentIds).contains(s.getTransactionId());
            assertThat(s.getModelVersion()).isEqualTo(MODEL_VERSION);
            assertThat(s.getDecision()).isEqualTo(Decision.ALERT);
        });
    }

    /**
     * Checks the alert of every transaction of a phase against the card's transactions sent before the phase:
     * everything it attended to was one of them, and a probe card's alert attended to every one of them.
     * Returns the number of alerts that attended to at least one earlier transaction.
     */
    private static int assertAlertsReflectHistory(TopicTail<FraudAlert> alerts, List<Transaction> phase,
            Map<String, List<String>> before, int expectedProbes) {
        Set<String> ids = phase.stream().map(Transaction::getTransactionId).collect(Collectors.toSet());
        Map<String, FraudAlert> byId = new HashMap<>();
        cluster.await(ids.size() + " alerts", SCORED, () -> {
            for (FraudAlert a : alerts.poll(Duration.ofMillis(500))) {
                if (ids.contains(a.getScore().getTransactionId())) {
                    byId.put(a.getScore().getTransactionId(), a);
                }
            }
            return byId.keySet().containsAll(ids);
        });
        // Within a phase a card's earlier transactions of the same phase may be attended too.
        Map<String, List<String>> sameCardInPhase = new HashMap<>();
        int carried = 0;
        int probes = 0;
        for (Transaction tx : phase) {
            List<String> earlierThisPhase = sameCardInPhase.computeIfAbsent(tx.getCardId(), c -> new ArrayList<>());
            List<String> earlier = before.getOrDefault(tx.getCardId(), List.of());
            Set<String> attended = byId.get(tx.getTransactionId()).getAttended().stream()
                    .map(AttendedTransaction::getTransactionId).collect(Collectors.toCollection(TreeSet::new));
            Set<String> allowed = new HashSet<>(earlier);
            allowed.addAll(earlierThisPhase);
            assertThat(allowed).as("attended transactions of %s on %s", tx.getTransactionId(), tx.getCardId())
                    .containsAll(attended);
            if (tx.getCardId().startsWith("probe-") && earlierThisPhase.isEmpty()) {
                probes++;
                assertThat(attended).as("probe %s attended to the card's whole history", tx.getTransactionId())
                        .isEqualTo(new TreeSet<>(earlier));
            }
            if (attended.stream().anyMatch(earlier::contains)) {
                carried++;
            }
            earlierThisPhase.add(tx.getTransactionId());
        }
        if (expectedProbes > 0) {
            assertThat(probes).isEqualTo(expectedProbes);
            assertThat(carried).as("alerts attending to pre-savepoint transactions").isGreaterThanOrEqualTo(expectedProbes);
        }
        return carried;
    }

    /**
     * Every metric the Grafana dashboard queries is exported by a process of this cluster (the Prometheus
     * reporter runs in each, on its own port), once the job has scored, dead-lettered and checkpointed.
     */
    private static void assertDashboardMetricsExported(String jobId) throws Exception {
        cluster.await("a completed checkpoint of " + jobId, Duration.ofSeconds(60), () -> rest.completedCheckpoints(jobId) > 0);
        Set<String> wanted = GrafanaDashboard.load(GrafanaDashboard.defaultPath()).metricNames();
        assertThat(wanted).contains("flink_taskmanager_job_task_operator_" + JobMetrics.SCORES_OUT);
        Set<String> exported = new HashSet<>();
        try {
            cluster.await("every dashboard metric exported", Duration.ofSeconds(60), () -> {
                exported.clear();
                for (FlinkStandaloneCluster.Node n : cluster.nodes()) {
                    try {
                        exported.addAll(FlinkRest.prometheusMetricNames(n.metricsPort()));
                    } catch (Exception e) {
                        return false;
                    }
                }
                return exported.containsAll(wanted);
            });
        } catch (AssertionError timeout) {
            assertThat(exported).as("metric names exported by the cluster's Prometheus reporters").containsAll(wanted);
            throw timeout;
        }
        try (TopicTail<DeadLetter> dlq = new TopicTail<>(broker.bootstrapServers(), Topics.TRANSACTIONS_DLQ.name(), DeadLetter.class)) {
            cluster.await("the undecodable record dead-lettered", Duration.ofSeconds(30),
                    () -> !dlq.poll(Duration.ofMillis(500)).isEmpty());
        }
    }

    private static void sendGarbage() {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.TRANSACTIONS.name(), "probe-garbage".getBytes(StandardCharsets.UTF_8),
                    "not avro".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
        }
    }

    /** Transaction {@code n} of probe card {@code p}: one day apart, all in the past. */
    private static Transaction probe(int p, int n, Instant now) {
        return Transaction.newBuilder()
                .setTransactionId(String.format("probe-%02d-tx%d", p, n))
                .setCardId(String.format("probe-%02d", p)).setAccountId("probe-acct-" + p)
                .setEventTime(now.minus(Duration.ofDays(10 - n)).plusSeconds(p))
                .setAmountMinor(1_000 + 100L * n).setCurrency("USD")
                .setMerchantId("probe-m-" + n).setMerchantCategory("grocery_pos").setChannel(Channel.CARD_PRESENT)
                .setMerchantLat(40.7).setMerchantLon(-74.0).setHomeLat(40.7).setHomeLon(-74.0)
                .setCountry("US").setTerminalId(null)
                .build();
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> m) {
        Map<String, List<String>> out = new HashMap<>();
        m.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return out;
    }
}
