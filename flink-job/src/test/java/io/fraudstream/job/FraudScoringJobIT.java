package io.fraudstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.Channel;
import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.Decision;
import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.Transaction;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.job.io.RawRecord;
import io.fraudstream.job.model.StoreModelRepository;
import io.fraudstream.job.scoring.ScoringSettings;
import io.fraudstream.job.scoring.TestModels;
import io.fraudstream.job.validation.ValidationRules;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job end to end on a Flink MiniCluster against a real Kafka broker and a real signed model
 * store: 100,000 transactions with 1% malformed records mixed in.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FraudScoringJobIT {

    private static final int VALID = 99_000;
    private static final int MALFORMED = 1_000;
    private static final double THRESHOLD = 0.5;
    static final String PAN = "4111111111111111";

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path dir;

    /** One clock for both runs, so both score the same input and can be compared. */
    private static final long NOW = System.currentTimeMillis();
    /** Scores of the first run (heap state backend), by transaction id. */
    private static final Map<String, Double> HEAP_SCORES = new java.util.concurrent.ConcurrentHashMap<>();

    private static KafkaBroker broker;
    private static Map<String, String> baseConfig;

    @BeforeAll
    static void setUp() throws Exception {
        broker = KafkaBrokers.start();
        baseConfig = new HashMap<>(SignedModelStore.create(dir, "v000001", THRESHOLD));
        baseConfig.putAll(Map.of(
                JobOptions.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers(),
                JobOptions.BOUNDED.key(), "true",
                JobOptions.PARALLELISM.key(), "2",
                JobOptions.CHECKPOINT_INTERVAL.key(), "500 ms"));
    }

    @AfterAll
    static void tearDown() {
        if (broker != null) {
            broker.close();
        }
    }

    /** Topic names and the input for one run. */
    private record Run(JobConfig config, Set<String> validIds, Map<String, DeadLetterReason> malformedAt) {}

    private static Run prepare(String prefix, Map<String, String> extra) throws Exception {
        Map<String, String> values = new HashMap<>(baseConfig);
        values.putAll(SignedModelStore.topics(prefix));
        values.putAll(extra);
        JobConfig config = JobConfig.fromMap(values);
        broker.createTopics(SignedModelStore.topicPartitions(prefix), Duration.ofSeconds(60));

        AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
        Random random = new Random(7);
        long now = NOW;
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(VALID + MALFORMED);
        List<DeadLetterReason> expectedReason = new ArrayList<>(VALID + MALFORMED);
        Set<String> validIds = new HashSet<>();
        String topic = config.get(JobOptions.TRANSACTIONS_TOPIC);
        int malformed = 0;
        for (int i = 0; i < VALID + MALFORMED; i++) {
            boolean bad = i % 100 == 50;
            Transaction tx = transaction(i, now, random);
            byte[] key = tx.getCardId().getBytes(StandardCharsets.UTF_8);
            if (!bad) {
                validIds.add(tx.getTransactionId());
                records.add(new ProducerRecord<>(topic, key, codec.encode(tx)));
                expectedReason.add(null);
                continue;
            }
            DeadLetterReason reason;
            byte[] value;
            switch (malformed++ % 12) {
                case 0 -> { value = new byte[1 + random.nextInt(200)]; random.nextBytes(value); reason = DeadLetterReason.UNDECODABLE; }
                case 1 -> { byte[] ok = codec.encode(tx); value = java.util.Arrays.copyOf(ok, 12); reason = DeadLetterReason.UNDECODABLE; }
                case 2 -> { tx.setAmountMinor(-500); value = codec.encode(tx); reason = DeadLetterReason.INVALID_AMOUNT; }
                case 3 -> { tx.setMerchantLat(91.0); tx.setMerchantLon(10.0); value = codec.encode(tx); reason = DeadLetterReason.INVALID_COORDINATES; }
                case 4 -> { value = codec.encode(tx); value[4] ^= 0x55; reason = DeadLetterReason.UNKNOWN_SCHEMA; }
                case 5 -> { tx.setEventTime(Instant.parse("9999-12-31T00:00:00Z")); value = codec.encode(tx); reason = DeadLetterReason.INVALID_TIMESTAMP; }
                case 6 -> { tx.setMerchantId(""); value = codec.encode(tx); reason = DeadLetterReason.MISSING_FIELD; }
                case 7 -> { tx.setCardId(PAN); value = codec.encode(tx); reason = DeadLetterReason.PAN_DETECTED; }
                // A PAN with another defect: before the fix, reported as that defect with payload and key.
                case 8 -> { tx.setCardId(PAN); tx.setMerchantCategory(" "); key = PAN.getBytes(StandardCharsets.UTF_8); value = codec.encode(tx); reason = DeadLetterReason.PAN_DETECTED; }
                case 9 -> { tx.setMerchantId("merchant 5555-5555-5555-4444"); value = codec.encode(tx); reason = DeadLetterReason.PAN_DETECTED; }
                case 10 -> { key = PAN.getBytes(StandardCharsets.UTF_8); value = codec.encode(tx); reason = DeadLetterReason.PAN_DETECTED; }
                default -> { value = ("{\"card\":\"4111 1111 1111 1111\",\"amount\":" + i + "}").getBytes(StandardCharsets.UTF_8); reason = DeadLetterReason.PAN_DETECTED; }
            }
            records.add(new ProducerRecord<>(topic, key, value));
            expectedReason.add(reason);
        }
        List<RecordMetadata> acks = TestKafka.produce(broker.bootstrapServers(), records);
        Map<String, DeadLetterReason> malformedAt = new HashMap<>();
        for (int i = 0; i < acks.size(); i++) {
            if (expectedReason.get(i) != null) {
                malformedAt.put(acks.get(i).partition() + "@" + acks.get(i).offset(), expectedReason.get(i));
            }
        }
        assertThat(malformedAt).hasSize(MALFORMED);
        return new Run(config, validIds, malformedAt);
    }

    static Transaction transaction(int i, long now, Random random) {
        int card = i % 2_000;
        boolean online = random.nextInt(4) == 0;
        // 5 s apart from 40 days ago: 200,000 transactions stay in the past (future ones are dead-lettered).
        long time = now - Duration.ofDays(40).toMillis() + i * 5_000L;
        // Mostly everyday amounts, a few large ones at night: some scores cross the threshold.
        long amountMinor = random.nextInt(50) == 0 ? 100_000 + random.nextInt(500_000) : 100 + random.nextInt(10_000);
        return Transaction.newBuilder()
                .setTransactionId("tx-" + i).setCardId(String.format("card-%06d", card)).setAccountId("acct-" + card)
                .setEventTime(Instant.ofEpochMilli(time)).setAmountMinor(amountMinor).setCurrency("USD")
                .setMerchantId("m-" + random.nextInt(500)).setMerchantCategory(online ? "shopping_net" : "grocery_pos")
                .setChannel(online ? Channel.ONLINE : Channel.CARD_PRESENT)
                .setMerchantLat(online ? null : 40 + random.nextDouble()).setMerchantLon(online ? null : -74 + random.nextDouble())
                .setHomeLat(40.5).setHomeLon(-73.5).setCountry("US").setTerminalId(null)
                .build();
    }

    private static List<FraudScore> assertEveryValidScoredOnceAndEveryMalformedDeadLettered(Run run) {
        String bootstrap = broker.bootstrapServers();
        List<FraudScore> scores = TestKafka.readAll(bootstrap, run.config().get(JobOptions.SCORES_TOPIC), FraudScore.class);
        List<String> scoredIds = scores.stream().map(FraudScore::getTransactionId).toList();
        assertThat(scoredIds).doesNotHaveDuplicates();
        assertThat(new HashSet<>(scoredIds)).isEqualTo(run.validIds());

        List<DeadLetter> deadLetters = TestKafka.readAll(bootstrap, run.config().get(JobOptions.DEAD_LETTER_TOPIC), DeadLetter.class);
        Map<String, DeadLetterReason> actual = deadLetters.stream().collect(Collectors.toMap(
                d -> d.getSourcePartition() + "@" + d.getSourceOffset(), DeadLetter::getReason));
        assertThat(actual).isEqualTo(run.malformedAt());
        // A full card number is never copied into any output: not in a dead letter's payload, key or message, not in
        // any key or value of any output topic; the dead letter says where it was and that it withheld the record.
        assertThat(deadLetters).allSatisfy(d -> {
            assertThat(new String(d.getPayload().array(), StandardCharsets.ISO_8859_1)).doesNotContain(PAN);
            assertThat(d.getMessage()).doesNotContain(PAN).doesNotContain("4111 1111");
        });
        assertThat(deadLetters).filteredOn(d -> d.getReason() == DeadLetterReason.PAN_DETECTED).allSatisfy(d -> {
            assertThat(d.getPayloadWithheld()).isTrue();
            assertThat(d.getPayload().remaining()).isZero();
            assertThat(d.getKey()).isNull();
            assertThat(d.getField()).isIn("cardId", "cardId, kafka key", "merchantId", "kafka key", "raw bytes");
        });
        assertThat(deadLetters).filteredOn(d -> d.getReason() == DeadLetterReason.PAN_DETECTED)
                .extracting(DeadLetter::getField).contains("cardId", "cardId, kafka key", "merchantId", "kafka key", "raw bytes");
        TestKafka.assertNoCardNumbers(bootstrap, List.of(PAN, "5555555555554444"), run.config().get(JobOptions.SCORES_TOPIC),
                run.config().get(JobOptions.ALERTS_TOPIC), run.config().get(JobOptions.SHADOW_SCORES_TOPIC),
                run.config().get(JobOptions.DEAD_LETTER_TOPIC));

        List<FraudAlert> alerts = TestKafka.readAll(bootstrap, run.config().get(JobOptions.ALERTS_TOPIC), FraudAlert.class);
        Set<String> overThreshold = scores.stream().filter(s -> s.getScore() >= THRESHOLD)
                .map(FraudScore::getTransactionId).collect(Collectors.toSet());
        assertThat(overThreshold).isNotEmpty();
        assertThat(scores).allSatisfy(s -> assertThat(s.getDecision() == Decision.ALERT).isEqualTo(s.getScore() >= THRESHOLD));
        assertThat(alerts.stream().map(a -> a.getScore().getTransactionId()).toList())
                .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(overThreshold);
        assertThat(alerts).allSatisfy(a -> assertThat(a.getReasons()).isNotEmpty());
        assertThat(alerts).allSatisfy(a -> assertThat(a.toString()).doesNotContain("4111111111111111"));
        assertThat(scores).allSatisfy(s -> assertThat(s.getCardId()).doesNotContain("4111111111111111"));
        // Nor in any log line the job wrote during the run (the test log captures everything at INFO+).
        Path log = Path.of("target", "test-logs", "flink-job.log");
        try {
            assertThat(Files.exists(log)).as("test log %s", log).isTrue();
            assertThat(Files.readString(log)).doesNotContain("4111111111111111").doesNotContain("4111 1111");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return scores;
    }

    @Test
    @Order(1)
    void atLeastOnceScoresEveryValidTransactionOnceAndDeadLettersTheRest() throws Exception {
        Run run = prepare("alo", Map.of());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                FraudScoringJob.flinkConfiguration(run.config()));
        FraudScoringJob.build(env, run.config());
        env.execute("alo");

        assertEveryValidScoredOnceAndEveryMalformedDeadLettered(run)
                .forEach(s -> HEAP_SCORES.put(s.getTransactionId(), s.getScore()));
    }

    /**
     * Exactly-once with RocksDB state (and its history cache) and a task failure: no loss, no
     * duplicates, and the same scores as the heap-backend run on the same input.
     */
    @Test
    @Order(2)
    void exactlyOnceSurvivesATaskFailureWithoutLossOrDuplicates() throws Exception {
        Run run = prepare("eos", Map.of(JobOptions.DELIVERY.key(), "EXACTLY_ONCE",
                JobOptions.TRANSACTIONAL_ID_PREFIX.key(), "eos-it", "state.backend.type", "rocksdb"));
        Configuration flink = FraudScoringJob.flinkConfiguration(run.config());
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        JobConfig config = run.config();
        env.enableCheckpointing(config.get(JobOptions.CHECKPOINT_INTERVAL).toMillis());
        env.setParallelism(2);

        // The production topology with one addition: a pass-through that fails once, mid-stream,
        // after a checkpoint has committed some output.
        FailOnce.reset();
        DataStream<RawRecord> transactions = env.fromSource(FraudScoringJob.transactionsSource(config),
                WatermarkStrategy.noWatermarks(), "transactions").map(new FailOnce(VALID / 4));
        DataStream<ModelDescriptor> models = env.fromSource(FraudScoringJob.modelUpdatesSource(config),
                WatermarkStrategy.noWatermarks(), "model-updates").setParallelism(1);
        FraudScoringPipeline.Outputs outputs = FraudScoringPipeline.build(transactions, models,
                ValidationRules.from(config), ScoringSettings.from(config), StoreModelRepository.factory(config));
        FraudScoringJob.attachSinks(outputs, config);
        env.execute("eos");

        assertThat(FailOnce.FAILED.get()).as("the failure was injected").isTrue();
        List<FraudScore> scores = assertEveryValidScoredOnceAndEveryMalformedDeadLettered(run);
        if (!HEAP_SCORES.isEmpty()) {
            assertThat(scores).allSatisfy(s -> assertThat(s.getScore())
                    .as("score of %s with RocksDB vs heap", s.getTransactionId())
                    .isEqualTo(HEAP_SCORES.get(s.getTransactionId())));
        }
    }

    /** Throws once, after a checkpoint completed and after {@code after} records passed this subtask. */
    static final class FailOnce extends RichMapFunction<RawRecord, RawRecord> implements CheckpointListener {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicLong CHECKPOINTS = new AtomicLong();
        private final long after;
        private transient long seen;

        FailOnce(long after) {
            this.after = after;
        }

        static void reset() {
            FAILED.set(false);
            CHECKPOINTS.set(0);
        }

        @Override
        public void open(OpenContext openContext) {
            seen = 0;
        }

        @Override
        public RawRecord map(RawRecord value) {
            if (++seen > after && CHECKPOINTS.get() > 0 && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after " + seen + " records");
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTS.incrementAndGet();
        }
    }
}
