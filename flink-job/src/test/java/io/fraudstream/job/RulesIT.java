package io.fraudstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.avro.RuleAction;
import io.fraudstream.avro.RuleDefinition;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.avro.Transaction;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.job.scoring.TestModels;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.rules.RuleSetSigner;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.AvroJson;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Analyst rules on a real broker and MiniCluster: a forged and an unsigned rule set published before any traffic are
 * refused (counted per subtask) and raise nothing; a genuine set published mid-stream takes effect on the next
 * events of every card: from then on exactly the transactions its rule matches alert, naming the rule, and every
 * transaction has exactly one score (none lost or duplicated).
 */
class RulesIT {

    private static final int PARALLELISM = 2;
    private static final int SLICE = 2_000;
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(PARALLELISM).build());

    @TempDir
    Path dir;

    @Test
    void aSignedRuleSetPublishedMidStreamTakesEffectOnTheNextEventsAndForgedOrUnsignedOnesAreRefused()
            throws Exception {
        try (KafkaBroker broker = KafkaBrokers.start()) {
            Path storeDir = Files.createDirectories(dir.resolve("store"));
            KeyPair keys = SigningKeys.generate();
            SigningKeys.writePublicKey(keys.getPublic(), dir.resolve("model.pub"));
            // Threshold 1: the model alone never alerts, so every alert is a rule's.
            ModelDescriptor v1 = new ModelStore(storeDir).publish(TestModels.model("v000001", 1.0, 1024),
                    ModelRole.CHAMPION, keys.getPrivate());
            AvroJson.write(v1, dir.resolve("champion.json"));

            Map<String, String> values = new HashMap<>(SignedModelStore.topics("rules"));
            values.put(JobOptions.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
            values.put(JobOptions.MODEL_STORE.key(), storeDir.toString());
            values.put(JobOptions.MODEL_PUBLIC_KEY.key(), dir.resolve("model.pub").toString());
            values.put(JobOptions.MODEL_INITIAL_DESCRIPTOR.key(), dir.resolve("champion.json").toString());
            values.put(JobOptions.PARALLELISM.key(), Integer.toString(PARALLELISM));
            values.put(JobOptions.RULES_ENABLED.key(), "true");
            values.put(JobOptions.RULES_TOPIC.key(), "rules-rules");
            JobConfig config = JobConfig.fromMap(values);
            Map<String, Integer> topics = new HashMap<>(SignedModelStore.topicPartitions("rules"));
            topics.put("rules-rules", 1);
            broker.createTopics(topics, Duration.ofSeconds(60));
            String txTopic = config.get(JobOptions.TRANSACTIONS_TOPIC);
            String scoresTopic = config.get(JobOptions.SCORES_TOPIC);
            String alertsTopic = config.get(JobOptions.ALERTS_TOPIC);

            Configuration flink = FraudScoringJob.flinkConfiguration(config);
            flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
            FraudScoringJob.build(env, config);
            JobClient job = env.executeAsync("rules");
            Set<String> expectedAlerts;
            Set<String> ids = new HashSet<>();
            try {
                Random random = new Random(5);
                long now = System.currentTimeMillis();
                RuleDefinition alertAll = rule("everything", 99, RuleAction.ALERT, "true");
                // Phase A: a set signed with a key the job does not trust, and an unsigned one.
                RuleSet forged = set(1, SigningKeys.generate().getPrivate(), alertAll);
                RuleSet unsigned = RuleSet.newBuilder(set(2, keys.getPrivate(), alertAll)).setSignature(null).build();
                produce(broker, "rules-rules", forged, unsigned);
                awaitCounter(job.getJobID(), JobMetrics.RULE_SET_REJECTIONS, "forged", PARALLELISM);
                awaitCounter(job.getJobID(), JobMetrics.RULE_SET_REJECTIONS, "unsigned", PARALLELISM);
                TestKafka.produce(broker.bootstrapServers(),
                        TestKafka.transactionRecords(txTopic, 0, SLICE, now, random, ids));
                TestKafka.awaitRecordsWritten(broker.bootstrapServers(), scoresTopic, SLICE);

                // Phase B: the genuine set, mid-stream; once every subtask holds it, the next events of every card.
                produce(broker, "rules-rules", set(3, keys.getPrivate(),
                        rule("big_amount", 10, RuleAction.ALERT, "amount_minor > 5000")));
                awaitCounter(job.getJobID(), JobMetrics.RULE_SETS_ACCEPTED, null, PARALLELISM);
                List<ProducerRecord<byte[], byte[]>> phaseB =
                        TestKafka.transactionRecords(txTopic, SLICE, 2 * SLICE, now, random, ids);
                AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
                expectedAlerts = new HashSet<>();
                for (ProducerRecord<byte[], byte[]> r : phaseB) {
                    Transaction tx = codec.decode(r.value());
                    if (tx.getAmountMinor() > 5_000) {
                        expectedAlerts.add(tx.getTransactionId());
                    }
                }
                TestKafka.produce(broker.bootstrapServers(), phaseB);
                TestKafka.awaitRecordsWritten(broker.bootstrapServers(), scoresTopic, 2 * SLICE);
                TestKafka.awaitRecordsWritten(broker.bootstrapServers(), alertsTopic, expectedAlerts.size());
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }

            List<FraudScore> scores = TestKafka.readAll(broker.bootstrapServers(), scoresTopic, FraudScore.class);
            assertThat(scores).hasSize(2 * SLICE);
            assertThat(scores.stream().map(FraudScore::getTransactionId).collect(Collectors.toSet())).isEqualTo(ids);
            List<FraudAlert> alerts = TestKafka.readAll(broker.bootstrapServers(), alertsTopic, FraudAlert.class);
            assertThat(expectedAlerts).hasSizeBetween(SLICE / 4, 3 * SLICE / 4);
            assertThat(alerts).hasSize(expectedAlerts.size());
            assertThat(alerts.stream().map(a -> a.getScore().getTransactionId()).collect(Collectors.toSet()))
                    .isEqualTo(expectedAlerts);
            long cards = alerts.stream().map(a -> a.getScore().getCardId()).distinct().count();
            assertThat(cards).as("cards with rule alerts (each card has one event per phase)")
                    .isEqualTo(expectedAlerts.size());
            assertThat(alerts).allSatisfy(a -> {
                assertThat(a.getRules()).extracting(r -> r.getName()).containsExactly("big_amount");
                assertThat(a.getRuleSetVersion()).isEqualTo(3L);
                assertThat(a.getModelAlert()).isFalse();
                assertThat(a.getContributions()).isNotEmpty(); // the model's explanation comes along
            });
            assertThat(counter(job.getJobID(), JobMetrics.RULE_HITS, null)).isEqualTo(expectedAlerts.size());
            assertThat(counter(job.getJobID(), JobMetrics.RULE_EVALUATIONS, null)).isEqualTo(SLICE);
        }
    }

    static RuleDefinition rule(String name, int priority, RuleAction action, String expression) {
        return RuleDefinition.newBuilder().setName(name).setPriority(priority).setAction(action)
                .setExpression(expression).setEnabled(true).setDescription("").build();
    }

    static RuleSet set(long version, PrivateKey key, RuleDefinition... rules) {
        return RuleSetSigner.sign(RuleSet.newBuilder().setName("default").setVersion(version)
                .setRules(List.of(rules)).setIssuedAt(Instant.EPOCH).setIssuedBy("RulesIT").setSignature(null).build(),
                key, Instant.now());
    }

    private static void produce(KafkaBroker broker, String topic, RuleSet... sets) throws Exception {
        AvroCodec<RuleSet> codec = AvroCodec.of(RuleSet.class);
        List<ProducerRecord<byte[], byte[]>> records = new java.util.ArrayList<>();
        for (RuleSet s : sets) {
            records.add(new ProducerRecord<>(topic, 0, s.getName().getBytes(StandardCharsets.UTF_8), codec.encode(s)));
        }
        TestKafka.produce(broker.bootstrapServers(), records);
    }

    /** Waits (bounded) until a counter, summed over subtasks (and matching {@code reason}), reaches {@code atLeast}. */
    private static void awaitCounter(JobID job, String name, String reason, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        long seen;
        while ((seen = counter(job, name, reason)) < atLeast) {
            assertThat(System.nanoTime()).as("%s{%s} reached %d (seen %d)", name, reason, atLeast, seen)
                    .isLessThan(deadline);
            Thread.sleep(50); // polling a metric; there is nothing to wait on
        }
        assertThat(seen).as("%s{%s}", name, reason).isEqualTo(atLeast);
    }

    private static long counter(JobID job, String name, String reason) {
        long sum = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> g : METRICS.getMetricsByGroup().entrySet()) {
            Metric metric = g.getValue().get(name);
            if (metric instanceof Counter c && job.toString().equals(g.getKey().getAllVariables().get("<job_id>"))
                    && (reason == null || reason.equals(g.getKey().getAllVariables().get("<reason>")))) {
                sum += c.getCount();
            }
        }
        return sum;
    }
}
