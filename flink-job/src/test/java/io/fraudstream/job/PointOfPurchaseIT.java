package io.fraudstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.Channel;
import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.Decision;
import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.LabelValue;
import io.fraudstream.avro.Transaction;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live point-of-purchase path end to end, on a real broker and a MiniCluster, with the job wired by
 * {@link FraudScoringJob#build}: fraud labels on their topic reach the scoring of later transactions at the same
 * merchant (and only there), an undecodable label is dead-lettered with its reason, and the alert says why.
 *
 * <p>The champion weighs only amount, night time and the merchant's frauds over 7 days, so a transaction alerts
 * exactly when the 20 reported frauds of its merchant are visible to it.
 */
class PointOfPurchaseIT {

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

    private static Transaction transaction(String id, String card, String merchant, long time) {
        return Transaction.newBuilder()
                .setTransactionId(id).setCardId(card).setAccountId("acct-" + card)
                .setEventTime(Instant.ofEpochMilli(time)).setAmountMinor(20_00).setCurrency("USD")
                .setMerchantId(merchant).setMerchantCategory("grocery_pos").setChannel(Channel.CARD_PRESENT)
                .setMerchantLat(40.7).setMerchantLon(-74.0).setHomeLat(40.7).setHomeLon(-74.0).setCountry("US")
                .setTerminalId(null)
                .build();
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, Transaction tx) {
        return new ProducerRecord<>(topic, tx.getCardId().getBytes(StandardCharsets.UTF_8),
                AvroCodec.of(Transaction.class).encode(tx));
    }

    @Test
    void reportedFraudsAtAMerchantRaiseTheScoresOfLaterTransactionsThereOnly() throws Exception {
        String prefix = "pop";
        Map<String, String> values = new HashMap<>(SignedModelStore.create(dir, "pop-000001", 0.5, true));
        values.putAll(SignedModelStore.topics(prefix));
        values.put(JobOptions.LABELS_TOPIC.key(), prefix + "-labels");
        values.put(JobOptions.POP_ENABLED.key(), "true");
        values.put(JobOptions.POP_FLUSH_INTERVAL.key(), "200 ms");
        values.put(JobOptions.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
        values.put(JobOptions.PARALLELISM.key(), "2");
        values.put(JobOptions.CHECKPOINT_INTERVAL.key(), "2 s");
        JobConfig config = JobConfig.fromMap(values);
        Map<String, Integer> topics = new HashMap<>(SignedModelStore.topicPartitions(prefix));
        topics.put(prefix + "-labels", 2);
        broker.createTopics(topics, Duration.ofSeconds(60));
        String in = config.get(JobOptions.TRANSACTIONS_TOPIC);
        String bootstrap = broker.bootstrapServers();

        long now = System.currentTimeMillis();
        AvroCodec<FraudLabel> labels = AvroCodec.of(FraudLabel.class);
        List<ProducerRecord<byte[], byte[]>> labelRecords = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            FraudLabel label = FraudLabel.newBuilder().setTransactionId("old-" + i).setCardId("victim-" + i)
                    .setLabel(LabelValue.FRAUD).setReportedAt(Instant.ofEpochMilli(now - Duration.ofHours(3).toMillis()))
                    .setSource("CHARGEBACK").setMerchantId("m-hot").setTerminalId(null)
                    .setTransactionTime(Instant.ofEpochMilli(now - Duration.ofDays(8).toMillis())).build();
            labelRecords.add(new ProducerRecord<>(prefix + "-labels", label.getCardId().getBytes(StandardCharsets.UTF_8),
                    labels.encode(label)));
        }
        labelRecords.add(new ProducerRecord<>(prefix + "-labels", null, "not a label".getBytes(StandardCharsets.UTF_8)));
        TestKafka.produce(bootstrap, labelRecords);

        Configuration flink = FraudScoringJob.flinkConfiguration(config);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        FraudScoringJob.build(env, config);
        JobClient job = env.executeAsync("point-of-purchase");
        try {
            // The labels reach the scoring side asynchronously: probe the hot merchant on every partition (so on
            // every enrichment subtask) until one round of probes alerts everywhere.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            int partitions = SignedModelStore.topicPartitions(prefix).get(in);
            int probes = 0;
            for (int round = 0; ; round++) {
                List<ProducerRecord<byte[], byte[]>> roundRecords = new ArrayList<>();
                List<String> ids = new ArrayList<>();
                for (int p = 0; p < partitions; p++) {
                    Transaction probe = transaction("probe-" + round + "-" + p, "probe-card-" + round + "-" + p, "m-hot",
                            now - 60_000);
                    ids.add(probe.getTransactionId());
                    roundRecords.add(new ProducerRecord<>(in, p, probe.getCardId().getBytes(StandardCharsets.UTF_8),
                            AvroCodec.of(Transaction.class).encode(probe)));
                }
                TestKafka.produce(bootstrap, roundRecords);
                probes += partitions;
                TestKafka.awaitRecordsWritten(bootstrap, config.get(JobOptions.SCORES_TOPIC), probes);
                long alerted = TestKafka.readAll(bootstrap, config.get(JobOptions.SCORES_TOPIC), FraudScore.class).stream()
                        .filter(s -> ids.contains(s.getTransactionId()) && s.getDecision() == Decision.ALERT).count();
                if (alerted == partitions) {
                    break;
                }
                assertThat(System.nanoTime()).as("a round of probes at the hot merchant alerted in time").isLessThan(deadline);
            }

            List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                batch.add(record(in, transaction("hot-" + i, "card-h" + i, "m-hot", now - 30_000 + i)));
                batch.add(record(in, transaction("cold-" + i, "card-c" + i, "m-cold", now - 30_000 + i)));
            }
            TestKafka.produce(bootstrap, batch);
            TestKafka.awaitRecordsWritten(bootstrap, config.get(JobOptions.SCORES_TOPIC), probes + 200L);
            TestKafka.awaitRecordsWritten(bootstrap, config.get(JobOptions.DEAD_LETTER_TOPIC), 1);

            Map<String, Decision> decisions = new HashMap<>();
            TestKafka.readAll(bootstrap, config.get(JobOptions.SCORES_TOPIC), FraudScore.class)
                    .forEach(s -> decisions.put(s.getTransactionId(), s.getDecision()));
            for (int i = 0; i < 100; i++) {
                assertThat(decisions.get("hot-" + i)).as("hot-" + i).isEqualTo(Decision.ALERT);
                assertThat(decisions.get("cold-" + i)).as("cold-" + i).isEqualTo(Decision.PASS);
            }
            List<DeadLetter> dead = TestKafka.readAll(bootstrap, config.get(JobOptions.DEAD_LETTER_TOPIC), DeadLetter.class);
            assertThat(dead).singleElement().satisfies(d -> {
                assertThat(d.getSourceTopic()).isEqualTo(prefix + "-labels");
                assertThat(d.getReason()).isEqualTo(DeadLetterReason.UNDECODABLE);
            });
            TestKafka.awaitRecordsWritten(bootstrap, config.get(JobOptions.ALERTS_TOPIC), partitions + 100L);
            List<FraudAlert> alerts = TestKafka.readAll(bootstrap, config.get(JobOptions.ALERTS_TOPIC), FraudAlert.class);
            assertThat(alerts).filteredOn(a -> a.getScore().getTransactionId().startsWith("hot-")).hasSize(100)
                    .allSatisfy(a -> assertThat(a.getReasons())
                            .contains("merchant had 20 confirmed frauds in the last 24 hours (merchant m-hot)"));
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }
}
