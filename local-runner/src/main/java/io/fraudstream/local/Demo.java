package io.fraudstream.local;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.job.FraudScoringJob;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.trainer.bootstrap.BootstrapModel;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.schemas.AvroJson;
import io.fraudstream.schemas.Topics;
import io.fraudstream.simulator.KafkaTransactionWriter;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import io.fraudstream.simulator.SimulatedEvent;
import io.fraudstream.simulator.SimulatedTransaction;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The embedded default: a real Kafka broker in this process, the topics, a signed bootstrap model,
 * the scoring job in a local Flink environment with its web UI and Prometheus endpoint, and the
 * simulator feeding it. The job is wired by {@link FraudScoringJob#build}, exactly as on a cluster.
 */
final class Demo {

    private final DemoOptions options;
    private final PrintStream out;
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile Summary lastSummary;

    /** How the alerts of a finished run compare with the fraud the simulator injected. */
    record Summary(long scored, long alerts, long fraudScored, long fraudAlerted) {
        double recall() {
            return fraudScored == 0 ? 0 : (double) fraudAlerted / fraudScored;
        }

        double precision() {
            return alerts == 0 ? 0 : (double) fraudAlerted / alerts;
        }
    }

    Summary lastSummary() {
        return lastSummary;
    }

    Demo(DemoOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Asks a running demo to stop (Ctrl-C). */
    void requestStop() {
        stop.countDown();
    }

    /** Runs until the duration elapses or {@link #requestStop()}; returns the number of alerts seen. */
    long run() throws Exception {
        Path work = Files.createDirectories(options.workDir());
        out.println("fraudstream demo: starting an in-process Kafka broker ...");
        try (KafkaBroker broker = EmbeddedKafkaBroker.builder().port(options.kafkaPort()).start()) {
            Map<String, Integer> topics = new LinkedHashMap<>();
            Topics.ALL.forEach(t -> topics.put(t.name(), Topics.defaultPartitions(t)));
            broker.createTopics(topics, Duration.ofSeconds(60));
            out.println("  Kafka at " + broker.bootstrapServers() + ", topics " + topics.keySet());

            JobConfig config = jobConfig(broker.bootstrapServers(), bootstrapModel(work));
            Configuration flink = FraudScoringJob.flinkConfiguration(config);
            flink.set(RestOptions.PORT, options.webPort());
            flink.setString("metrics.reporter.prom.factory.class",
                    "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            flink.setString("metrics.reporter.prom.port", Integer.toString(options.metricsPort()));
            flink.setString("state.backend.type", options.stateBackend());
            // The default JobManager checkpoint storage caps state at 5 MB: checkpoints to files instead.
            flink.setString("execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
            env.setParallelism(2);
            FraudScoringJob.build(env, config);
            JobClient job = env.executeAsync(FraudScoringJob.JOB_NAME);
            out.printf("  job %s running: Flink web UI http://localhost:%d, metrics http://localhost:%d/metrics%n",
                    job.getJobID(), options.webPort(), options.metricsPort());

            // The analyst console on the embedded database, reading the demo's alerts and model store.
            io.fraudstream.console.Console console = startConsole(broker.bootstrapServers(), work);
            out.printf("  analyst console %s  one-time login: analyst / %s (model owner)%n", console.url(),
                    new String(console.oneTimeLogin("analyst", io.fraudstream.console.auth.Role.MODEL_OWNER)));

            AtomicLong sent = new AtomicLong();
            Set<String> injectedFraud = ConcurrentHashMap.newKeySet();
            AtomicReference<Throwable> simulatorFailure = new AtomicReference<>();
            Thread simulator = startSimulator(broker.bootstrapServers(), sent, injectedFraud, simulatorFailure);
            out.printf("  simulator: %d cards, %.0f tx/s, seed %d%s%n%n", options.cards(), options.rate(), options.seed(),
                    options.duration() == null ? "; Ctrl-C to stop" : "; stopping after " + options.duration());

            long alerts;
            Summary summary;
            try (ConsoleMonitor monitor = new ConsoleMonitor(broker.bootstrapServers(), Topics.FRAUD_SCORES.name(),
                    Topics.FRAUD_ALERTS.name(), out)) {
                long deadline = options.duration() == null ? Long.MAX_VALUE : System.nanoTime() + options.duration().toNanos();
                long nextStatus = System.nanoTime() + options.statusEvery().toNanos();
                while (System.nanoTime() < deadline && !stop.await(0, TimeUnit.MILLISECONDS)) {
                    monitor.pollOnce(Duration.ofMillis(200));
                    if (System.nanoTime() >= nextStatus) {
                        monitor.printStatus(sent.get());
                        nextStatus += options.statusEvery().toNanos();
                    }
                    if (simulatorFailure.get() != null) {
                        throw new IllegalStateException("the simulator failed", simulatorFailure.get());
                    }
                    if (job.getJobStatus().get().isGloballyTerminalState()) {
                        throw new IllegalStateException("the job stopped: " + job.getJobStatus().get()
                                + " (see " + work.resolve("fraudstream.log") + ")");
                    }
                }
                out.println();
                out.println("fraudstream demo: stopping ...");
                simulator.interrupt();
                simulator.join(10_000);
                // Let the last scores through before the job goes.
                long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (System.nanoTime() < drainUntil) {
                    monitor.pollOnce(Duration.ofMillis(200));
                }
                monitor.printStatus(sent.get());
                alerts = monitor.totalAlerts();
                summary = monitor.summarize(injectedFraud);
            } finally {
                simulator.interrupt();
                console.close();
                job.cancel().get(30, TimeUnit.SECONDS);
            }
            out.printf(java.util.Locale.ROOT, "injected fraud: %,d transactions scored, %,d of them alerted (recall %.2f); "
                    + "%,d alerts, %,d on injected fraud (precision %.2f)%n", summary.fraudScored(), summary.fraudAlerted(),
                    summary.recall(), summary.alerts(), summary.fraudAlerted(), summary.precision());
            out.println("fraudstream demo: stopped cleanly.");
            lastSummary = summary;
            return alerts;
        }
    }

    /** The console on 8090 (or any free port when 8090 is taken), promote/rollback on the demo's model store. */
    private io.fraudstream.console.Console startConsole(String bootstrap, Path work) throws Exception {
        Map<String, String> s = new java.util.HashMap<>();
        s.put("kafka.bootstrap-servers", bootstrap);
        s.put("console.bind", "127.0.0.1");
        s.put("console.model.store", work.resolve("model-store").toString());
        s.put("console.model.keys", work.resolve("keys").toString());
        s.put("console.prometheus-url", "http://localhost:" + options.metricsPort() + "/metrics");
        s.put("console.port", "8090");
        try {
            return io.fraudstream.console.Console.start(io.fraudstream.console.ConsoleSettings.of(s));
        } catch (Exception e) {
            s.put("console.port", "0");
            return io.fraudstream.console.Console.start(io.fraudstream.console.ConsoleSettings.of(s));
        }
    }

    private Path bootstrapModel(Path work) throws Exception {
        out.println("  training the bootstrap model (seeded extractor + Smile logistic regression on simulated history) ...");
        KeyPair keys = SigningKeys.loadOrCreate(work.resolve("keys"));
        // The demo's store is scratch: a rebuilt bootstrap model may differ from last run's under the same version.
        Path store = work.resolve("model-store");
        if (Files.exists(store)) {
            try (var files = Files.walk(store)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        Files.createDirectories(store);
        FraudModel model = BootstrapModel.create(options.seed());
        ModelDescriptor descriptor = new ModelStore(store).publish(model, ModelRole.CHAMPION, keys.getPrivate());
        Path descriptorFile = work.resolve("champion.json");
        AvroJson.write(descriptor, descriptorFile);
        out.printf("  model %s signed into %s (threshold %.3f)%n", model.version(), store, model.threshold());
        return work;
    }

    private JobConfig jobConfig(String bootstrap, Path work) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(JobOptions.BOOTSTRAP_SERVERS.key(), bootstrap);
        values.put(JobOptions.MODEL_STORE.key(), work.resolve("model-store").toString());
        values.put(JobOptions.MODEL_PUBLIC_KEY.key(), work.resolve("keys").resolve(SigningKeys.PUBLIC_KEY_FILE).toString());
        values.put(JobOptions.MODEL_INITIAL_DESCRIPTOR.key(), work.resolve("champion.json").toString());
        values.put(JobOptions.DELIVERY.key(), options.delivery());
        // The demo's broker and topics are its own and new: score everything the simulator writes, from the first record.
        values.put(JobOptions.START_FROM.key(), "earliest");
        values.put(JobOptions.CHECKPOINT_INTERVAL.key(), options.delivery().equals("EXACTLY_ONCE") ? "2 s" : "10 s");
        // Simulated time runs faster than the wall clock: let it run ahead without dead-lettering.
        values.put(JobOptions.MAX_EVENT_LEAD.key(), "3650 d");
        return JobConfig.fromMap(values);
    }

    private Thread startSimulator(String bootstrap, AtomicLong sent, Set<String> injectedFraud,
            AtomicReference<Throwable> failure) {
        SimulatorConfig config = SimulatorConfig.builder()
                .seed(options.seed())
                .cards(options.cards())
                .start(Instant.now().minus(Duration.ofDays(30)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                .unbounded()
                .build();
        Thread thread = new Thread(() -> {
            try (KafkaTransactionWriter writer = KafkaTransactionWriter.builder(bootstrap)
                    .ratePerSecond(options.rate()).build()) {
                var events = new Simulator(config).eventIterator();
                while (events.hasNext() && !Thread.currentThread().isInterrupted()) {
                    SimulatedEvent event = events.next();
                    if (event instanceof SimulatedTransaction t && t.fraud()) {
                        injectedFraud.add(t.tx().getTransactionId());
                    }
                    writer.send(event);
                    sent.set(writer.sentTransactions());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "simulator");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
