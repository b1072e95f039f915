package io.fraudstream.clusterit;

import io.fraudstream.avro.Channel;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.avro.Transaction;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.model.TrainingData;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.AvroJson;
import io.fraudstream.schemas.Topics;
import io.fraudstream.testkit.EmbeddedKafkaBroker;
import io.fraudstream.testkit.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What every multi-process cluster test sets up: a fresh directory, a real KRaft broker in the test JVM with
 * every topic of {@link Topics#ALL}, a signed model store with a hand-set champion, the standalone cluster
 * (JobManager + TaskManagers as separate JVMs, see {@link FlinkStandaloneCluster}) and its REST client, and
 * the job's base arguments. Plus the small Kafka helpers the tests share (bulk produce, end offsets).
 */
final class ClusterFixture implements AutoCloseable {

    static final String MODEL_VERSION = "v000001";
    static final Duration START = Duration.ofSeconds(120);

    final Path dir;
    final KafkaBroker broker;
    final FlinkStandaloneCluster cluster;
    final FlinkRest rest;
    /** Broker, model store, key and initial descriptor: append the test's own options. */
    final List<String> jobArgs;

    private ClusterFixture(Path dir, KafkaBroker broker, FlinkStandaloneCluster cluster, List<String> jobArgs) {
        this.dir = dir;
        this.broker = broker;
        this.cluster = cluster;
        this.rest = new FlinkRest(cluster);
        this.jobArgs = jobArgs;
    }

    /**
     * Starts everything under {@code <fraudstream.cluster.dir><suffix>} (deleted first) and waits for
     * {@code taskManagers} TaskManagers with one slot each.
     *
     * @param threshold the champion's alert threshold: 0 alerts on everything, 1 on nothing
     * @param flinkConfig extra cluster settings ({@code config.yaml})
     */
    static ClusterFixture start(String suffix, int taskManagers, double threshold, Map<String, String> flinkConfig)
            throws Exception {
        Path dir = Path.of(System.getProperty("fraudstream.cluster.dir", "target/flink-cluster") + suffix).toAbsolutePath();
        deleteRecursively(dir);
        Files.createDirectories(dir);
        jobJar();

        // A real KRaft broker in this JVM; the TaskManagers reach it over localhost like any client.
        KafkaBroker broker = EmbeddedKafkaBroker.builder().port(0).start();
        FlinkStandaloneCluster cluster = null;
        try {
            Map<String, Integer> topics = new LinkedHashMap<>();
            Topics.ALL.forEach(t -> topics.put(t.name(), Topics.defaultPartitions(t)));
            broker.createTopics(topics, Duration.ofSeconds(60));

            Path store = Files.createDirectories(dir.resolve("model-store"));
            KeyPair keys = SigningKeys.generate();
            Path publicKey = dir.resolve("model-signing.pub");
            SigningKeys.writePublicKey(keys.getPublic(), publicKey);
            ModelDescriptor champion = new ModelStore(store).publish(model(threshold), ModelRole.CHAMPION, keys.getPrivate());
            Path descriptor = dir.resolve("champion.json");
            AvroJson.write(champion, descriptor);
            List<String> args = List.of(
                    "--" + JobOptions.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers(),
                    "--" + JobOptions.MODEL_STORE.key(), store.toString(),
                    "--" + JobOptions.MODEL_PUBLIC_KEY.key(), publicKey.toString(),
                    "--" + JobOptions.MODEL_INITIAL_DESCRIPTOR.key(), descriptor.toString(),
                    // The tests produce before they submit: read everything (a real first start reads only new records).
                    "--" + JobOptions.START_FROM.key(), "earliest");

            Path classpath = Path.of(System.getProperty("fraudstream.cluster.classpath", "target/flink-cluster.classpath"));
            cluster = FlinkStandaloneCluster.start(dir, classpath, taskManagers, 1, flinkConfig);
            ClusterFixture f = new ClusterFixture(dir, broker, cluster, args);
            f.rest.awaitTaskManagers(taskManagers, taskManagers, START);
            return f;
        } catch (Exception | AssertionError e) {
            if (cluster != null) {
                cluster.close();
            }
            broker.close();
            throw e;
        }
    }

    /**
     * The cluster settings of a TaskManager-kill test (extra settings for {@link #start}), mutable for the test's
     * own additions: fixed-delay restarts, {@code restartAttempts} attempts 1 s apart (instead of the cluster's 2,
     * {@link FlinkStandaloneCluster}), and a 1 s heartbeat with a 10 s timeout.
     */
    static Map<String, String> killTestConfig(int restartAttempts) {
        Map<String, String> flink = new LinkedHashMap<>();
        flink.put("restart-strategy.type", "fixed-delay");
        flink.put("restart-strategy.fixed-delay.attempts", Integer.toString(restartAttempts));
        flink.put("restart-strategy.fixed-delay.delay", "1 s");
        // A dead TaskManager's slot is released when its heartbeat times out (or after two refused heartbeat
        // RPCs); Flink's 50 s default would dominate the recovery time.
        flink.put("heartbeat.interval", "1000");
        flink.put("heartbeat.timeout", "10000");
        return flink;
    }

    /** The base job arguments followed by {@code more}. */
    List<String> jobArgs(String... more) {
        List<String> out = new ArrayList<>(jobArgs);
        out.addAll(Arrays.asList(more));
        return out;
    }

    /** Uploads the shaded job jar; returns its id. */
    String uploadJobJar() throws IOException, InterruptedException {
        return rest.uploadJar(jobJar());
    }

    /**
     * Produces {@code count} valid transactions ({@code tx-0} ...) over {@code cards} cards, 5 s apart from 40 days ago
     * (all in the past, none dead-lettered), and returns their ids.
     */
    java.util.Set<String> produceTransactions(String topic, int count, int cards) throws Exception {
        Instant start = Instant.now().minus(java.time.Duration.ofDays(40)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        java.util.List<Transaction> txs = new java.util.ArrayList<>(count);
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < count; i++) {
            Transaction tx = transaction("tx-" + i, String.format("card-%05d", i % cards), start.plusSeconds(5L * i),
                    100 + (i * 7919L) % 10_000);
            txs.add(tx);
            ids.add(tx.getTransactionId());
        }
        produce(topic, txs);
        return ids;
    }

    /** Sends every transaction to {@code topic} (keyed by card, idempotent producer, acks=all) and waits for every acknowledgement. */
    void produce(String topic, Iterable<Transaction> transactions) throws Exception {
        AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Transaction tx : transactions) {
                producer.send(new ProducerRecord<>(topic, tx.getCardId().getBytes(StandardCharsets.UTF_8),
                        codec.encode(tx)), (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new AssertionError("producing transactions failed", failure.get());
        }
    }

    /**
     * Sum of the end offsets of a topic's partitions: with {@code read_uncommitted} every record written so far,
     * committed or not (progress); with {@code read_committed} the last stable offsets (committed output).
     */
    long endOffsetSum(String topic, String isolationLevel) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** A plain, valid card-present transaction (the test decides ids, card and time). */
    static Transaction transaction(String id, String card, Instant eventTime, long amountMinor) {
        return Transaction.newBuilder()
                .setTransactionId(id).setCardId(card).setAccountId("acct-" + card)
                .setEventTime(eventTime).setAmountMinor(amountMinor).setCurrency("USD")
                .setMerchantId("m-" + Math.floorMod(id.hashCode(), 500)).setMerchantCategory("grocery_pos")
                .setChannel(Channel.CARD_PRESENT)
                .setMerchantLat(40.7).setMerchantLon(-74.0).setHomeLat(40.7).setHomeLon(-74.0)
                .setCountry("US").setTerminalId(null)
                .build();
    }

    /**
     * Bootstrap extractor weights and a hand-set classifier: logit = log1p(amount) - 5. With threshold 0
     * every score is an alert; with 1 none is.
     */
    static FraudModel model(double threshold) {
        ExtractorConfig config = ExtractorConfig.builder().window(1024).build();
        List<String> names = Arrays.asList(FeatureExtractor.featureNames(config.dim()));
        double[] stds = new double[names.size()];
        Arrays.fill(stds, 1.0);
        double[] coef = new double[names.size()];
        coef[names.indexOf("log1p_amount")] = 1.0;
        return FraudModel.builder()
                .version(MODEL_VERSION)
                .createdAt(Instant.parse("2026-01-01T00:00:00Z"))
                .trainingData(new TrainingData("cluster-it", Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH))
                .featureNames(names)
                .extractor(config, ExtractorWeights.bootstrap(config, 7))
                .scaler(new double[names.size()], stds)
                .classifier(-5.0, coef)
                .threshold(threshold)
                .metrics(Map.of())
                .properties(Map.of())
                .build();
    }

    static Path jobJar() {
        Path jar = Path.of(System.getProperty("fraudstream.job.jar",
                "../flink-job/target/flink-job-0.1.0-SNAPSHOT-job.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("the shaded job jar " + jar + " is missing: build it with mvn -pl cluster-it -am verify");
        }
        return jar;
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var files = Files.walk(p)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } finally {
            broker.close();
        }
    }
}
