package io.fraudstream.replay.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.avro.Transaction;
import io.fraudstream.cli.support.Progress;
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
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.model.TrainingData;
import io.fraudstream.replay.ReplayMain;
import io.fraudstream.replay.eval.ScoredTransaction;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.AvroJson;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import io.fraudstream.testkit.SharedData;
import io.fraudstream.testkit.TopicReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bootstrapped savepoint holds the state the job would have built itself: the first {@value #HISTORY} rows of a
 * Sparkov slice go into a savepoint through {@code fraudstream bootstrap-state} (State Processor API); the production
 * job wiring ({@link FraudScoringJob#build}, real broker, MiniCluster, parallelism 2) starts from it and scores the
 * next {@value #NEXT} rows from Kafka. Their scores must equal those of the job's topology fed all
 * {@value #HISTORY} + {@value #NEXT} rows (the bounded replay, which {@link LiveParityIT} shows gives the live path's
 * scores), and must differ from scores on empty histories (so the savepoint is really restored). The model's window
 * (40) is shorter than many cards' histories, so chunks are evicted while bootstrapping.
 */
class StateBootstrapIT {

    private static final int HISTORY = 4_500;
    private static final int NEXT = 1_500;
    private static final int WINDOW = 40;

    @TempDir
    Path dir;

    static FraudModel model() {
        ExtractorConfig config = ExtractorConfig.builder().window(WINDOW).build();
        String[] names = FeatureExtractor.featureNames(config.dim());
        List<String> list = Arrays.asList(names);
        double[] means = new double[names.length];
        double[] stds = new double[names.length];
        Arrays.fill(stds, 1.0);
        double[] coef = new double[names.length];
        for (int i = 0; i < coef.length; i++) {
            coef[i] = 0.05 * ((i % 7) - 3);
        }
        coef[list.indexOf("log1p_amount")] = 1.2;
        return FraudModel.builder()
                .version("v000001-bootstrap-it")
                .createdAt(Instant.parse("2026-12-05T00:00:00Z"))
                .trainingData(new TrainingData("bootstrap test", Instant.EPOCH, Instant.EPOCH, Instant.EPOCH,
                        Instant.EPOCH))
                .featureNames(list)
                .extractor(config, ExtractorWeights.bootstrap(config, 11))
                .scaler(means, stds)
                .classifier(-7.0, coef)
                .threshold(0.5)
                .metrics(Map.of())
                .properties(Map.of())
                .build();
    }

    @Test
    void jobStartedFromABootstrappedSavepointScoresAsIfItHadBeenFedTheHistory() throws Exception {
        Path all = dir.resolve("all.csv");
        BoundedScoringTest.cutSparkov(SharedData.sparkov(), all, HISTORY + NEXT, List.of());
        List<String> lines = Files.readAllLines(all, StandardCharsets.UTF_8);
        Path history = dir.resolve("history.csv");
        Path next = dir.resolve("next.csv");
        List<String> historyLines = new ArrayList<>(lines.subList(0, 1 + HISTORY));
        // A row the job's validation refuses (amount beyond its plausibility limit): counted by reason, not stored.
        historyLines.add("2019-01-01 00:20:00,4995376601444857,fraud_X,misc_net,5000000000.00,Jennifer,Huff,F,"
                + "17397 Ryan Fort Suite 789,Spicewood,TX,78669,30.3899,-98.0539,8731,x,1969-02-24,hugeamount1,"
                + "1546300884,30.299865,-97.25293,0,667334075533,p.json");
        Files.write(history, historyLines, StandardCharsets.UTF_8);
        List<String> tail = new ArrayList<>(List.of(lines.get(0)));
        tail.addAll(lines.subList(1 + HISTORY, lines.size()));
        Files.write(next, tail, StandardCharsets.UTF_8);
        Path keyFile = dir.resolve("card-token.key");
        Files.writeString(keyFile, "StateBootstrapIT card token key, not a secret: 0123456789");
        CardTokens tokens = CardTokens.fromKeyFile(keyFile);

        Path store = Files.createDirectories(dir.resolve("store"));
        KeyPair keys = SigningKeys.generate();
        Path publicKey = dir.resolve("model.pub");
        SigningKeys.writePublicKey(keys.getPublic(), publicKey);
        ModelDescriptor champion = new ModelStore(store).publish(model(), ModelRole.CHAMPION, keys.getPrivate());
        Path descriptor = dir.resolve("champion.json");
        AvroJson.write(champion, descriptor);
        ModelRepository.Factory signed = PinnedModels.signedStore(store, publicKey, descriptor);

        // Reference: the job's topology fed all rows; and scores of the next rows on empty histories.
        Set<String> nextIds = new HashSet<>();
        Map<String, Double> reference = new HashMap<>();
        try (Spool spool = spool(all, dir.resolve("all.spool"), tokens)) {
            for (ScoredTransaction s : BoundedScoring.run(spool, signed, BoundedScoring.Settings.replayDefaults(),
                    Progress.silent()).scores()) {
                reference.put(s.transactionId(), s.score());
            }
        }
        Map<String, Double> cold = new HashMap<>();
        try (Spool spool = spool(next, dir.resolve("next.spool"), tokens)) {
            for (ScoredTransaction s : BoundedScoring.run(spool, signed, BoundedScoring.Settings.replayDefaults(),
                    Progress.silent()).scores()) {
                cold.put(s.transactionId(), s.score());
                nextIds.add(s.transactionId());
            }
        }
        assertThat(nextIds).hasSize(NEXT);

        // The savepoint, through the command line.
        Path savepoint = dir.resolve("savepoint");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ReplayMain.run(new String[] {"bootstrap-state", "--input", history.toString(),
            "--card-token-key-file", keyFile.toString(), "--model-store", store.toString(), "--public-key",
            publicKey.toString(), "--descriptor", descriptor.toString(), "--parallelism", "2", "--out",
            savepoint.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed).contains(String.format(java.util.Locale.ROOT, "%,d transactions stored", HISTORY))
                .contains("0 duplicates skipped, 1 refused by validation")
                .contains("refused: 1 INVALID_AMOUNT").doesNotContain("4995376601444857");
        assertThat(Files.exists(savepoint.resolve("_metadata"))).as("savepoint metadata").isTrue();

        // The job, started from the savepoint, fed the next rows through Kafka.
        Map<String, Double> live = new HashMap<>();
        try (KafkaBroker broker = KafkaBrokers.start()) {
            Map<String, String> values = new HashMap<>();
            values.put(JobOptions.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
            values.put(JobOptions.MODEL_STORE.key(), store.toString());
            values.put(JobOptions.MODEL_PUBLIC_KEY.key(), publicKey.toString());
            values.put(JobOptions.MODEL_INITIAL_DESCRIPTOR.key(), descriptor.toString());
            values.put(JobOptions.BOUNDED.key(), "true");
            values.put(JobOptions.PARALLELISM.key(), "2");
            values.put(JobOptions.CHECKPOINT_INTERVAL.key(), "1 s");
            values.put(JobOptions.GROUP_ID.key(), "bootstrap-it");
            values.put(JobOptions.START_FROM.key(), "earliest");
            values.put(JobOptions.MAX_EVENT_AGE.key(), "36500 d");
            JobConfig config = JobConfig.fromMap(values);
            broker.createTopics(Map.of(config.get(JobOptions.TRANSACTIONS_TOPIC), 4,
                    config.get(JobOptions.SCORES_TOPIC), 2, config.get(JobOptions.SHADOW_SCORES_TOPIC), 1,
                    config.get(JobOptions.ALERTS_TOPIC), 1, config.get(JobOptions.DEAD_LETTER_TOPIC), 1,
                    config.get(JobOptions.MODEL_UPDATES_TOPIC), 1), Duration.ofSeconds(60));
            produce(broker.bootstrapServers(), config.get(JobOptions.TRANSACTIONS_TOPIC), next, tokens);

            Configuration flink = FraudScoringJob.flinkConfiguration(config);
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
            FraudScoringJob.build(env, config);
            env.execute("bootstrap-it");
            AvroCodec<FraudScore> codec = AvroCodec.of(FraudScore.class);
            for (byte[] v : TopicReader.readAll(broker.bootstrapServers(), Map.of(),
                    config.get(JobOptions.SCORES_TOPIC), Duration.ofSeconds(120))) {
                FraudScore s = codec.decode(v);
                assertThat(live.put(s.getTransactionId(), s.getScore())).as("duplicate score").isNull();
            }
        }

        assertThat(live.keySet()).isEqualTo(nextIds);
        long differFromCold = 0;
        for (String id : nextIds) {
            // The same raw fields (tokens derived from them) and the same extractor in both: equal scores.
            assertThat(live.get(id)).as(id).isEqualTo(reference.get(id));
            if (Math.abs(cold.get(id) - reference.get(id)) > 1e-9) {
                differFromCold++;
            }
        }
        assertThat(differFromCold).as("scores that depend on the bootstrapped history").isGreaterThan(NEXT / 2);
    }

    private static Spool spool(Path csv, Path spoolFile, CardTokens tokens) throws Exception {
        try (TransactionReader reader = InputFormat.SPARKOV.open(csv,
                new InputFormat.Options(null, EventTimeRule.HOME_LONGITUDE, null, tokens))) {
            return Spool.write(reader, 0, csv.getFileName().toString(), spoolFile, Map.of(), Progress.silent());
        }
    }

    /** The rows in file order, keyed by card token, as the bank's publisher would send them. */
    private static void produce(String bootstrap, String topic, Path csv, CardTokens tokens) throws Exception {
        AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 10);
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
                TransactionReader reader = InputFormat.SPARKOV.open(csv,
                        new InputFormat.Options(null, EventTimeRule.HOME_LONGITUDE, null, tokens))) {
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
}
