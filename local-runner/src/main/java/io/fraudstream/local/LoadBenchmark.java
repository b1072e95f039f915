package io.fraudstream.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.cli.support.Progress;
import io.fraudstream.datasets.BadRows;
import io.fraudstream.datasets.LabelledTransaction;
import io.fraudstream.datasets.TransactionReader;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.job.FraudScoringJob;
import io.fraudstream.job.JobMetrics;
import io.fraudstream.job.config.CheckpointSettings;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.replay.run.PinnedModels;
import io.fraudstream.replay.run.Spool;
import io.fraudstream.replay.run.StateBootstrap;
import io.fraudstream.trainer.bootstrap.BootstrapModel;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.ModelVersions;
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
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Load harness: a real broker and the real job (same wiring as on a cluster) in one process.
 * <ol>
 *   <li><b>Throughput</b>: pre-loads {@code count} simulated transactions, runs the job bounded over
 *       them, and reports scored transactions per second between the first and the last score
 *       (start-up excluded).</li>
 *   <li><b>Latency</b>: runs the job live while a producer offers {@code rate} transactions per second
 *       for {@code seconds}; reports produce-to-score latency percentiles after a warm-up.</li>
 * </ol>
 * Command: {@code ./fraudstream bench [--state-backend rocksdb] [--count 400000] [--rate 10000] [--seconds 30]}
 * ({@link BenchCommand}).
 *
 * <p><b>Latency during model swaps</b> ({@code --swap-every S}): the latency phase's paced window is cut into
 * slots of {@code S} seconds; at the start of every odd slot a new signed champion (new version, new extractor-weights
 * version, as a retraining publishes) is published on {@code model-updates}. Even
 * slots get no update. Transactions are classed by the slot they were produced in, so "with" and "without" swaps
 * come from the same job, state size, JVM warm-up and machine load, interleaved. Bundles are signed and stored before
 * the window (the trainer's work, another process in production); during the window only descriptors are produced.
 * {@code --history H} first gives every card {@code H} transactions (not measured) so the histories are
 * realistically long: they are bootstrapped into a savepoint (replay's {@link StateBootstrap}, the State
 * Processor API) that the live job starts from, not fed through Kafka. Reported: p50/p90/p99 of both classes and the ratio.
 * {@code --checkpoint-interval S} (seconds, default 10) should not divide the swap cycle (2 S): checkpoints then
 * fall evenly into both classes of slot instead of always into the same one.
 *
 * <p><b>Shadow</b> ({@code --shadow new-weights}): a shadow model with new extractor weights is deployed in both
 * phases: before the throughput job starts, and after the history and before the paced window, so (nearly) every
 * measured transaction is scored twice, as while a retraining's candidate runs (most of every 8-hour cycle). Compare
 * against the same command without it. The throughput phase is bounded, so its shadow scores every transaction; in
 * the paced window the shadow leaves to the champion what arrives later than {@code shadow.max-lag} (the job's
 * default unless {@code --shadow-max-lag} sets it), and the bench prints how many it scored.
 */
final class LoadBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final String stateBackend;
    private final long count;
    private final double rate;
    private final int seconds;
    private final int cards;
    private final int swapEverySeconds;
    private final int history;
    private final boolean newWeights;
    /** Whether a shadow with new extractor weights is deployed for the paced window ({@code --shadow new-weights}). */
    boolean shadow;
    /**
     * Whether the paced window waits for the restored job's first completed checkpoint ({@code
     * --[no-]await-first-checkpoint}, default on).
     */
    boolean awaitFirstCheckpoint = true;
    /**
     * The shortest warm-up ({@code --warm-up}): seconds at the offered rate before the measured window, not counted.
     * The JIT compiles the paced path (the in-process broker's most of all) for the first 40–50 s: docs/BENCHMARKS.md.
     */
    int warmUpSeconds = 60;
    /**
     * The longest warm-up ({@code --warm-up-max}): after {@link #warmUpSeconds} it goes on until the JIT is quiet
     * ({@link WarmUpGate}), for at most this many seconds in all. Equal to {@link #warmUpSeconds}: a fixed warm-up.
     */
    int warmUpMaxSeconds = 180;
    /** How long the last latency phase's warm-up ran, in seconds. */
    private double warmedUpSeconds;
    /** Job settings given on the command line, over the bench's defaults. */
    private final Map<String, String> jobSettings;
    /** Flink settings given on the command line ({@code --flink-conf}), over the local environment's. */
    private final Map<String, String> flinkSettings;

    LoadBenchmark(PrintStream out, String stateBackend, long count, double rate, int seconds, int cards,
            int swapEverySeconds, int history, boolean newWeights, Map<String, String> jobSettings,
            Map<String, String> flinkSettings) {
        this.out = out;
        this.stateBackend = stateBackend;
        this.count = count;
        this.rate = rate;
        this.seconds = seconds;
        this.cards = cards;
        this.swapEverySeconds = swapEverySeconds;
        this.history = history;
        this.newWeights = newWeights;
        this.jobSettings = Map.copyOf(jobSettings);
        this.flinkSettings = new LinkedHashMap<>(flinkSettings);
    }

    /** Percentiles of one latency phase. */
    record Latency(double offeredRate, double producedRate, int scored, Percentiles all, Percentiles quietSlots,
            Percentiles swapSlots, int swaps, CheckpointBytes checkpoints) {}

    /** Produce-to-score latency percentiles (ms) of a set of transactions. */
    record Percentiles(int n, long p50, long p90, long p99, long max) {
        static Percentiles of(long[] sorted) {
            return sorted.length == 0 ? new Percentiles(0, -1, -1, -1, -1) : new Percentiles(sorted.length,
                    pct(sorted, 0.5), pct(sorted, 0.9), pct(sorted, 0.99), sorted[sorted.length - 1]);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "p50 %d ms, p90 %d ms, p99 %d ms, max %d ms (%,d tx)", p50, p90, p99,
                    max, n);
        }
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

            shadowDescriptor = shadow ? shadowModel(store, work) : null;
            // 1. Maximum sustained throughput over a pre-loaded topic (--count 0 skips it).
            if (count > 0) {
                throughput(broker, work, store);
            }

            // 2. Latency at an offered rate; with --swap-every, in alternating slots with and without model swaps.
            List<ModelDescriptor> swaps = swapEverySeconds > 0 ? swapModels(store, work) : List.of();
            Latency l = latency(broker, work, store, "lat", swaps);
            out.printf(Locale.ROOT, "latency at %,.0f tx/s offered (achieved %,.0f tx/s produced, %,d scored): %s"
                    + " (produce-to-score, after a %.0f s warm-up)%n", l.offeredRate(), l.producedRate(), l.scored(),
                    l.all(), warmedUpSeconds);
            printCheckpointBytes(l.checkpoints());
            if (swapEverySeconds > 0) {
                out.printf(Locale.ROOT, "  slots without a swap: %s%n", l.quietSlots());
                out.printf(Locale.ROOT, "  slots starting with a swap (%d swaps, one every %d s): %s%n", l.swaps(),
                        2 * swapEverySeconds, l.swapSlots());
                out.printf(Locale.ROOT, "  swap/no-swap ratio: p50 %.2f, p99 %.2f%n",
                        (double) l.swapSlots().p50() / Math.max(1, l.quietSlots().p50()),
                        (double) l.swapSlots().p99() / Math.max(1, l.quietSlots().p99()));
            }
        }
    }

    private void throughput(KafkaBroker broker, Path work, Path store) throws Exception {
        Iterator<SimulatedTransaction> txs = simulator(Instant.now().minus(Duration.ofDays(60))).transactionIterator();
        try (KafkaTransactionWriter writer = KafkaTransactionWriter.builder(broker.bootstrapServers())
                .transactionsTopic("tp-transactions").build()) {
            for (long i = 0; i < count && txs.hasNext(); i++) {
                writer.send(txs.next());
            }
        }
        out.printf(Locale.ROOT, "pre-loaded %,d transactions; running the job over them ...%n", count);
        if (shadowDescriptor != null) {
            // On the model-updates topic before the job starts: the bounded job reads it from the beginning, so all
            // but the first transactions (scored while the shadow's bundle is verified and loaded) are scored twice.
            try (KafkaProducer<String, byte[]> updates = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG,
                    "all"), new StringSerializer(), new ByteArraySerializer())) {
                updates.send(new ProducerRecord<>("tp-model-updates", ModelRole.SHADOW.name(),
                        AvroCodec.of(ModelDescriptor.class).encode(shadowDescriptor))).get(30, TimeUnit.SECONDS);
            }
        }
        JobConfig tp = config(broker.bootstrapServers(), work, store, "tp", true);
        StreamExecutionEnvironment env = env(tp);
        FraudScoringJob.build(env, tp);
        long jobStart = System.nanoTime();
        env.execute("bench-throughput");
        out.printf(Locale.ROOT, "job finished after %.1f s (including start-up)%n", (System.nanoTime() - jobStart) / 1e9);
        long[] scoredAt = readScoredAt(broker.bootstrapServers(), "tp-fraud-scores", count, null, 0, null);
        Arrays.sort(scoredAt);
        double secondsSpan = (scoredAt[scoredAt.length - 1] - scoredAt[0]) / 1000.0;
        out.printf(Locale.ROOT, "throughput: %,d scored in %.1f s = %,.0f tx/s (first to last score)%n",
                scoredAt.length, secondsSpan, scoredAt.length / secondsSpan);
        if (shadowDescriptor != null) {
            out.printf(Locale.ROOT, "  of them also scored by the shadow: %,d%n",
                    countRecords(broker.bootstrapServers(), "tp-fraud-scores-shadow"));
        }
    }

    /**
     * One live latency phase on the topics of {@code prefix}: a fresh job, {@code --history} transactions per
     * card fed first (not measured), then {@code rate} tx/s for {@code seconds}; {@code swaps} (may be empty) are
     * published as champion descriptors evenly through the paced window, one every {@code --swap-every} seconds.
     */
    private Latency latency(KafkaBroker broker, Path work, Path store, String prefix, List<ModelDescriptor> swaps)
            throws Exception {
        JobConfig live = config(broker.bootstrapServers(), work, store, prefix, false);
        Iterator<SimulatedTransaction> liveTxs = simulator(Instant.now().minus(Duration.ofDays(30)))
                .transactionIterator();
        // The history goes into a bootstrapped savepoint (bootstrap-state: the job's own state code, State
        // Processor API), not through Kafka: the job starts with every card's last --history transactions.
        long preload = (long) history * cards;
        Path savepoint = preload > 0 ? bootstrapHistory(liveTxs, preload, work, store, prefix, live) : null;
        int restPort = io.fraudstream.testkit.FreePorts.pick();
        StreamExecutionEnvironment liveEnv = env(live, savepoint, restPort);
        FraudScoringJob.build(liveEnv, live);
        JobClient job = liveEnv.executeAsync("bench-" + prefix);
        try {
            // The paced window starts once the job runs: one probe transaction (a real one, the iterator's first) is
            // produced and its score awaited, so restoring the savepoint (seconds for a bank-sized one) is not
            // charged to the window's first transactions as latency. What follows a restore in production, every
            // card's first event reading its history from the state, still is.
            long probeStart = System.nanoTime();
            // A probe reaches one subtask; the others may still be restoring and warming their history cache
            // (CardScoringOperator#open: seconds at bank-sized histories, the task INITIALIZING meanwhile). A window
            // started then charges that restore to its first seconds, so first every subtask of the job must run.
            awaitAllSubtasksRunning(restPort, job.getJobID());
            out.printf(Locale.ROOT, "%s: every subtask running %.1f s after submission%n", prefix,
                    (System.nanoTime() - probeStart) / 1e9);
            try (KafkaTransactionWriter probe = KafkaTransactionWriter.builder(broker.bootstrapServers())
                    .transactionsTopic(prefix + "-transactions").build()) {
                probe.send(liveTxs.next());
            }
            readScoredAt(broker.bootstrapServers(), prefix + "-fraud-scores", 1, null, 0, null);
            out.printf(Locale.ROOT, "%s: job restored and scoring %.1f s after its submission%n", prefix,
                    (System.nanoTime() - probeStart) / 1e9);
            if (savepoint != null && awaitFirstCheckpoint) {
                // The first checkpoint after a start from a savepoint uploads the whole restored state (~285 MB for
                // the acceptance command's 5,000,000 stored transactions): incremental checkpoints share files only
                // with the job's own earlier checkpoints. A bank pays that once, when it starts the bootstrapped job
                // before its traffic cutover; restarts from checkpoints upload only what changed. The window is
                // about the running job, so it starts after that checkpoint (--no-await-first-checkpoint: before).
                JsonNode first = awaitFirstCheckpoint(restPort, job.getJobID(),
                        live.get(JobOptions.CHECKPOINT_INTERVAL));
                out.printf(Locale.ROOT, "%s: first checkpoint after the restore: %,d B uploaded in %d ms, completed"
                        + " %.1f s after submission; the paced window starts now%n", prefix,
                        first.path("checkpointed_size").asLong(), first.path("end_to_end_duration").asLong(),
                        (System.nanoTime() - probeStart) / 1e9);
            }
            // The warm-up: at the offered rate, not counted, from --warm-up seconds until the JIT is quiet, at most
            // --warm-up-max seconds (WarmUpGate); then the measured window, --seconds at the offered rate.
            WarmUpGate gate = new WarmUpGate(warmUpSeconds * 1000L, warmUpMaxSeconds * 1000L);
            long windowTx = (long) (rate * seconds);
            long windowStartTx = -1; // the index of the window's first transaction, once the warm-up is over
            long windowFrom = Long.MAX_VALUE; // when it was sent
            long sampleEvery = Math.max(1, (long) (rate / 20));
            long slotTx = swaps.isEmpty() ? Long.MAX_VALUE : (long) (rate * swapEverySeconds);
            int published = 0;
            long pacedFrom = System.currentTimeMillis();
            long t0 = System.nanoTime();
            // The JIT's compile time (this JVM: broker, clients and job) in the warm-up and in the window: a window
            // that the JIT still competes for shows here (docs/BENCHMARKS.md, "The JIT settles").
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            long jitAtStart = jit.getTotalCompilationTime();
            long jitAtWindow = jitAtStart;
            long i = 0;
            try (KafkaTransactionWriter writer = KafkaTransactionWriter.builder(broker.bootstrapServers())
                    .transactionsTopic(prefix + "-transactions").ratePerSecond(rate).build();
                    KafkaProducer<String, byte[]> updates = new KafkaProducer<>(Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                            ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
                AvroCodec<ModelDescriptor> descriptors = AvroCodec.of(ModelDescriptor.class);
                if (shadowDescriptor != null) {
                    // Deployed before the paced window (after the history): every paced transaction is also scored
                    // by the shadow, a model with new extractor weights.
                    updates.send(new ProducerRecord<>(prefix + "-model-updates", ModelRole.SHADOW.name(),
                            descriptors.encode(shadowDescriptor))).get(30, TimeUnit.SECONDS);
                }
                if (!swaps.isEmpty()) {
                    // The first send of a producer blocks the caller until the topic's metadata arrives: fetch it
                    // now, or the paced loop would stall at the first swap and the stall would be charged to it.
                    updates.partitionsFor(prefix + "-model-updates");
                }
                for (; (windowStartTx < 0 || i < windowStartTx + windowTx) && liveTxs.hasNext(); i++) {
                    if (windowStartTx < 0 && i % sampleEvery == 0 && gate.over(
                            (System.nanoTime() - t0) / 1_000_000, jit.getTotalCompilationTime())) {
                        windowStartTx = i;
                        windowFrom = System.currentTimeMillis();
                        jitAtWindow = jit.getTotalCompilationTime();
                    }
                    // Paced by the writer, so transaction i goes out at about i / rate seconds into the paced phase:
                    // a swap at the start of every odd slot of the window.
                    long j = windowStartTx < 0 ? -1 : i - windowStartTx; // swap slots start with the window
                    if (j >= 0 && j % slotTx == 0 && (j / slotTx) % 2 == 1 && published < swaps.size()) {
                        ModelDescriptor d = swaps.get(published++);
                        updates.send(new ProducerRecord<>(prefix + "-model-updates", d.getRole().name(),
                                descriptors.encode(d)));
                    }
                    writer.send(liveTxs.next());
                }
            }
            double producedSeconds = (System.nanoTime() - t0) / 1e9;
            long offered = i;
            if (windowStartTx < 0) {
                throw new IllegalStateException("the simulator ran out of transactions in the warm-up, after " + i);
            }
            warmedUpSeconds = (windowFrom - pacedFrom) / 1000.0;
            long jitAtEnd = jit.getTotalCompilationTime();
            out.printf(Locale.ROOT, "warm-up: %.1f s (%,d transactions), ended at %s%n", warmedUpSeconds,
                    windowStartTx, gate.reason());
            out.printf(Locale.ROOT, "  JIT compile time per %d s of the warm-up: %s%n", WarmUpGate.SPAN_MILLIS / 1000,
                    gate.compileTimePerSpan());
            out.printf(Locale.ROOT, "JIT compile time: %,d ms in the %.0f s warm-up, %,d ms in the %d s window%n",
                    jitAtWindow - jitAtStart, warmedUpSeconds, jitAtEnd - jitAtWindow, seconds);
            List<long[]> latencies = new ArrayList<>();
            Map<String, Long> versions = new java.util.TreeMap<>(ModelVersions.ORDER);
            long[] scoredAt = readScoredAt(broker.bootstrapServers(), prefix + "-fraud-scores", offered + 1, latencies,
                    pacedFrom, versions); // + 1: the probe
            CheckpointBytes checkpoints = CheckpointBytes.of(completedCheckpointsAfter(restPort, job.getJobID(),
                    Arrays.stream(scoredAt).max().orElse(pacedFrom), live.get(JobOptions.CHECKPOINT_INTERVAL)),
                    scoredAt, pacedFrom);
            // Proof that the swaps took effect: the paced window's scores by the model version that made them.
            out.printf(Locale.ROOT, "paced-window scores by model version %s%n", versions);
            if (shadowDescriptor != null) {
                // The shadow leaves to the champion what reaches the scoring task later than shadow.max-lag.
                long shadowScored = countRecords(broker.bootstrapServers(), prefix + "-fraud-scores-shadow");
                out.printf(Locale.ROOT, "  of them also scored by the shadow: %,d (%.2f %%; the rest arrived more than "
                        + "%d ms behind: shadow.max-lag)%n", shadowScored, 100.0 * shadowScored / offered,
                        live.get(JobOptions.SHADOW_MAX_LAG).toMillis());
            }
            printTimeline(latencies, pacedFrom, checkpoints);
            printCheckpointPauses(restPort, job.getJobID(), checkpoints);
            printCardStateWrites(restPort, job.getJobID());
            printEarlyCheckpoints(restPort, job.getJobID(), pacedFrom);
            // Drop the warm-up (the JIT compiling the paced path, the consumer group join, the shadow's deployment);
            // class the rest by the slot its transaction was produced in.
            long thirdMillis = Math.max(1, seconds * 1000L / 3);
            List<List<Long>> thirds = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            List<Long> quiet = new ArrayList<>();
            List<Long> swapping = new ArrayList<>();
            for (long[] l : latencies) {
                if (l[0] < windowFrom) {
                    continue;
                }
                thirds.get((int) Math.min(2, (l[0] - windowFrom) / thirdMillis)).add(l[1]);
                if (!swaps.isEmpty()) {
                    long slot = (l[0] - windowFrom) / (swapEverySeconds * 1000L);
                    (slot % 2 == 1 ? swapping : quiet).add(l[1]);
                }
            }
            // Where in the measured window the tail is: a start transient (the JIT still compiling, a backlog
            // from the restore) shows in the first third, a steady cost (checkpoints, GC) in all three.
            out.printf(Locale.ROOT, "p99 by third of the measured window (%.1f s each): %d / %d / %d ms%n",
                    thirdMillis / 1000.0, pct(sorted(thirds.get(0)), 0.99), pct(sorted(thirds.get(1)), 0.99),
                    pct(sorted(thirds.get(2)), 0.99));
            if (windowFrom - pacedFrom >= seconds * 1000L) {
                // Before --warm-up (2026-12-07) the bench measured the paced phase's first --seconds less their
                // first 20 %: that window lies within the warm-up, so both figures come from one run.
                long from = pacedFrom + seconds * 200L;
                long to = pacedFrom + seconds * 1000L;
                out.printf(Locale.ROOT, "as measured before --warm-up (the paced phase's first %d s after their first"
                        + " 20 %%): %s%n", seconds, Percentiles.of(producedBetween(latencies, from, to)));
            }
            return new Latency(rate, offered / producedSeconds, latencies.size(),
                    Percentiles.of(producedBetween(latencies, windowFrom, Long.MAX_VALUE)),
                    Percentiles.of(sorted(quiet)), Percentiles.of(sorted(swapping)), published, checkpoints);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
            if (savepoint != null) {
                deleteRecursively(savepoint); // restored at the job's start; a bank-scale one is gigabytes
            }
        }
    }

    /**
     * Writes the next {@code n} simulated transactions as card state into a savepoint (replay's
     * {@link StateBootstrap}: the job's validation and state code, the job's max parallelism and card TTL) and returns its directory.
     */
    private Path bootstrapHistory(Iterator<SimulatedTransaction> txs, long n, Path work, Path store, String prefix,
            JobConfig job) throws Exception {
        Path dir = work.resolve("bootstrap-" + prefix + "-" + System.nanoTime());
        Path spoolFile = Files.createTempFile(work, "history-", ".spool");
        long t = System.nanoTime();
        TransactionReader reader = new TransactionReader() {
            private final BadRows bad = new BadRows();
            private long read;

            @Override
            public LabelledTransaction next() {
                if (read >= n || !txs.hasNext()) {
                    return null;
                }
                SimulatedTransaction s = txs.next();
                read++;
                return new LabelledTransaction(s.tx(), s.fraud(), read);
            }

            @Override
            public BadRows badRows() {
                return bad;
            }

            @Override
            public long rowsRead() {
                return read;
            }

            @Override
            public void close() {}
        };
        try (Spool spool = Spool.write(reader, 0, prefix + "-transactions", spoolFile, Map.of(), Progress.silent())) {
            int maxParallelism = FraudScoringJob.flinkConfiguration(job).get(PipelineOptions.MAX_PARALLELISM);
            StateBootstrap.Settings settings = StateBootstrap.Settings.defaults(2).withStateBackend(stateBackend)
                    .withMaxParallelism(maxParallelism)
                    .withCardTtlMillis(job.get(JobOptions.CARD_STATE_TTL).toMillis());
            StateBootstrap.Result r = StateBootstrap.write(spool, PinnedModels.signedStore(store,
                    work.resolve("keys").resolve(SigningKeys.PUBLIC_KEY_FILE), store.resolve("champion.json")),
                    settings, dir);
            out.printf(Locale.ROOT, "%s: %,d history transactions (%d per card, %,d cards) bootstrapped into a"
                    + " savepoint in %.1f s (%.1f s writing it)%n", prefix, r.stored(), history, r.cards(),
                    (System.nanoTime() - t) / 1e9, r.nanos() / 1e9);
            // The job's validation refuses a handful of simulated records on some start times (dead letters, as in
            // the job: counted with their reason, never stored); what is neither stored nor accounted for is a loss.
            if (r.rejected() > 0 || r.duplicates() > 0) {
                out.printf(Locale.ROOT, "%s: of them refused by the job's validation %,d, duplicates %,d%n", prefix,
                        r.rejected(), r.duplicates());
                for (StateBootstrap.Refusal refusal : r.refusals()) {
                    out.printf(Locale.ROOT, "%s:   refused %s%n", prefix, refusal);
                }
            }
            if (r.stored() + r.rejected() + r.duplicates() != n || r.rejected() > n / 10_000) {
                throw new IllegalStateException("bootstrapped " + r.stored() + " of " + n + " history transactions ("
                        + r.duplicates() + " duplicates, " + r.rejected() + " refused)");
            }
        } finally {
            Files.deleteIfExists(spoolFile);
        }
        out.printf(Locale.ROOT, "%s: savepoint %s, %,d bytes%n", prefix, dir, directoryBytes(dir));
        return dir;
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    private static long directoryBytes(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private ModelDescriptor shadowDescriptor;

    /** A shadow whose extractor weights carry its own version (new weights, as a retraining's), signed and stored. */
    private ModelDescriptor shadowModel(Path store, Path work) throws Exception {
        KeyPair keys = SigningKeys.loadOrCreate(work.resolve("keys"));
        FraudModel base = BootstrapModel.create(42);
        ExtractorWeights w = base.extractorWeights();
        String version = "v900000";
        ExtractorWeights weights = new ExtractorWeights(version, w.tokenWidth(), w.queryWeights(), w.keyWeights(),
                w.valueWeights(), w.alpha(), w.beta());
        FraudModel m = base.toBuilder().version(version).extractor(base.extractorConfig(), weights).build();
        return new ModelStore(store).publish(m, ModelRole.SHADOW, keys.getPrivate());
    }

    /**
     * One champion per swap of the window, each a new version ({@code v000001}, ... sort after the bootstrap's
     * time-stamped version) whose extractor weights carry that version (unless {@code --swap-weights same}), as
     * after a real retraining. Signed and stored now, before the measured window.
     */
    private List<ModelDescriptor> swapModels(Path store, Path work) throws Exception {
        KeyPair keys = SigningKeys.loadOrCreate(work.resolve("keys"));
        FraudModel base = BootstrapModel.create(42);
        ExtractorWeights w = base.extractorWeights();
        ModelStore models = new ModelStore(store);
        List<ModelDescriptor> out = new ArrayList<>();
        int n = Math.max(1, (seconds / swapEverySeconds + 1) / 2); // one per odd slot
        for (int i = 1; i <= n; i++) {
            String version = String.format(Locale.ROOT, "v%06d", i);
            // --swap-weights same: the champion's weights and their version (a classifier-only retraining, or a
            // restored champion).
            ExtractorWeights weights = !newWeights ? w : new ExtractorWeights(version, w.tokenWidth(),
                    w.queryWeights(), w.keyWeights(), w.valueWeights(), w.alpha(), w.beta());
            FraudModel m = base.toBuilder().version(version).extractor(base.extractorConfig(), weights).build();
            out.add(models.publish(m, ModelRole.CHAMPION, keys.getPrivate()));
        }
        return out;
    }

    /**
     * The latencies ({@code [produced at, latency]} pairs, ms) of the transactions produced in {@code [from, to)},
     * sorted.
     */
    static long[] producedBetween(List<long[]> latencies, long from, long to) {
        return latencies.stream().filter(l -> l[0] >= from && l[0] < to).mapToLong(l -> l[1]).sorted().toArray();
    }

    private static long[] sorted(List<Long> values) {
        long[] a = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a;
    }

    /** The q-quantile of {@code sorted}; -1 when it is empty. */
    private static long pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
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
        v.put(JobOptions.START_FROM.key(), "earliest"); // the run's own topics: every record is the benchmark's
        v.put(JobOptions.TRANSACTIONS_TOPIC.key(), prefix + "-transactions");
        v.put(JobOptions.SCORES_TOPIC.key(), prefix + "-fraud-scores");
        v.put(JobOptions.ALERTS_TOPIC.key(), prefix + "-fraud-alerts");
        v.put(JobOptions.SHADOW_SCORES_TOPIC.key(), prefix + "-fraud-scores-shadow");
        v.put(JobOptions.DEAD_LETTER_TOPIC.key(), prefix + "-transactions-dlq");
        v.put(JobOptions.MODEL_UPDATES_TOPIC.key(), prefix + "-model-updates");
        v.put(JobOptions.LABELS_TOPIC.key(), prefix + "-fraud-labels"); // read only with point-of-purchase.enabled
        v.put(JobOptions.CHECKPOINT_INTERVAL.key(), "10 s");
        v.put(JobOptions.PARALLELISM.key(), "2");
        v.putAll(jobSettings);
        return JobConfig.fromMap(v);
    }

    private StreamExecutionEnvironment env(JobConfig config) {
        return env(config, null, 0);
    }

    /**
     * {@code savepoint}: a savepoint to start from (null: none); {@code restPort}: the port of the local cluster's
     * REST API (0: any free one, not known to the caller).
     */
    private StreamExecutionEnvironment env(JobConfig config, Path savepoint, int restPort) {
        Configuration flink = FraudScoringJob.flinkConfiguration(config);
        if (savepoint != null) {
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
        }
        flink.setString("state.backend.type", stateBackend);
        // The default JobManager checkpoint storage caps state at 5 MB: checkpoints to files instead.
        flink.setString("execution.checkpointing.dir", Path.of("var", "bench", "checkpoints").toUri().toString());
        // As in production (deploy/): RocksDB uploads only the files that are new since the last checkpoint, so a
        // checkpoint's checkpointed_size is what the events since then cost. The heap backend ignores it.
        flink.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        // Every checkpoint of the window in /jobs/:id/checkpoints, not only the last 10 (Flink's default).
        flink.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 10_000);
        // RocksDB's block cache and write buffers come from managed memory. A local environment has Flink's local
        // default, 128 MB for all subtasks, which starves RocksDB once the cards outgrow the history cache (200,000
        // cards: the job fell behind for good at 5,000 tx/s, docs/BENCHMARKS.md "Cold cards"); a deployed
        // TaskManager has ~1.3 GB (deploy/k8s: 4 GB, managed fraction 0.4). Off-heap, taken only as RocksDB uses it.
        flink.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(1024));
        flinkSettings.forEach(flink::setString); // --flink-conf, over all of the above
        if (restPort > 0) {
            flink.set(RestOptions.BIND_PORT, Integer.toString(restPort));
        }
        return StreamExecutionEnvironment.createLocalEnvironment(flink);
    }

    /**
     * Latency by the second the transaction was produced in (5 s buckets of the paced window: p50 / p99 / max ms), and
     * when the window's checkpoints were triggered: where the tail comes from, not only how long it is.
     */
    private void printTimeline(List<long[]> latencies, long pacedFrom, CheckpointBytes checkpoints) {
        java.util.TreeMap<Long, List<Long>> buckets = new java.util.TreeMap<>();
        for (long[] l : latencies) {
            buckets.computeIfAbsent((l[0] - pacedFrom) / 5000, b -> new ArrayList<>()).add(l[1]);
        }
        StringBuilder line = new StringBuilder();
        for (var e : buckets.entrySet()) {
            long[] sorted = sorted(e.getValue());
            Percentiles p = Percentiles.of(sorted);
            line.append(String.format(Locale.ROOT, " %ds:%d/%d/%d", e.getKey() * 5, p.p50(), p.p99(), p.max()));
        }
        out.printf(Locale.ROOT, "latency by produce time (5 s buckets, p50/p99/max ms):%s%n", line);
        StringBuilder cps = new StringBuilder();
        for (CheckpointBytes.Interval i : checkpoints.intervals()) {
            cps.append(String.format(Locale.ROOT, " %d@%.1fs(%,d B)", i.checkpoint().id(),
                    (i.checkpoint().triggeredAt() - pacedFrom) / 1000.0, i.checkpoint().checkpointedBytes()));
        }
        out.printf(Locale.ROOT, "checkpoints triggered (s into the window, uploaded):%s%n", cps);
    }

    /**
     * Where each counted checkpoint's time went, per task (maximum over its subtasks, ms): the barrier's start delay
     * (trigger to the barrier reaching the task), alignment (first to last input barrier), the synchronous part (the
     * task thread stops processing records: state snapshot, RocksDB memtable flush, sink flush) and the asynchronous
     * part (upload). The scoring operator's deferred card writes ({@code prepareSnapshotPreBarrier}) run on the task
     * thread before the synchronous part and are not in it: see the {@code fraudstreamCardBarrierWrite*} metrics.
     */
    private void printCheckpointPauses(int restPort, JobID jobId, CheckpointBytes checkpoints) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://localhost:" + restPort + "/jobs/" + jobId;
        Map<String, String> names = new LinkedHashMap<>();
        for (JsonNode v : getJson(http, base).path("vertices")) {
            String name = v.path("name").asText();
            names.put(v.path("id").asText(), name.length() > 40 ? name.substring(0, 40) + "…" : name);
        }
        out.println("checkpoint pause by task (max over subtasks, ms: start delay / alignment / sync / async):");
        for (CheckpointBytes.Interval i : checkpoints.intervals()) {
            long id = i.checkpoint().id();
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  checkpoint %d:", id));
            for (var vertex : names.entrySet()) {
                long delay = 0;
                long alignment = 0;
                long sync = 0;
                long async = 0;
                JsonNode subtasks = getJson(http, base + "/checkpoints/details/" + id + "/subtasks/" + vertex.getKey())
                        .path("subtasks");
                for (JsonNode s : subtasks) {
                    delay = Math.max(delay, s.path("start_delay").asLong());
                    alignment = Math.max(alignment, s.path("alignment").path("duration").asLong());
                    sync = Math.max(sync, s.path("checkpoint").path("sync").asLong());
                    async = Math.max(async, s.path("checkpoint").path("async").asLong());
                }
                line.append(String.format(Locale.ROOT, " [%s] %d/%d/%d/%d", vertex.getValue(), delay, alignment, sync,
                        async));
            }
            out.println(line);
        }
    }

    /**
     * Polls the job's REST resource until every subtask of every vertex is RUNNING (restored, operators open), or
     * fails after five minutes or on any terminal state.
     */
    private static void awaitAllSubtasksRunning(int restPort, JobID jobId) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String uri = "http://localhost:" + restPort + "/jobs/" + jobId;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (true) {
            JsonNode job = null;
            try {
                job = getJson(http, uri);
            } catch (java.io.IOException | IllegalStateException e) {
                // the REST endpoint starts with the job: not up yet, or the job not yet known to it
            }
            if (job != null) {
                String state = job.path("state").asText();
                if (Set.of("FAILED", "CANCELED", "FINISHED").contains(state)) {
                    throw new IllegalStateException("bench job " + jobId + " is " + state + " before it ran");
                }
                boolean all = job.path("vertices").size() > 0;
                for (JsonNode v : job.path("vertices")) {
                    all &= v.path("tasks").path("RUNNING").asInt() == v.path("parallelism").asInt();
                }
                if (all) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("bench job " + jobId + ": not every subtask RUNNING after 5 minutes: "
                        + job);
            }
            Thread.sleep(100); // polling a remote state: there is nothing to wait on
        }
    }

    /**
     * Polls the job's checkpoint statistics until a checkpoint (not a savepoint) has completed; returns its entry.
     * Fails after two intervals and the checkpoint timeout, or when one fails.
     */
    private static JsonNode awaitFirstCheckpoint(int restPort, JobID jobId, Duration interval) throws Exception {
        return pollCheckpoints(restPort, jobId, interval, history -> {
            for (JsonNode c : history) {
                if (c.path("is_savepoint").asBoolean()) {
                    continue;
                }
                switch (c.path("status").asText()) {
                    case "COMPLETED" -> {
                        return c;
                    }
                    case "FAILED" -> throw new IllegalStateException("bench job " + jobId + ": checkpoint "
                            + c.path("id").asLong() + " failed after the restore: " + c);
                    default -> {
                        // in progress
                    }
                }
            }
            return null;
        }, (history, limit) -> {
            throw new IllegalStateException("bench job " + jobId + ": no checkpoint completed within "
                    + limit.toSeconds() + " s of the restore");
        });
    }

    /**
     * Polls the job's checkpoint history (REST API of the local cluster on {@code restPort}) every 200 ms until
     * {@code until} answers (non-null), for at most two checkpoint intervals and the checkpoint timeout; then returns
     * what {@code atDeadline} makes of the last history read.
     */
    private static <T> T pollCheckpoints(int restPort, JobID jobId, Duration interval, Function<JsonNode, T> until,
            BiFunction<JsonNode, Duration, T> atDeadline) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String uri = "http://localhost:" + restPort + "/jobs/" + jobId + "/checkpoints";
        Duration limit = interval.multipliedBy(2).plus(CheckpointSettings.DEFAULT_TIMEOUT);
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            JsonNode history = getJson(http, uri).path("history");
            T answer = until.apply(history);
            if (answer != null) {
                return answer;
            }
            if (System.nanoTime() > deadline) {
                return atDeadline.apply(history, limit);
            }
            Thread.sleep(200); // polling the REST API: a checkpoint completes every interval
        }
    }

    /**
     * The checkpoints triggered before the paced window's first 20 s ended: the first after a restore from a
     * savepoint uploads the whole restored state (incremental checkpoints share files only with earlier checkpoints),
     * so its size and duration tell what the window's start competes with.
     */
    private void printEarlyCheckpoints(int restPort, JobID jobId, long pacedFrom) throws Exception {
        JsonNode history = getJson(HttpClient.newHttpClient(), "http://localhost:" + restPort + "/jobs/" + jobId
                + "/checkpoints").path("history");
        StringBuilder line = new StringBuilder();
        for (JsonNode c : history) {
            long triggered = c.path("trigger_timestamp").asLong();
            if (triggered < pacedFrom + 20_000 && "COMPLETED".equals(c.path("status").asText())) {
                line.insert(0, String.format(Locale.ROOT, " [%d: at %+.1f s, %,d B, %d ms]", c.path("id").asLong(),
                        (triggered - pacedFrom) / 1000.0, c.path("checkpointed_size").asLong(),
                        c.path("end_to_end_duration").asLong()));
            }
        }
        out.println("checkpoints early in the window (id: trigger time from its start, bytes uploaded, duration):"
                + line);
    }

    /** The scoring task's card-state metrics (docs/STATE.md), read from the REST API at the end of the window. */
    private static final List<String> CARD_STATE_METRICS = List.of(JobMetrics.CARD_WRITTEN_COLD,
            JobMetrics.CARD_WRITTEN_IDLE, JobMetrics.CARD_WRITTEN_AHEAD, JobMetrics.CARD_BARRIER_WRITE_CARDS,
            JobMetrics.CARD_BARRIER_WRITE_MICROS, JobMetrics.CARD_CACHE_HIT_RATE);

    /**
     * Where the scoring task's card writes went since the job started (summed over subtasks): written at once (cold),
     * after going idle, ahead of the write-behind bound; and the last barrier's writes (most over subtasks) and the
     * history cache's hit rate (least over subtasks). A metric the running job does not have is left out.
     */
    private void printCardStateWrites(int restPort, JobID jobId) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://localhost:" + restPort + "/jobs/" + jobId;
        StringBuilder line = new StringBuilder();
        for (JsonNode v : getJson(http, base).path("vertices")) {
            if (!v.path("name").asText().startsWith("score card transaction")) {
                continue;
            }
            String metrics = base + "/vertices/" + v.path("id").asText() + "/subtasks/metrics";
            Map<String, String> ids = new LinkedHashMap<>();
            for (JsonNode m : getJson(http, metrics)) {
                String id = m.path("id").asText();
                for (String name : CARD_STATE_METRICS) {
                    if (id.endsWith("." + name)) {
                        ids.put(id, name);
                    }
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            JsonNode values = getJson(http, metrics + "?agg=sum,min,max&get="
                    + java.net.URLEncoder.encode(String.join(",", ids.keySet()), java.nio.charset.StandardCharsets.UTF_8));
            for (JsonNode m : values) {
                String name = ids.get(m.path("id").asText());
                if (JobMetrics.CARD_CACHE_HIT_RATE.equals(name)) {
                    line.append(String.format(Locale.ROOT, " %s=%.4f(min)", name, m.path("min").asDouble()));
                } else if (JobMetrics.CARD_BARRIER_WRITE_CARDS.equals(name)
                        || JobMetrics.CARD_BARRIER_WRITE_MICROS.equals(name)) {
                    line.append(String.format(Locale.ROOT, " %s=%,.0f(max)", name, m.path("max").asDouble()));
                } else {
                    line.append(String.format(Locale.ROOT, " %s=%,.0f", name, m.path("sum").asDouble()));
                }
            }
        }
        out.printf(Locale.ROOT, "card state writes since the job started (scoring subtasks):%s%n",
                line.length() == 0 ? " (no metrics)" : line);
    }

    private static JsonNode getJson(HttpClient http, String uri) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private void printCheckpointBytes(CheckpointBytes c) {
        out.printf(Locale.ROOT, "%s checkpoint bytes per scored event: %s%n",
                "rocksdb".equals(stateBackend) ? "incremental" : "full (the heap backend has no incremental)",
                c.summary());
        for (CheckpointBytes.Interval i : c.intervals()) {
            out.printf(Locale.ROOT, "  checkpoint %d: %,d B uploaded (state %,d B) for %,d scored = %,.0f B per event%n",
                    i.checkpoint().id(), i.checkpoint().checkpointedBytes(), i.checkpoint().fullBytes(), i.scored(),
                    i.bytesPerEvent());
        }
    }

    /**
     * The job's completed checkpoints, once one triggered after {@code lastScoredAt} has completed, so the window's
     * last events are in a counted checkpoint; what there is after two intervals and the checkpoint timeout otherwise.
     */
    private static List<CheckpointBytes.Checkpoint> completedCheckpointsAfter(int restPort, JobID jobId,
            long lastScoredAt, Duration interval) throws Exception {
        return pollCheckpoints(restPort, jobId, interval, history -> {
            List<CheckpointBytes.Checkpoint> completed = completed(history);
            return completed.stream().anyMatch(c -> c.triggeredAt() > lastScoredAt) ? completed : null;
        }, (history, limit) -> completed(history));
    }

    /** The completed checkpoints (not savepoints) of a checkpoint history, as the REST API lists them. */
    private static List<CheckpointBytes.Checkpoint> completed(JsonNode history) {
        List<CheckpointBytes.Checkpoint> completed = new ArrayList<>();
        for (JsonNode c : history) {
            if ("COMPLETED".equals(c.path("status").asText()) && !c.path("is_savepoint").asBoolean()) {
                completed.add(new CheckpointBytes.Checkpoint(c.path("id").asLong(),
                        c.path("trigger_timestamp").asLong(), c.path("checkpointed_size").asLong(),
                        c.path("state_size").asLong()));
            }
        }
        return completed;
    }

    /** Records on {@code topic} now (committed ones: the consumer reads committed records only). */
    private static long countRecords(String bootstrap, String topic) {
        long n = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                n += consumer.poll(Duration.ofMillis(500)).count();
            }
        }
        return n;
    }

    /**
     * Reads {@code expected} scores; returns their scoredAt; collects (produced at, produce-to-score latency) and the
     * model versions if asked, of the scores whose transaction was produced at or after {@code latencyFrom} (epoch
     * ms).
     */
    private static long[] readScoredAt(String bootstrap, String topic, long expected, List<long[]> latencies,
            long latencyFrom, Map<String, Long> versions) {
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
                        if (latencies != null && r.timestamp() >= latencyFrom) {
                            latencies.add(new long[] {r.timestamp(), s.getScoredAt().toEpochMilli() - r.timestamp()});
                            versions.merge(s.getModelVersion(), 1L, Long::sum);
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
