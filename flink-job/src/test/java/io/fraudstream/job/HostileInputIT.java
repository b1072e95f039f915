package io.fraudstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.Transaction;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 100,000 hostile records interleaved with 50,000 valid ones through the job on a MiniCluster and a
 * real broker, with restarts disabled: the job must finish normally (no failure, no restart), every
 * hostile record must be in the dead-letter topic with the expected reason, every valid one scored.
 */
class HostileInputIT {

    private static final Logger LOG = LoggerFactory.getLogger(HostileInputIT.class);
    private static final int HOSTILE = 100_000;
    private static final int VALID = 50_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path dir;

    private static KafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = KafkaBrokers.start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    /** A producer with its own schema: amount as a double. Its fingerprint is unknown to fraudstream. */
    private static final Schema FOREIGN = SchemaBuilder.record("Transaction").namespace("io.fraudstream.avro")
            .fields().requiredString("transactionId").requiredString("cardId").requiredDouble("amount").endRecord();

    @Test
    void hostileRecordsAreDeadLetteredWithReasonsAndValidOnesScored() throws Exception {
        Map<String, String> values = new HashMap<>(SignedModelStore.create(dir, "v000001", 0.5));
        values.putAll(SignedModelStore.topics("hostile"));
        values.put(JobOptions.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
        values.put(JobOptions.BOUNDED.key(), "true");
        values.put(JobOptions.PARALLELISM.key(), "2");
        JobConfig config = JobConfig.fromMap(values);
        broker.createTopics(SignedModelStore.topicPartitions("hostile"), Duration.ofSeconds(60));
        String topic = config.get(JobOptions.TRANSACTIONS_TOPIC);

        AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
        BinaryMessageEncoder<GenericRecord> foreignEncoder = new BinaryMessageEncoder<>(GenericData.get(), FOREIGN);
        Random random = new Random(99);
        long now = System.currentTimeMillis();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        List<DeadLetterReason> expected = new ArrayList<>();
        Set<String> validIds = new HashSet<>();
        List<Transaction> scoredOnce = new ArrayList<>();
        int valid = 0;
        int hostile = 0;
        int hugeStrings = 0;
        while (valid < VALID || hostile < HOSTILE) {
            boolean sendValid = hostile >= HOSTILE || (valid < VALID && random.nextInt(3) == 0);
            Transaction tx = FraudScoringJobIT.transaction(valid + hostile, now, random);
            byte[] key = tx.getCardId().getBytes(StandardCharsets.UTF_8);
            if (sendValid) {
                if (random.nextInt(10) == 0) {
                    // Out of order within the card: valid, must be scored.
                    tx.setEventTime(tx.getEventTime().minus(Duration.ofHours(1 + random.nextInt(48))));
                }
                validIds.add(tx.getTransactionId());
                scoredOnce.add(tx);
                records.add(new ProducerRecord<>(topic, key, codec.encode(tx)));
                expected.add(null);
                valid++;
                continue;
            }
            hostile++;
            int kind = random.nextInt(15);
            DeadLetterReason reason;
            byte[] value;
            switch (kind) {
                case 0 -> { value = randomBytes(random, 1 + random.nextInt(300)); reason = DeadLetterReason.UNDECODABLE; }
                case 1 -> { byte[] ok = codec.encode(tx); value = java.util.Arrays.copyOf(ok, 10 + random.nextInt(ok.length - 10)); reason = DeadLetterReason.UNDECODABLE; }
                case 2 -> { value = codec.encode(tx); value[2 + random.nextInt(8)] ^= (byte) (1 + random.nextInt(255)); reason = DeadLetterReason.UNKNOWN_SCHEMA; }
                case 3 -> {
                    double[] amounts = {Double.NaN, Double.POSITIVE_INFINITY, -1.0, 1e308};
                    GenericRecord r = new GenericData.Record(FOREIGN);
                    r.put("transactionId", tx.getTransactionId());
                    r.put("cardId", tx.getCardId());
                    r.put("amount", amounts[random.nextInt(amounts.length)]);
                    value = toBytes(foreignEncoder.encode(r));
                    reason = DeadLetterReason.UNKNOWN_SCHEMA;
                }
                case 4 -> { tx.setAmountMinor(-1 - random.nextInt(1_000_000)); value = codec.encode(tx); reason = DeadLetterReason.INVALID_AMOUNT; }
                case 5 -> { tx.setAmountMinor(Long.MAX_VALUE); value = codec.encode(tx); reason = DeadLetterReason.INVALID_AMOUNT; }
                case 6 -> { tx.setMerchantLat(91.0); tx.setMerchantLon(0.0); value = codec.encode(tx); reason = DeadLetterReason.INVALID_COORDINATES; }
                case 7 -> { tx.setHomeLat(0.0); tx.setHomeLon(181.0); value = codec.encode(tx); reason = DeadLetterReason.INVALID_COORDINATES; }
                case 8 -> { tx.setEventTime(Instant.EPOCH); value = codec.encode(tx); reason = DeadLetterReason.INVALID_TIMESTAMP; }
                case 9 -> { tx.setEventTime(Instant.parse("9999-06-30T00:00:00Z")); value = codec.encode(tx); reason = DeadLetterReason.INVALID_TIMESTAMP; }
                case 10 -> { tx.setCardId(""); value = codec.encode(tx); reason = DeadLetterReason.MISSING_FIELD; }
                case 11 -> {
                    // Megabyte strings are few: they are about a megabyte each on the broker.
                    int length = hugeStrings++ < 20 ? 1_000_000 : 300 + random.nextInt(5_000);
                    tx.setMerchantCategory("x".repeat(length));
                    value = codec.encode(tx);
                    reason = DeadLetterReason.INVALID_FIELD;
                }
                case 12 -> { value = new byte[0]; reason = DeadLetterReason.UNDECODABLE; }
                case 13 -> { value = null; reason = DeadLetterReason.UNDECODABLE; }
                default -> {
                    if (scoredOnce.isEmpty()) {
                        value = randomBytes(random, 5);
                        reason = DeadLetterReason.UNDECODABLE;
                    } else {
                        // The same transaction again (same card, same id): scored once, then dead-lettered.
                        Transaction again = scoredOnce.get(random.nextInt(scoredOnce.size()));
                        key = again.getCardId().getBytes(StandardCharsets.UTF_8);
                        value = codec.encode(again);
                        reason = DeadLetterReason.DUPLICATE;
                    }
                }
            }
            records.add(new ProducerRecord<>(topic, key, value));
            expected.add(reason);
        }
        List<RecordMetadata> acks = TestKafka.produce(broker.bootstrapServers(), records);
        Map<String, DeadLetterReason> expectedAt = new HashMap<>();
        for (int i = 0; i < acks.size(); i++) {
            if (expected.get(i) != null) {
                expectedAt.put(acks.get(i).partition() + "@" + acks.get(i).offset(), expected.get(i));
            }
        }

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        Configuration flink = FraudScoringJob.flinkConfiguration(config);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        FraudScoringJob.build(env, config);
        long t0 = System.nanoTime();
        env.execute("hostile"); // with restarts disabled, any failure fails the test here
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.gc();
        long heapAfter = memory.getHeapMemoryUsage().getUsed();

        List<FraudScore> scores = TestKafka.readAll(broker.bootstrapServers(), config.get(JobOptions.SCORES_TOPIC), FraudScore.class);
        List<DeadLetter> deadLetters = TestKafka.readAll(broker.bootstrapServers(), config.get(JobOptions.DEAD_LETTER_TOPIC), DeadLetter.class);
        Map<String, DeadLetterReason> actual = deadLetters.stream().collect(Collectors.toMap(
                d -> d.getSourcePartition() + "@" + d.getSourceOffset(), DeadLetter::getReason));
        Map<DeadLetterReason, Long> byReason = new TreeMap<>(deadLetters.stream()
                .collect(Collectors.groupingBy(DeadLetter::getReason, () -> new EnumMap<>(DeadLetterReason.class), Collectors.counting())));
        LOG.info("hostile input: {} records ({} hostile, {} valid) in {} s; dead letters by reason {}; heap used {} MB -> {} MB",
                records.size(), HOSTILE, VALID, String.format("%.1f", seconds), byReason, heapBefore >> 20, heapAfter >> 20);

        assertThat(scores.stream().map(FraudScore::getTransactionId).toList())
                .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(validIds);
        // Compared entry by entry so a failure names the few records that differ, not 100,000.
        Map<String, String> mismatches = new TreeMap<>();
        expectedAt.forEach((at, reason) -> {
            if (actual.get(at) != reason) {
                mismatches.put(at, "expected " + reason + ", got " + actual.get(at));
            }
        });
        actual.forEach((at, reason) -> {
            if (!expectedAt.containsKey(at)) {
                mismatches.put(at, "unexpected dead letter " + reason);
            }
        });
        assertThat(mismatches).as("dead letters that differ (%d)", mismatches.size()).isEmpty();
        assertThat(deadLetters).allSatisfy(d -> assertThat(d.getPayload().remaining())
                .isLessThanOrEqualTo(config.get(JobOptions.DEAD_LETTER_MAX_PAYLOAD)));
        assertThat(deadLetters).filteredOn(d -> d.getPayloadTruncated()).hasSizeGreaterThanOrEqualTo(20);
        // Bounded heap: state is a few thousand short card histories; nothing may keep hostile payloads.
        assertThat(heapAfter - heapBefore).as("heap growth in bytes").isLessThan(512L << 20);
    }

    /** Random bytes that do not start with the single-object marker (those would be UNKNOWN_SCHEMA). */
    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        if (b[0] == (byte) 0xC3) {
            b[0] = 0;
        }
        return b;
    }

    private static byte[] toBytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.get(b);
        return b;
    }
}
