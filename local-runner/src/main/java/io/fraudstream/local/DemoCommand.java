package io.fraudstream.local;

import io.fraudstream.cli.support.UsageException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fraudstream demo}: the whole pipeline in one process ({@link Demo}). */
@Command(name = "demo", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = {"Runs a real Kafka broker, the signed bootstrap model, the scoring job in a local Flink"
            + " environment (web UI, Prometheus metrics) and the simulator, in this process; prints a status line"
            + " every 5 s and every alert. Stops after --duration or on Ctrl-C."})
public final class DemoCommand implements Callable<Integer> {

    /** The two state backends and delivery guarantees the demo offers. */
    enum StateBackend { hashmap, rocksdb }

    enum Delivery { AT_LEAST_ONCE, EXACTLY_ONCE }

    @Option(names = "--duration", paramLabel = "D", description = "Stop after this long (e.g. 60s, 5m); default:"
            + " run until Ctrl-C.")
    Duration duration;

    @Option(names = "--rate", paramLabel = "TX_PER_S", defaultValue = "200", description = "Simulated transactions"
            + " per second.")
    double rate;

    @Option(names = "--cards", paramLabel = "N", defaultValue = "2000", description = "Simulated cards.")
    int cards;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Simulator and bootstrap-model"
            + " seed.")
    long seed;

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "9092", description = "Embedded Kafka"
            + " broker's port (0 = any free port).")
    int kafkaPort;

    @Option(names = "--web-port", paramLabel = "PORT", defaultValue = "8081", description = "Flink web UI port.")
    int webPort;

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "9249", description = "Prometheus"
            + " metrics port.")
    int metricsPort;

    @Option(names = "--state-backend", paramLabel = "B", defaultValue = "hashmap", description = "${COMPLETION-"
            + "CANDIDATES}.")
    StateBackend stateBackend;

    @Option(names = "--delivery", paramLabel = "G", defaultValue = "AT_LEAST_ONCE", description = "${COMPLETION-"
            + "CANDIDATES}.")
    Delivery delivery;

    @Option(names = "--work-dir", paramLabel = "DIR", defaultValue = "var/demo", description = "Keys, model store"
            + " and logs.")
    Path workDir;

    /** The validated settings; a bad value throws a {@link UsageException} naming the option. */
    DemoOptions options() {
        if (duration != null && duration.isZero()) {
            throw new UsageException("--duration must be > 0, was 0");
        }
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new UsageException("--rate must be > 0, was " + rate);
        }
        if (cards <= 0) {
            throw new UsageException("--cards must be >= 1, was " + cards);
        }
        port("--kafka-port", kafkaPort, true);
        port("--web-port", webPort, false);
        port("--metrics-port", metricsPort, false);
        return new DemoOptions(duration, rate, cards, seed, kafkaPort, webPort, metricsPort, stateBackend.name(),
                delivery.name(), workDir, Duration.ofSeconds(5));
    }

    private static void port(String option, int value, boolean zeroAllowed) {
        if (value < (zeroAllowed ? 0 : 1) || value > 65535) {
            throw new UsageException(option + " must be a port number, was " + value);
        }
    }

    @Override
    public Integer call() {
        DemoOptions options = options();
        System.setProperty("fraudstream.log.dir", options.workDir().toString());
        Demo demo = new Demo(options, System.out);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            demo.requestStop();
            try {
                done.await(45, TimeUnit.SECONDS); // let the demo cancel the job and stop the broker
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            demo.run();
            return 0;
        } catch (Exception e) {
            System.err.println("fraudstream demo failed: " + e);
            e.printStackTrace(System.err);
            return 1;
        } finally {
            done.countDown();
        }
    }
}
