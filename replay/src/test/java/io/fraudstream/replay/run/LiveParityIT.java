package io.fraudstream.replay.run;

import io.fraudstream.cli.support.Progress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.avro.Transaction;
import io.fraudstream.datasets.CardTokens;
import io.fraudstream.datasets.EventTimeRule;
import io.fraudstream.datasets.InputFormat;
import io.fraudstream.datasets.LabelledTransaction;
import io.fraudstream.datasets.TransactionReader;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.job.FraudScoringJob;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.model.TrainingData;
import io.fraudstream.replay.eval.ScoredTransaction;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.AvroJson;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import io.fraudstream.testkit.SharedData;
import io.fraudstream.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay gives the live path's scores: the same Sparkov slice is (a) produced to a real broker and scored by
 * the production job wiring ({@link FraudScoringJob#build}, bounded, parallelism 2, 4 partitions) and
 * (b) scored by the bounded replay; both load the same signed bundle from the same store. Every
 * transaction must get the same score within 1e-12.
 */
class LiveParityIT {

    private static final int ROWS = 8_000;

    @TempDir
    Path dir;

    /** A small deterministic model (bootstrap extractor weights, hand-set classifier); no training needed. */
    static FraudModel model() {
        ExtractorConfig config = ExtractorConfig.builder().window(256).build();
        String[] names = FeatureExtractor.featureNames(config.dim());
        List<String> list = Arrays.asList(names);
        double[] means = new double[names.length];
        double[] stds = new double[names.length];
        Arrays.fill(stds, 1.0);
        double[] coef = new double[names.length];
        for (int i = 0; i < coef.length; i++) {
            coef[i] = 0.05 * ((i % 7) - 3); // every feature matters a little, so any difference would show
        }
        coef[list.indexOf("log1p_amount")] = 1.2;
        coef[list.indexOf("night_time")] = 1.5;
        return FraudModel.builder()
                .version("v000001-parity")
                .createdAt(Instant.parse("2026-11-29T00:00:00Z"))
                .trainingData(new TrainingData("parity test", Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH))
                .featureNames(list)
                .extractor(config, ExtractorWeights.bootstrap(config, 7))
                .scaler(means, stds)
                .classifier(-7.0, coef)
                .threshold(0.5)
                .metrics(Map.of())
                .properties(Map.of())
                .build();
    }

    @Test
    void replayScoresEqualTheLiveKafkaPathsScores() throws Exception {
        Path slice = dir.resolve("slice.csv");
        BoundedScoringTest.cutSparkov(SharedData.sparkov(), slice, ROWS, List.of());
        Path store = Files.createDirectories(dir.resolve("store"));
        KeyPair keys = SigningKeys.generate();
        SigningKeys.writePublicKey(keys.getPublic(), dir.resolve("model.pub"));
        ModelDescriptor champion = new ModelStore(store).publish(model(), ModelRole.CHAMPION, keys.getPrivate());
        AvroJson.write(champion, dir.resolve("champion.json"));

        // (b) replay
        Map<String, Double> replayed = new HashMap<>();
        try (Spool spool = BoundedScoringTest.spool(slice, dir.resolve("p.spool"))) {
            BoundedScoring.Result r = BoundedScoring.run(spool,
                    PinnedModels.signedStore(store, dir.resolve("model.pub"), dir.resolve("champion.json")),
                    BoundedScoring.Settings.replayDefaults(), Progress.silent());
            assertThat(r.rejected()).isEmpty();
            for (ScoredTransaction s : r.scores()) {
                replayed.put(s.transactionId(), s.score());
            }
        }
        assertThat(replayed).hasSize(ROWS);

        // (a) live
        Map<String, Double> live = new HashMap<>();
        try (KafkaBroker broker = KafkaBrokers.start()) {
            Map<String, String> values = new HashMap<>();
            values.put(JobOptions.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
            values.put(JobOptions.MODEL_STORE.key(), store.toString());
            values.put(JobOptions.MODEL_PUBLIC_KEY.key(), dir.resolve("model.pub").toString());
            values.put(JobOptions.MODEL_INITIAL_DESCRIPTOR.key(), dir.resolve("champion.json").toString());
            values.put(JobOptions.BOUNDED.key(), "true");
            values.put(JobOptions.PARALLELISM.key(), "2");
            values.put(JobOptions.CHECKPOINT_INTERVAL.key(), "1 s");
            values.put(JobOptions.GROUP_ID.key(), "parity");
            values.put(JobOptions.START_FROM.key(), "earliest");
            JobConfig config = JobConfig.fromMap(values);
            broker.createTopics(Map.of(config.get(JobOptions.TRANSACTIONS_TOPIC), 4, config.get(JobOptions.SCORES_TOPIC), 4,
                    config.get(JobOptions.SHADOW_SCORES_TOPIC), 1, config.get(JobOptions.ALERTS_TOPIC), 2,
                    config.get(JobOptions.DEAD_LETTER_TOPIC), 1, config.get(JobOptions.MODEL_UPDATES_TOPIC), 1),
                    Duration.ofSeconds(60));
            produce(broker.bootstrapServers(), config.get(JobOptions.TRANSACTIONS_TOPIC), slice);

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                    FraudScoringJob.flinkConfiguration(config));
            FraudScoringJob.build(env, config);
            env.execute("parity-live");
            for (FraudScore s : readAll(broker.bootstrapServers(), config.get(JobOptions.SCORES_TOPIC))) {
                assertThat(live.put(s.getTransactionId(), s.getScore())).as("duplicate score").isNull();
            }
        }

        assertThat(live.keySet()).isEqualTo(replayed.keySet());
        long distinct = replayed.values().stream().distinct().count();
        assertThat(distinct).as("scores vary").isGreaterThan(ROWS / 2);
        for (Map.Entry<String, Double> e : replayed.entrySet()) {
            assertThat(live.get(e.getKey())).as(e.getKey()).isCloseTo(e.getValue(), within(1e-12));
        }
    }

    /** The slice in file order, keyed by card token, as the bank's publisher would send it. */
    private static void produce(String bootstrap, String topic, Path csv) throws Exception {
        AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 10);
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
                TransactionReader reader = InputFormat.SPARKOV.open(csv,
                        new InputFormat.Options(null, EventTimeRule.HOME_LONGITUDE, null, CardTokens.publicTestKey("LiveParityIT")))) {
            LabelledTransaction t;
            while ((t = reader.next()) != null) {
                acks.add(producer.send(new ProducerRecord<>(topic,
                        t.transaction().getCardId().getBytes(StandardCharsets.UTF_8), codec.encode(t.transaction()))));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static List<FraudScore> readAll(String bootstrap, String topic) throws Exception {
        AvroCodec<FraudScore> codec = AvroCodec.of(FraudScore.class);
        List<FraudScore> out = new ArrayList<>();
        for (byte[] value : TopicReader.readAll(bootstrap, Map.of(), topic, Duration.ofSeconds(120))) {
            out.add(codec.decode(value));
        }
        return out;
    }
}
