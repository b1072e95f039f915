package io.fraudstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.DeadLetterReason;
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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Card numbers on a real broker, transactions and fraud labels, with {@code dead-letter.payload=full} (the setting
 * that keeps the most): a PAN in a field (with and without another defect), in the Kafka key, in undecodable bytes,
 * and in a fraud label never reaches any key or value of any output topic; each such record is one dead letter
 * {@code PAN_DETECTED} naming where it was, without payload or key, while other bad records keep their whole payload.
 */
class CardNumbersIT {

    private static final String PAN = "4111111111111111";
    private static final String AMEX = "378282246310005";

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

    @Test
    void noCardNumberReachesAnyOutputFromTransactionsOrLabels() throws Exception {
        String prefix = "pan";
        Map<String, String> values = new HashMap<>(SignedModelStore.create(dir, "v000001", 0.5, true));
        values.putAll(SignedModelStore.topics(prefix));
        values.put(JobOptions.LABELS_TOPIC.key(), prefix + "-labels");
        values.put(JobOptions.POP_ENABLED.key(), "true");
        values.put(JobOptions.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
        values.put(JobOptions.BOUNDED.key(), "true");
        values.put(JobOptions.PARALLELISM.key(), "2");
        values.put(JobOptions.DEAD_LETTER_PAYLOAD.key(), "full");
        JobConfig config = JobConfig.fromMap(values);
        Map<String, Integer> topics = new HashMap<>(SignedModelStore.topicPartitions(prefix));
        topics.put(prefix + "-labels", 2);
        broker.createTopics(topics, Duration.ofSeconds(60));
        String bootstrap = broker.bootstrapServers();
        String in = config.get(JobOptions.TRANSACTIONS_TOPIC);
        String labelsTopic = prefix + "-labels";

        long now = System.currentTimeMillis();
        AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
        Random random = new Random(11);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        List<String> expected = new ArrayList<>(); // per record: null (scored), a PAN place, or "!" + another reason
        Set<String> validIds = new HashSet<>();
        for (int i = 0; i < 400; i++) {
            Transaction tx = FraudScoringJobIT.transaction(i, now, random);
            byte[] key = tx.getCardId().getBytes(StandardCharsets.UTF_8);
            byte[] value;
            String where;
            switch (i % 10) {
                case 1 -> { tx.setCardId(PAN); where = "cardId"; }
                case 2 -> { tx.setCardId(PAN); tx.setMerchantCategory(" "); where = "cardId"; }
                case 3 -> { tx.setAccountId(printed(AMEX)); tx.setAmountMinor(-5); where = "accountId"; }
                case 4 -> { tx.setTerminalId("T " + PAN); where = "terminalId"; }
                case 5 -> { key = PAN.getBytes(StandardCharsets.UTF_8); where = "kafka key"; }
                case 6 -> { tx.setMerchantCategory(" "); where = "!" + DeadLetterReason.MISSING_FIELD; }
                default -> where = null;
            }
            value = codec.encode(tx);
            if (i % 10 == 7) {
                value = ("transaction;" + PAN + ";12.50;USD").getBytes(StandardCharsets.UTF_8);
                where = "raw bytes";
            }
            if (where == null) {
                validIds.add(tx.getTransactionId());
            }
            records.add(new ProducerRecord<>(in, key, value));
            expected.add(where);
        }
        List<RecordMetadata> acks = TestKafka.produce(bootstrap, records);

        AvroCodec<FraudLabel> labels = AvroCodec.of(FraudLabel.class);
        List<ProducerRecord<byte[], byte[]>> labelRecords = new ArrayList<>();
        List<String> labelExpected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            FraudLabel.Builder l = FraudLabel.newBuilder().setTransactionId("tx-" + i).setCardId("card-00000" + (i % 10))
                    .setLabel(LabelValue.FRAUD).setReportedAt(Instant.ofEpochMilli(now - 3_600_000)).setSource("CHARGEBACK")
                    .setMerchantId("m-" + i).setTerminalId(null);
            byte[] key = l.getCardId().getBytes(StandardCharsets.UTF_8);
            String where = null;
            switch (i % 4) {
                case 1 -> { l.setCardId(PAN); where = "cardId"; }
                case 2 -> { l.setSource("chargeback on card 4111 1111 1111 1111"); where = "source"; }
                case 3 -> { key = PAN.getBytes(StandardCharsets.UTF_8); where = "kafka key"; }
                default -> { }
            }
            byte[] value = labels.encode(l.build());
            if (i == 4) {
                value = ("chargeback," + PAN + ",2026-11-02").getBytes(StandardCharsets.UTF_8);
                where = "raw bytes";
            }
            labelRecords.add(new ProducerRecord<>(labelsTopic, key, value));
            labelExpected.add(where);
        }
        List<RecordMetadata> labelAcks = TestKafka.produce(bootstrap, labelRecords);

        Configuration flink = FraudScoringJob.flinkConfiguration(config);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        FraudScoringJob.build(env, config);
        env.execute("card-numbers");

        List<FraudScore> scores = TestKafka.readAll(bootstrap, config.get(JobOptions.SCORES_TOPIC), FraudScore.class);
        assertThat(scores.stream().map(FraudScore::getTransactionId).collect(Collectors.toSet())).isEqualTo(validIds);
        List<DeadLetter> deadLetters = TestKafka.readAll(bootstrap, config.get(JobOptions.DEAD_LETTER_TOPIC), DeadLetter.class);
        Map<String, DeadLetter> byOrigin = deadLetters.stream().collect(Collectors.toMap(
                d -> d.getSourceTopic() + "/" + d.getSourcePartition() + "@" + d.getSourceOffset(), d -> d));
        Map<String, String> want = new HashMap<>();
        for (int i = 0; i < acks.size(); i++) {
            if (expected.get(i) != null) {
                want.put(in + "/" + acks.get(i).partition() + "@" + acks.get(i).offset(), expected.get(i));
            }
        }
        for (int i = 0; i < labelAcks.size(); i++) {
            if (labelExpected.get(i) != null) {
                want.put(labelsTopic + "/" + labelAcks.get(i).partition() + "@" + labelAcks.get(i).offset(), labelExpected.get(i));
            }
        }
        assertThat(byOrigin.keySet()).isEqualTo(want.keySet());
        want.forEach((at, where) -> {
            DeadLetter d = byOrigin.get(at);
            if (where.startsWith("!")) {
                // Not a card number: dead-letter.payload=full keeps the whole record and its key.
                assertThat(d.getReason().name()).as(at).isEqualTo(where.substring(1));
                assertThat(d.getPayloadWithheld()).as(at).isFalse();
                assertThat(d.getPayloadTruncated()).as(at).isFalse();
                assertThat(d.getPayload().remaining()).as(at).isPositive();
                assertThat(d.getKey()).as(at).isNotNull();
            } else {
                assertThat(d.getReason()).as(at).isEqualTo(DeadLetterReason.PAN_DETECTED);
                assertThat(d.getField()).as(at).isEqualTo(where);
                assertThat(d.getPayloadWithheld()).as(at).isTrue();
                assertThat(d.getPayload().remaining()).as(at).isZero();
                assertThat(d.getKey()).as(at).isNull();
            }
        });
        TestKafka.assertNoCardNumbers(bootstrap, List.of(PAN, AMEX), config.get(JobOptions.SCORES_TOPIC),
                config.get(JobOptions.ALERTS_TOPIC), config.get(JobOptions.SHADOW_SCORES_TOPIC),
                config.get(JobOptions.DEAD_LETTER_TOPIC));
    }

    /** The Amex number in groups 4-6-5, as printed on the card. */
    private static String printed(String amex) {
        return amex.substring(0, 4) + " " + amex.substring(4, 10) + " " + amex.substring(10);
    }
}
