package io.fraudstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.job.scoring.TestModels;
import io.fraudstream.model.DecisionSigner;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.AvroJson;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
 * Authenticated model control on a real broker and MiniCluster: whoever can write to {@code model-updates} but does
 * not hold the model-signing key cannot promote a gated-out shadow, retire a shadow, or replay an old (genuinely
 * signed) decision. Every attempt is refused and counted in {@code fraudstreamModelRejections} (reason
 * {@code decision_signature} or {@code replayed}), and the champion keeps scoring.
 */
class ModelControlIT {

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
    void forgedPromotionForgedRetirementAndReplayedDecisionAreRefusedCountedAndTheChampionKeepsScoring()
            throws Exception {
        try (KafkaBroker broker = KafkaBrokers.start()) {
            Path storeDir = Files.createDirectories(dir.resolve("store"));
            KeyPair keys = SigningKeys.generate();
            KeyPair attacker = SigningKeys.generate();
            SigningKeys.writePublicKey(keys.getPublic(), dir.resolve("model.pub"));
            ModelStore store = new ModelStore(storeDir);
            ModelDescriptor v1 = store.publish(TestModels.model("v000001", 0.5, 1024), ModelRole.CHAMPION,
                    keys.getPrivate());
            AvroJson.write(v1, dir.resolve("champion.json"));
            // The candidate the trainer deployed as a shadow; it will fail its gates.
            ModelDescriptor shadow = store.publish(TestModels.model("v000002", 0.5, 1024), ModelRole.SHADOW,
                    keys.getPrivate());

            Map<String, String> values = new HashMap<>(SignedModelStore.topics("control"));
            values.put(JobOptions.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
            values.put(JobOptions.MODEL_STORE.key(), storeDir.toString());
            values.put(JobOptions.MODEL_PUBLIC_KEY.key(), dir.resolve("model.pub").toString());
            values.put(JobOptions.MODEL_INITIAL_DESCRIPTOR.key(), dir.resolve("champion.json").toString());
            values.put(JobOptions.PARALLELISM.key(), Integer.toString(PARALLELISM));
            // Far above any lag of this test's fresh records: only the records stamped half an hour ago are behind.
            values.put(JobOptions.SHADOW_MAX_LAG.key(), "10 min");
            JobConfig config = JobConfig.fromMap(values);
            broker.createTopics(SignedModelStore.topicPartitions("control"), Duration.ofSeconds(60));
            String txTopic = config.get(JobOptions.TRANSACTIONS_TOPIC);
            String modelsTopic = config.get(JobOptions.MODEL_UPDATES_TOPIC);
            String scoresTopic = config.get(JobOptions.SCORES_TOPIC);
            String shadowTopic = config.get(JobOptions.SHADOW_SCORES_TOPIC);

            Configuration flink = FraudScoringJob.flinkConfiguration(config);
            flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
            FraudScoringJob.build(env, config);
            JobClient job = env.executeAsync("model-control");
            Set<String> phaseA2Ids = new HashSet<>();
            try {
                Random random = new Random(11);
                long now = System.currentTimeMillis();
                Set<String> ids = new HashSet<>();

                // Phase A: the genuine shadow, then a promotion of it signed with a key the job does not trust, an
                // unsigned promotion (as a v1 descriptor would be), and a RETIRED made by flipping the role of the
                // genuine descriptor (its decision signature no longer verifies).
                ModelDescriptor foreignPromotion = DecisionSigner.sign(
                        ModelDescriptor.newBuilder(shadow).setRole(ModelRole.CHAMPION).build(),
                        attacker.getPrivate(), Instant.now());
                ModelDescriptor unsignedPromotion = ModelDescriptor.newBuilder(shadow).setRole(ModelRole.CHAMPION)
                        .setIssuedAt(null).setDecisionSignature(null).build();
                ModelDescriptor flippedRetirement = ModelDescriptor.newBuilder(shadow).setRole(ModelRole.RETIRED)
                        .build();
                produceDescriptors(broker, modelsTopic, shadow, foreignPromotion, unsignedPromotion, flippedRetirement);
                awaitRejections(job.getJobID(), "decision_signature", 3L * PARALLELISM);
                TestKafka.produce(broker.bootstrapServers(),
                        TestKafka.transactionRecords(txTopic, 0, SLICE, now, random, ids));
                TestKafka.awaitRecordsWritten(broker.bootstrapServers(), scoresTopic, SLICE);
                TestKafka.awaitRecordsWritten(broker.bootstrapServers(), shadowTopic, 1);

                // Phase A2: transactions whose Kafka records are stamped 30 min ago reach the job far behind
                // (shadow.max-lag): the champion scores every one, the shadow none, and each skip is counted.
                long stamped = System.currentTimeMillis() - TimeUnit.MINUTES.toMillis(30);
                TestKafka.produce(broker.bootstrapServers(),
                        TestKafka.transactionRecords(txTopic, SLICE, 2 * SLICE, now, random, phaseA2Ids).stream()
                                .map(r -> new ProducerRecord<>(r.topic(), null, stamped, r.key(), r.value()))
                                .toList());
                TestKafka.awaitRecordsWritten(broker.bootstrapServers(), scoresTopic, 2 * SLICE);
                awaitCounter(job.getJobID(), JobMetrics.SHADOW_SKIPPED, SLICE);

                // Phase B: the trainer retires the shadow (genuine), then the old SHADOW decision is replayed.
                ModelDescriptor retirement = DecisionSigner.sign(
                        ModelDescriptor.newBuilder(shadow).setRole(ModelRole.RETIRED).build(), keys.getPrivate(),
                        Instant.now());
                produceDescriptors(broker, modelsTopic, retirement, shadow);
                awaitRejections(job.getJobID(), "replayed", PARALLELISM);
                long shadowScoresBefore = TestKafka.recordsWritten(broker.bootstrapServers(), shadowTopic);
                TestKafka.produce(broker.bootstrapServers(),
                        TestKafka.transactionRecords(txTopic, 2 * SLICE, 3 * SLICE, now, random, ids));
                TestKafka.awaitRecordsWritten(broker.bootstrapServers(), scoresTopic, 3 * SLICE);
                assertThat(TestKafka.recordsWritten(broker.bootstrapServers(), shadowTopic))
                        .as("no shadow scores after the genuine retirement (the replayed SHADOW was refused)")
                        .isEqualTo(shadowScoresBefore);
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }

            List<FraudScore> scores = TestKafka.readAll(broker.bootstrapServers(), scoresTopic, FraudScore.class);
            assertThat(scores).hasSize(3 * SLICE).extracting(FraudScore::getModelVersion).containsOnly("v000001");
            List<FraudScore> shadowScores = TestKafka.readAll(broker.bootstrapServers(), shadowTopic, FraudScore.class);
            assertThat(shadowScores).isNotEmpty().extracting(FraudScore::getModelVersion).containsOnly("v000002");
            assertThat(shadowScores).extracting(FraudScore::getTransactionId)
                    .as("the shadow scored none of the transactions that arrived behind")
                    .doesNotContainAnyElementsOf(phaseA2Ids);
        }
    }

    private static void produceDescriptors(KafkaBroker broker, String topic, ModelDescriptor... descriptors)
            throws Exception {
        AvroCodec<ModelDescriptor> codec = AvroCodec.of(ModelDescriptor.class);
        List<ProducerRecord<byte[], byte[]>> records = new java.util.ArrayList<>();
        for (ModelDescriptor d : descriptors) {
            records.add(new ProducerRecord<>(topic, 0, d.getRole().name().getBytes(StandardCharsets.UTF_8),
                    codec.encode(d)));
        }
        TestKafka.produce(broker.bootstrapServers(), records);
    }

    /** Waits (bounded) until the counter {@code name}, summed over subtasks, reaches {@code expected}; then equal. */
    private static void awaitCounter(JobID job, String name, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        long seen;
        while ((seen = counter(job, name)) < expected) {
            assertThat(System.nanoTime()).as("%s reached %d (seen %d)", name, expected, seen).isLessThan(deadline);
            Thread.sleep(50); // polling a metric; there is nothing to wait on
        }
        assertThat(seen).as(name).isEqualTo(expected);
    }

    private static long counter(JobID job, String name) {
        long sum = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> g : METRICS.getMetricsByGroup().entrySet()) {
            if (g.getValue().get(name) instanceof Counter c
                    && job.toString().equals(g.getKey().getAllVariables().get("<job_id>"))) {
                sum += c.getCount();
            }
        }
        return sum;
    }

    /** Waits (bounded) until the rejection counters with {@code reason}, summed over subtasks, reach {@code atLeast}. */
    private static void awaitRejections(JobID job, String reason, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        long seen;
        while ((seen = rejections(job, reason)) < atLeast) {
            assertThat(System.nanoTime()).as("%s rejections reached %d (seen %d)", reason, atLeast, seen)
                    .isLessThan(deadline);
            Thread.sleep(50); // polling a metric; there is nothing to wait on
        }
        assertThat(seen).as("%s rejections", reason).isEqualTo(atLeast);
    }

    private static long rejections(JobID job, String reason) {
        long sum = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> g : METRICS.getMetricsByGroup().entrySet()) {
            Metric metric = g.getValue().get(JobMetrics.MODEL_REJECTIONS);
            if (metric instanceof Counter c && job.toString().equals(g.getKey().getAllVariables().get("<job_id>"))
                    && reason.equals(g.getKey().getAllVariables().get("<reason>"))) {
                sum += c.getCount();
            }
        }
        return sum;
    }
}
