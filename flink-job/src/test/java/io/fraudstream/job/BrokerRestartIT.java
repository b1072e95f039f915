package io.fraudstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.FraudScore;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.testkit.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka broker is stopped and restarted (same port, same data) while the job is scoring 200,000
 * transactions. Exactly-once: the committed scores are exactly the inputs. At-least-once: nothing is
 * lost; duplicates are counted and logged (docs/RELIABILITY.md).
 */
class BrokerRestartIT {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerRestartIT.class);
    private static final int COUNT = 200_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    Path dir;

    @Test
    void exactlyOnceLosesAndDuplicatesNothingAcrossABrokerRestart() throws Exception {
        Result r = run("EXACTLY_ONCE");
        assertThat(r.lost).as("lost").isZero();
        assertThat(r.duplicates).as("duplicates").isZero();
    }

    @Test
    void atLeastOnceLosesNothingAcrossABrokerRestart() throws Exception {
        Result r = run("AT_LEAST_ONCE");
        assertThat(r.lost).as("lost").isZero();
    }

    private record Result(long lost, long duplicates) {}

    private Result run(String delivery) throws Exception {
        int port = io.fraudstream.testkit.FreePorts.pick(); // bound again by the restarted broker
        Path data = Files.createDirectories(dir.resolve("kafka"));
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(port).dataDir(data).start();
        try {
            Map<String, String> values = new HashMap<>(SignedModelStore.create(dir, "v000001", 0.5));
            values.putAll(SignedModelStore.topics("restart"));
            values.put(JobOptions.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
            values.put(JobOptions.BOUNDED.key(), "true");
            values.put(JobOptions.PARALLELISM.key(), "2");
            values.put(JobOptions.DELIVERY.key(), delivery);
            values.put(JobOptions.CHECKPOINT_INTERVAL.key(), "1 s");
            JobConfig config = JobConfig.fromMap(values);
            broker.createTopics(SignedModelStore.topicPartitions("restart"), Duration.ofSeconds(60));

            Set<String> ids = new HashSet<>();
            List<ProducerRecord<byte[], byte[]>> records = TestKafka.transactionRecords(
                    config.get(JobOptions.TRANSACTIONS_TOPIC), 0, COUNT, System.currentTimeMillis(), new Random(11), ids);
            TestKafka.produce(broker.bootstrapServers(), records);

            Configuration flink = FraudScoringJob.flinkConfiguration(config);
            flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 50);
            flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
            FraudScoringJob.build(env, config);
            JobClient job = env.executeAsync("broker-restart-" + delivery);

            String scoresTopic = config.get(JobOptions.SCORES_TOPIC);
            TestKafka.awaitRecordsWritten(broker.bootstrapServers(), scoresTopic, COUNT / 4);
            long stopped = System.nanoTime();
            broker.close();
            broker = EmbeddedKafkaBroker.builder().port(port).dataDir(data).start();
            double downSeconds = (System.nanoTime() - stopped) / 1e9;
            long before = TestKafka.recordsWritten(broker.bootstrapServers(), scoresTopic);
            long restarted = System.nanoTime();
            TestKafka.awaitRecordsWritten(broker.bootstrapServers(), scoresTopic, before + 1);
            double recoverySeconds = (System.nanoTime() - restarted) / 1e9;

            job.getJobExecutionResult().get(10, TimeUnit.MINUTES);

            List<String> scored = TestKafka.readAll(broker.bootstrapServers(), scoresTopic, FraudScore.class).stream()
                    .map(FraudScore::getTransactionId).toList();
            Set<String> distinct = new HashSet<>(scored);
            long lost = ids.stream().filter(id -> !distinct.contains(id)).count();
            long duplicates = scored.size() - distinct.size();
            long extra = distinct.stream().filter(id -> !ids.contains(id)).count();
            assertThat(extra).as("scores for transactions never sent").isZero();
            if (lost > 0) {
                long deadLetters = TestKafka.readAll(broker.bootstrapServers(), config.get(JobOptions.DEAD_LETTER_TOPIC),
                        io.fraudstream.avro.DeadLetter.class).size();
                List<Integer> lostIndexes = ids.stream().filter(id -> !distinct.contains(id))
                        .map(id -> Integer.parseInt(id.substring(3))).sorted().toList();
                LOG.warn("lost {} (dead letters {}): first {} last {} sample {}", lost, deadLetters, lostIndexes.get(0),
                        lostIndexes.get(lostIndexes.size() - 1), lostIndexes.subList(0, Math.min(20, lostIndexes.size())));
            }
            LOG.info("broker restart ({}): {} transactions, broker down {} s, first new score {} s after restart, "
                            + "lost {}, duplicates {}", delivery, COUNT, String.format("%.1f", downSeconds),
                    String.format("%.1f", recoverySeconds), lost, duplicates);
            return new Result(lost, duplicates);
        } finally {
            broker.close();
        }
    }
}
