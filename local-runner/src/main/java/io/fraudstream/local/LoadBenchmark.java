package io.fraudstream.local;

import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.job.FraudScoringJob;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.model.BootstrapModel;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.AvroJson;
import io.fraudstream.schemas.Topics;
import io.fraudstream.simulator.KafkaTransactionWriter;
import io.fraudstream.simulator.SimulatedTransaction;
import io.fraudstream.simulator.Simulator;
import io.fraudstream.simulator.SimulatorConfig;
import io.fraudstream.testkit.EmbeddedKafkaBroker;
import io.fraudstream.testkit.KafkaBroker;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Load harness: a real broker and the real job (same wiring as on a cluster) in one process.
 * <ol>
 *   <li><b>Throughput</b>: pre-loads {@code count} simulated transactions, runs the job bounded over
 *       them, and reports scored transactions per second between the first and the last score
 *       (start-up excluded).</li>
 *   <li><b>Latency</b>: runs the job live while a producer offers {@code rate} transactions per second
 *       for {@code seconds}; reports produce-to-score latency percentiles after a warm-up.</li>
 * </ol>
 * Command: {@code ./fraudstream bench [--state-backend rocksdb] [--count 400000] [--rate 10000] [--seconds 30]}.
 */
final class LoadBenchmark {

    private final PrintStream out;
    private final String stateBackend;
    private final long count;
    private final double rate;
    private final int seconds;
    private final int cards;

    LoadBenchmark(PrintStream out, String stateBackend, long count, double rate, int seconds, int cards) {
        this.out = out;
        this.stateBackend = stateBackend;
        this.count = count;
        this.rate = rate;
        this.seconds = seconds;
        this.cards = cards;
    }

    static void main(String[] args, PrintStream out) throws Exception {
        String backend = "hashmap";
        long count = 400_000;
        double rate = 10_000;
        int seconds = 30;
        int cards = 10_000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--state-backend" -> backend = args[i + 1];
                case "--count" -> count = Long.parseLong(args[i + 1]);
                case "--rate" -> rate = Double.parseDouble(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--cards" -> cards = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        new LoadBenchmark(out, backend, count, rate, seconds, cards).run();
    }

    void run() throws Exception {
        Path work = Files.createDirectories(Path.of("var", "bench"));
        try (KafkaBroker broker = EmbeddedKafkaBroker.builder().start()) {
            Map<String, Integer> topics = new LinkedHashMap<>();
            for (String prefix : List.of("tp", "lat")) {
                for (var t : Topics.ALL) {
                    topics.put(prefix + "-" + t.name(), t == Topics.TRANSACTIONS || t == Topics.FRAUD_SCORES ? 2 : 1);
                }
            }
            broker.createTopics(topics, Duration.ofSeconds(60));
            Path store = model(work);
            out.printf(Locale.ROOT, "machine: %d cores, %s; state backend %s; %d cards%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"), stateBackend, cards);

            // 1. Maximum sustained throughput over a pre-loaded topic.
            Iterator<SimulatedTransaction> txs = simulator(Instant.now().minus(Duration.ofDays(60))).transactionIterator();
            try (KafkaTransactionWriter writer = KafkaTransactionWriter.builder(broker.bootstrapServers())
                    .transactionsTopic("tp-transactions").build()) {
                for (long i = 0; i < count && txs.hasNext(); i++) {
                    writer.send(txs.next());
                }
            }
            out.printf(Locale.ROOT, "pre-loaded %,d transactions; running the job over them ...%n", count);
            JobConfig tp = config(broker.bootstrapServers(), work, store, "tp", true);
            StreamExecutionEnvironment env = env(tp);
            FraudScoringJob.build(env, tp);
            long jobStart = System.nanoTime();
            env.execute("bench-throughput");
            out.printf(Locale.ROOT, "job finished after %.1f s (including start-up)%n", (System.nanoTime() - jobStart) / 1e9);
            long[] scoredAt = readScoredAt(broker.bootstrapServers(), "tp-fraud-scores", count, null);
            Arrays.sort(scoredAt);
            double secondsSpan = (scoredAt[scoredAt.length - 1] - scoredAt[0]) / 1000.0;
            out.printf(Locale.ROOT, "throughput: %,d scored in %.1f s = %,.0f tx/s (first to last score)%n",
                    scoredAt.length, secondsSpan, scoredAt.length / secondsSpan);

            // 2. Latency at an offered rate.
            JobConfig live = config(broker.bootstrapServers(), work, store, "lat", false);
            StreamExecutionEnvironment liveEnv = env(live);
            FraudScoringJob.build(liveEnv, live);
            JobClient job = liveEnv.executeAsync("bench-latency");
            long offered = (long) (rate * seconds);
            Iterator<SimulatedTransaction> liveTxs = simulator(Instant.now().minus(Duration.ofDays(30))).transactionIterator();
            long t0 = System.nanoTime();
            try (KafkaTransactionWriter writer = KafkaTransactionWriter.builder(broker.bootstrapServers())
                    .transactionsTopic("lat-transactions").ratePerSecond(rate).build()) {
                for (long i = 0; i < offered && liveTxs.hasNext(); i++) {
                    writer.send(liveTxs.next());
                }
            }
            double producedSeconds = (System.nanoTime() - t0) / 1e9;
            List<Long> latencies = new ArrayList<>();
            readScoredAt(broker.bootstrapServers(), "lat-fraud-scores", offered, latencies);
            job.cancel().get(30, TimeUnit.SECONDS);
            // Drop the first 20% as warm-up (JIT, first checkpoint, consumer group join).
            long[] steady = latencies.subList(latencies.size() / 5, latencies.size()).stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(steady);
            out.printf(Locale.ROOT, "latency at %,.0f tx/s offered (achieved %,.0f tx/s produced, %,d scored): "
                            + "p50 %d ms, p90 %d ms, p99 %d ms, max %d ms (produce-to-score, after 20%% warm-up)%n",
                    rate, offered / producedSeconds, latencies.size(), pct(steady, 0.5), pct(steady, 0.9),
                    pct(steady, 0.99), steady[steady.length - 1]);
        }
    }

    private static long pct(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private Simulator simulator(Instant start) {
        return new Simulator(SimulatorConfig.builder().seed(7).cards(cards)
                .start(start.truncatedTo(ChronoUnit.SECONDS)).unbounded().build());
    }

    private Path model(Path work) throws Exception {
        KeyPair keys = SigningKeys.loadOrCreate(work.resolve("keys"));
        Path store = work.resolve("model-store-" + System.nanoTime());
        Files.createDirectories(store);
        FraudModel model = BootstrapModel.create(42);
        ModelDescriptor d = new ModelStore(store).publish(model, ModelRole.CHAMPION, keys.getPrivate());
        AvroJson.write(d, store.resolve("champion.json"));
        return store;
    }

    private JobConfig config(String bootstrap, Path work, Path store, String prefix, boolean bounded) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put(JobOptions.BOOTSTRAP_SERVERS.key(), bootstrap);
        v.put(JobOptions.MODEL_STORE.key(), store.toString());
        v.put(JobOptions.MODEL_PUBLIC_KEY.key(), work.resolve("keys").resolve(SigningKeys.PUBLIC_KEY_FILE).toString());
        v.put(JobOptions.MODEL_INITIAL_DESCRIPTOR.key(), store.resolve("champion.json").toString());
        v.put(JobOptions.MAX_EVENT_LEAD.key(), "3650 d");
        v.put(JobOptions.BOUNDED.key(), Boolean.toString(bounded));
        v.put(JobOptions.GROUP_ID.key(), prefix);
        v.put(JobOptions.TRANSACTIONS_TOPIC.key(), prefix + "-transactions");
        v.put(JobOptions.SCORES_TOPIC.key(), prefix + "-fraud-scores");
        v.put(JobOptions.ALERTS_TOPIC.key(), prefix + "-fraud-alerts");
        v.put(JobOptions.SHADOW_SCORES_TOPIC.key(), prefix + "-fraud-scores-shadow");
        v.put(JobOptions.DEAD_LETTER_TOPIC.key(), prefix + "-transactions-dlq");
        v.put(JobOptions.MODEL_UPDATES_TOPIC.key(), prefix + "-model-updates");
        v.put(JobOptions.CHECKPOINT_INTERVAL.key(), "10 s");
        v.put(JobOptions.PARALLELISM.key(), "2");
        return JobConfig.fromMap(v);
    }

    private StreamExecutionEnvironment env(JobConfig config) {
        Configuration flink = FraudScoringJob.flinkConfiguration(config);
        flink.setString("state.backend.type", stateBackend);
        // The default JobManager checkpoint storage caps state at 5 MB: checkpoints to files instead.
        flink.setString("execution.checkpointing.dir", Path.of("var", "bench", "checkpoints").toUri().toString());
        return StreamExecutionEnvironment.createLocalEnvironment(flink);
    }

    /** Reads {@code expected} scores; returns their scoredAt; collects produce-to-score latencies if asked. */
    private static long[] readScoredAt(String bootstrap, String topic, long expected, List<Long> latencies) {
        AvroCodec<FraudScore> codec = AvroCodec.of(FraudScore.class);
        long[] out = new long[(int) expected];
        int n = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (n < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        FraudScore s = codec.decode(r.value());
                        out[n++] = s.getScoredAt().toEpochMilli();
                        if (latencies != null) {
                            latencies.add(s.getScoredAt().toEpochMilli() - r.timestamp());
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        if (n < expected) {
            throw new IllegalStateException("only " + n + " of " + expected + " scores arrived on " + topic);
        }
        return out;
    }
}
