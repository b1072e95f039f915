package io.fraudstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.avro.FraudScore;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.testkit.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Kafka security settings reach every client of the job: a broker that requires SASL/PLAIN. */
class SaslIT {

    private static final Map<String, String> USERS = Map.of("admin", "admin-secret", "fraud-job", "job-secret");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path dir;

    private static EmbeddedKafkaBroker broker;
    private static Map<String, Object> admin;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.builder()
                .saslPlain(new java.util.LinkedHashMap<>(Map.of("admin", USERS.get("admin"))) {{
                    put("fraud-job", USERS.get("fraud-job"));
                }})
                .start();
        admin = broker.clientProperties();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static JobConfig config(String prefix, String password) throws Exception {
        Map<String, String> values = new HashMap<>(SignedModelStore.create(dir.resolve(prefix), "v000001", 0.5));
        values.putAll(SignedModelStore.topics(prefix));
        values.put(JobOptions.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
        values.put(JobOptions.BOUNDED.key(), "true");
        values.put(JobOptions.PARALLELISM.key(), "2");
        EmbeddedKafkaBroker.saslClientProperties("fraud-job", password)
                .forEach((k, v) -> values.put(JobOptions.KAFKA_PROPERTIES_PREFIX + k, v.toString()));
        broker.createTopics(SignedModelStore.topicPartitions(prefix), Duration.ofSeconds(60));
        return JobConfig.fromMap(values);
    }

    private static StreamExecutionEnvironment env(JobConfig config) {
        Configuration flink = FraudScoringJob.flinkConfiguration(config);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        FraudScoringJob.build(env, config);
        return env;
    }

    @Test
    void theJobAuthenticatesWithTheConfiguredCredentials() throws Exception {
        JobConfig config = config("sasl", USERS.get("fraud-job"));
        Set<String> ids = new HashSet<>();
        List<ProducerRecord<byte[], byte[]>> records = TestKafka.transactionRecords(
                config.get(JobOptions.TRANSACTIONS_TOPIC), 0, 2_000, System.currentTimeMillis(), new Random(3), ids);
        TestKafka.produce(broker.bootstrapServers(), admin, records);

        env(config).execute("sasl");

        List<FraudScore> scores = TestKafka.readAll(broker.bootstrapServers(), admin,
                config.get(JobOptions.SCORES_TOPIC), FraudScore.class);
        assertThat(scores).extracting(FraudScore::getTransactionId).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void wrongCredentialsFailTheJobInsteadOfScoringNothingQuietly() throws Exception {
        JobConfig config = config("sasl-bad", "not-the-password");
        assertThatThrownBy(() -> env(config).execute("sasl-bad"))
                .hasStackTraceContaining("Authentication failed");
    }
}
