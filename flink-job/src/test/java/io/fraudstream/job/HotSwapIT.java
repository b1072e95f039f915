package io.fraudstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.job.scoring.TestModels;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot swap under load: 200,000 transactions stream through the running job while three model updates
 * are published on the model-updates topic — a new champion, a tampered bundle, and a shadow. No score
 * is lost or duplicated, every score carries a legitimately published champion version, versions never
 * go backwards within a card, the tampered bundle is never used, and the shadow topic receives the
 * candidate's scores.
 */
class HotSwapIT {

    private static final int COUNT = 200_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    Path dir;

    @Test
    void modelUpdatesUnderLoadSwapWithoutLosingMixingOrUsingATamperedBundle() throws Exception {
        try (KafkaBroker broker = KafkaBrokers.start()) {
            Path storeDir = Files.createDirectories(dir.resolve("store"));
            KeyPair keys = SigningKeys.generate();
            SigningKeys.writePublicKey(keys.getPublic(), dir.resolve("model.pub"));
            ModelStore store = new ModelStore(storeDir);
            ModelDescriptor v1 = store.publish(TestModels.model("v000001", 0.5, 1024), ModelRole.CHAMPION, keys.getPrivate());
            AvroJson.write(v1, dir.resolve("champion.json"));
            ModelDescriptor v2 = store.publish(TestModels.model("v000002", 0.5, 64), ModelRole.CHAMPION, keys.getPrivate());
            ModelDescriptor v3 = store.publish(TestModels.model("v000003", 0.5, 1024), ModelRole.CHAMPION, keys.getPrivate());
            Path v3File = storeDir.resolve(v3.getLocation());
            byte[] bytes = Files.readAllBytes(v3File);
            bytes[bytes.length / 2] ^= 0x04; // tampered after signing
            Files.write(v3File, bytes);
            ModelDescriptor shadow = store.publish(TestModels.model("v000004", 0.5, 1024), ModelRole.SHADOW, keys.getPrivate());

            Map<String, String> values = new HashMap<>(SignedModelStore.topics("swap"));
            values.put(JobOptions.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
            values.put(JobOptions.MODEL_STORE.key(), storeDir.toString());
            values.put(JobOptions.MODEL_PUBLIC_KEY.key(), dir.resolve("model.pub").toString());
            values.put(JobOptions.MODEL_INITIAL_DESCRIPTOR.key(), dir.resolve("champion.json").toString());
            values.put(JobOptions.PARALLELISM.key(), "2");
            // Slices are produced at once and the job works through each: the shadow must not skip what arrives late.
            values.put(JobOptions.SHADOW_MAX_LAG.key(), "0 s");
            JobConfig config = JobConfig.fromMap(values);
            broker.createTopics(SignedModelStore.topicPartitions("swap"), Duration.ofSeconds(60));

            Configuration flink = FraudScoringJob.flinkConfiguration(config);
            flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
            FraudScoringJob.build(env, config);
            JobClient job = env.executeAsync("hot-swap");
            try {
                AvroCodec<ModelDescriptor> descriptorCodec = AvroCodec.of(ModelDescriptor.class);
                Random random = new Random(5);
                long now = System.currentTimeMillis();
                Set<String> ids = new HashSet<>();
                String txTopic = config.get(JobOptions.TRANSACTIONS_TOPIC);
                String modelsTopic = config.get(JobOptions.MODEL_UPDATES_TOPIC);
                String scoresTopic = config.get(JobOptions.SCORES_TOPIC);
                // Four slices of transactions; a model update is published after each of the first three
                // has been scored, so every update lands while transactions are flowing.
                List<ModelDescriptor> updates = List.of(v2, v3, shadow);
                int perSlice = COUNT / 4;
                for (int slice = 0; slice < 4; slice++) {
                    List<ProducerRecord<byte[], byte[]>> records = TestKafka.transactionRecords(
                            txTopic, slice * perSlice, (slice + 1) * perSlice, now, random, ids);
                    if (slice > 0) {
                        ModelDescriptor update = updates.get(slice - 1);
                        records.add(perSlice / 2, new ProducerRecord<>(modelsTopic,
                                update.getRole().name().getBytes(StandardCharsets.UTF_8), descriptorCodec.encode(update)));
                    }
                    TestKafka.produce(broker.bootstrapServers(), records);
                }
                TestKafka.awaitRecordsWritten(broker.bootstrapServers(), scoresTopic, COUNT);
                TestKafka.awaitRecordsWritten(broker.bootstrapServers(), config.get(JobOptions.SHADOW_SCORES_TOPIC), 1);
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }

            List<FraudScore> scores = TestKafka.readAll(broker.bootstrapServers(), config.get(JobOptions.SCORES_TOPIC),
                    FraudScore.class);
            assertThat(scores.stream().map(FraudScore::getTransactionId).toList())
                    .doesNotHaveDuplicates().hasSize(COUNT);
            assertThat(scores).extracting(FraudScore::getModelVersion).containsOnly("v000001", "v000002")
                    .contains("v000001", "v000002");
            // Per card the topic order is the scoring order (key = card): versions never go backwards.
            Map<String, String> lastVersion = new HashMap<>();
            for (FraudScore s : scores) {
                String previous = lastVersion.put(s.getCardId(), s.getModelVersion());
                if (previous != null) {
                    assertThat(s.getModelVersion().compareTo(previous)).as("card %s", s.getCardId()).isGreaterThanOrEqualTo(0);
                }
            }
            List<FraudScore> shadowScores = TestKafka.readAll(broker.bootstrapServers(),
                    config.get(JobOptions.SHADOW_SCORES_TOPIC), FraudScore.class);
            assertThat(shadowScores).isNotEmpty().allSatisfy(s -> {
                assertThat(s.getModelVersion()).isEqualTo("v000004");
                assertThat(s.getModelRole()).isEqualTo(ModelRole.SHADOW);
            });
        }
    }
}
