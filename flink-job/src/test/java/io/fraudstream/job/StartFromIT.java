package io.fraudstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.FraudScore;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a first deployment starts reading {@code transactions} ({@code kafka.start-from}), on a real broker: a
 * bounded job stops at the end offsets as of its start, so what it scores is exactly what it started from. By default
 * (no committed offsets) a fresh job scores nothing produced before it started; {@code earliest} scores everything;
 * a timestamp scores from that time; committed offsets are honoured.
 */
class StartFromIT {

    private static final int RECORDS = 200;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path dir;

    private static KafkaBroker broker;
    private static Map<String, String> model;

    @BeforeAll
    static void start() throws Exception {
        broker = KafkaBrokers.start();
        model = SignedModelStore.create(dir, "v000001", 0.5);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    /** Produces {@link #RECORDS} transactions (ids tx-0 ...) to a run's own topics and returns its config. */
    private static JobConfig prepare(String prefix, String startFrom, List<Long> recordTimes) throws Exception {
        Map<String, String> values = new HashMap<>(model);
        values.putAll(SignedModelStore.topics(prefix));
        values.remove(JobOptions.START_FROM.key());
        if (startFrom != null) {
            values.put(JobOptions.START_FROM.key(), startFrom);
        }
        values.put(JobOptions.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
        values.put(JobOptions.BOUNDED.key(), "true");
        values.put(JobOptions.PARALLELISM.key(), "2");
        JobConfig config = JobConfig.fromMap(values);
        broker.createTopics(SignedModelStore.topicPartitions(prefix), Duration.ofSeconds(60));
        List<ProducerRecord<byte[], byte[]>> records = TestKafka.transactionRecords(config.get(JobOptions.TRANSACTIONS_TOPIC),
                0, RECORDS, System.currentTimeMillis(), new Random(3), new HashSet<>());
        if (recordTimes != null) {
            // Kafka record timestamps: the first half an hour ago, the second half a minute ago.
            List<ProducerRecord<byte[], byte[]>> timed = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                ProducerRecord<byte[], byte[]> r = records.get(i);
                timed.add(new ProducerRecord<>(r.topic(), null, recordTimes.get(i), r.key(), r.value()));
            }
            records = timed;
        }
        TestKafka.produce(broker.bootstrapServers(), records);
        return config;
    }

    private static Set<String> run(JobConfig config) throws Exception {
        Configuration flink = FraudScoringJob.flinkConfiguration(config);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        FraudScoringJob.build(env, config);
        env.execute("start-from");
        return TestKafka.readAll(broker.bootstrapServers(), config.get(JobOptions.SCORES_TOPIC), FraudScore.class)
                .stream().map(FraudScore::getTransactionId).collect(Collectors.toSet());
    }

    @Test
    void aFreshJobWithTheDefaultDoesNotScoreWhatWasProducedBeforeItStarted() throws Exception {
        // Before the fix the default read from the beginning: 200 scores of old traffic.
        assertThat(run(prepare("default", null, null))).isEmpty();
        assertThat(run(prepare("latest", "latest", null))).isEmpty();
    }

    @Test
    void earliestScoresEverything() throws Exception {
        assertThat(run(prepare("earliest", "earliest", null))).hasSize(RECORDS);
    }

    @Test
    void aTimestampStartsAtTheFirstRecordAtOrAfterIt() throws Exception {
        long now = System.currentTimeMillis();
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            times.add(i < RECORDS / 2 ? now - 1_800_000 : now - 60_000);
        }
        Set<String> scored = run(prepare("timestamp", Instant.ofEpochMilli(now - 600_000).toString(), times));
        Set<String> secondHalf = new HashSet<>();
        for (int i = RECORDS / 2; i < RECORDS; i++) {
            secondHalf.add("tx-" + i);
        }
        assertThat(scored).isEqualTo(secondHalf);
    }

    @Test
    void committedOffsetsAreHonoured() throws Exception {
        JobConfig config = prepare("committed", "committed", null);
        String topic = config.get(JobOptions.TRANSACTIONS_TOPIC);
        // The group has consumed everything but the last 5 records of each partition.
        long expected = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, config.get(JobOptions.GROUP_ID)),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            for (Map.Entry<TopicPartition, Long> end : consumer.endOffsets(parts).entrySet()) {
                long at = Math.max(0, end.getValue() - 5);
                expected += end.getValue() - at;
                commit.put(end.getKey(), new OffsetAndMetadata(at));
            }
            consumer.commitSync(commit);
        }
        assertThat(expected).isPositive();
        assertThat(run(config)).hasSize((int) expected);
    }
}
