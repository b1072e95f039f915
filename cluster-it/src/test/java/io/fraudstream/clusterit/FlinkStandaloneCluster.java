package io.fraudstream.clusterit;

import io.fraudstream.testkit.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * A Flink standalone session cluster made of real processes: one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and N TaskManagers ({@code TaskManagerRunner}), each a
 * separate JVM started from Flink's own entry points with a generated {@code config.yaml} directory passed by
 * {@code --configDir}, as {@code bin/jobmanager.sh} and {@code bin/taskmanager.sh} would. The classpath is the
 * runtime jars of Flink (what {@code flink-dist/lib} holds), never the test's classpath: the job reaches the
 * cluster only through its shaded jar.
 *
 * <p>Each process writes its Flink log to {@code <dir>/log/<name>.log} and its stdout/stderr to
 * {@code <dir>/log/<name>.out}; {@link #diagnostics()} returns their tails for failure messages. A JVM shutdown
 * hook kills the processes if the test JVM dies before {@link #close()}.
 */
final class FlinkStandaloneCluster implements AutoCloseable {

    /** Options Flink's own {@code config.yaml} passes to every JVM on Java 17 ({@code env.java.opts.all}). */
    static final List<String> JAVA17_OPTS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    static final String JOBMANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASKMANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    /** A started process with its log files and Prometheus port. */
    record Node(String name, Process process, Path log, Path out, int metricsPort) {}

    private final Path dir;
    private final Path confDir;
    private final String classpath;
    private final int restPort;
    private final List<Node> nodes = new ArrayList<>();
    /** Processes killed on purpose ({@link #kill}): no longer expected alive, still cleaned up on close. */
    private final List<Node> killed = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::killAll, "flink-cluster-kill");

    private FlinkStandaloneCluster(Path dir, String classpath, int restPort) {
        this.dir = dir;
        this.confDir = dir.resolve("conf");
        this.classpath = classpath;
        this.restPort = restPort;
    }

    /**
     * Writes the configuration and starts the JobManager and {@code taskManagers} TaskManagers with
     * {@code slotsPerTaskManager} slots each. Does not wait for them: see {@link FlinkRest#awaitTaskManagers}.
     */
    static FlinkStandaloneCluster start(Path dir, Path classpathFile, int taskManagers, int slotsPerTaskManager,
            Map<String, String> extraConfig) throws IOException {
        String classpath = Files.readString(classpathFile, StandardCharsets.UTF_8).trim();
        if (classpath.isEmpty()) {
            throw new IllegalStateException(classpathFile + " is empty (written by maven-dependency-plugin in cluster-it)");
        }
        FlinkStandaloneCluster cluster = new FlinkStandaloneCluster(dir, classpath, FreePorts.pick());
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        cluster.writeConfig(slotsPerTaskManager, extraConfig);
        cluster.startNode("jobmanager", JOBMANAGER_MAIN, List.of("-Xms256m", "-Xmx512m"));
        for (int i = 1; i <= taskManagers; i++) {
            cluster.startTaskManager("taskmanager-" + i);
        }
        return cluster;
    }

    /**
     * Starts one more TaskManager process (for instance to replace a killed one); it registers with the
     * JobManager by itself. Does not wait for it.
     */
    Node startTaskManager(String name) throws IOException {
        // Heap = framework heap + task heap; direct = framework + task off-heap + network (see writeConfig).
        return startNode(name, TASKMANAGER_MAIN, List.of("-Xms320m", "-Xmx320m",
                "-XX:MaxDirectMemorySize=192m", "-XX:MaxMetaspaceSize=256m",
                "--add-modules", "jdk.incubator.vector")); // the extractor's Vector API top-k
    }

    /**
     * SIGKILL ({@link Process#destroyForcibly()} on Unix): the process gets no chance to deregister, flush
     * or close connections, like a machine or container dying. Waits until it is gone.
     */
    void kill(Node node) throws InterruptedException {
        if (!nodes.remove(node)) {
            throw new IllegalArgumentException(node.name() + " is not a running node of this cluster");
        }
        killed.add(node);
        node.process().destroyForcibly();
        if (!node.process().waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(node.name() + " (pid " + node.process().pid() + ") survived SIGKILL for 30 s");
        }
    }

    /** The cluster-wide settings, the ones an operator would put into {@code conf/config.yaml}. */
    private void writeConfig(int slots, Map<String, String> extra) throws IOException {
        Files.createDirectories(confDir);
        Files.createDirectories(dir.resolve("log"));
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "localhost");
        c.put("jobmanager.rpc.port", Integer.toString(FreePorts.pick()));
        c.put("jobmanager.bind-host", "localhost");
        c.put("jobmanager.memory.process.size", "768m");
        c.put("rest.address", "localhost");
        c.put("rest.bind-address", "localhost");
        c.put("rest.port", Integer.toString(restPort));
        c.put("taskmanager.host", "localhost");
        c.put("taskmanager.bind-host", "localhost");
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(slots));
        // Small, explicit resources: this machine has 2 cores and several builds at once. Started without
        // bin/taskmanager.sh, a TaskManager needs these set (the script derives them with BashJavaUtils).
        c.put("taskmanager.cpu.cores", Integer.toString(slots));
        c.put("taskmanager.memory.framework.heap.size", "64m");
        c.put("taskmanager.memory.task.heap.size", "256m");
        c.put("taskmanager.memory.framework.off-heap.size", "64m");
        c.put("taskmanager.memory.task.off-heap.size", "32m");
        c.put("taskmanager.memory.network.min", "64m");
        c.put("taskmanager.memory.network.max", "64m");
        c.put("taskmanager.memory.managed.size", "128m");
        c.put("taskmanager.memory.jvm-metaspace.size", "256m");
        c.put("taskmanager.memory.jvm-overhead.min", "128m");
        c.put("taskmanager.memory.jvm-overhead.max", "128m");
        c.put("state.backend.type", "rocksdb");
        c.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        c.put("execution.checkpointing.savepoint-dir", dir.resolve("savepoints").toUri().toString());
        c.put("restart-strategy.type", "fixed-delay");
        c.put("restart-strategy.fixed-delay.attempts", "2");
        c.put("restart-strategy.fixed-delay.delay", "1 s");
        c.put("web.upload.dir", dir.resolve("uploads").toString());
        c.put("io.tmp.dirs", dir.resolve("tmp").toString());
        c.put("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        c.put("metrics.fetcher.update-interval", "1000");
        c.putAll(extra);
        Files.createDirectories(dir.resolve("tmp"));
        Files.createDirectories(dir.resolve("uploads"));
        String yaml = c.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining("\n", "# generated by cluster-it FlinkStandaloneCluster\n", "\n"));
        Files.writeString(confDir.resolve("config.yaml"), yaml);
        Files.writeString(confDir.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = MainAppender",
                "appender.main.name = MainAppender",
                "appender.main.type = File",
                "appender.main.append = true",
                "appender.main.fileName = ${sys:log.file}",
                "appender.main.layout.type = PatternLayout",
                "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                ""));
    }

    private Node startNode(String name, String mainClass, List<String> jvmOpts) throws IOException {
        Path log = dir.resolve("log").resolve(name + ".log");
        Path out = dir.resolve("log").resolve(name + ".out");
        int metricsPort = FreePorts.pick();
        List<String> args = new ArrayList<>(jvmOpts);
        args.add("-XX:+UseSerialGC");
        args.addAll(JAVA17_OPTS);
        args.add("-Dlog.file=" + log);
        args.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        args.add("-cp");
        args.add(classpath);
        args.add(mainClass);
        args.add("--configDir");
        args.add(confDir.toString());
        // Dynamic properties, as the start scripts pass them: one Prometheus port per process on this host.
        args.add("-Dmetrics.reporter.prom.port=" + metricsPort);
        // A Java argument file keeps the (long) command line readable in `ps` and reusable by hand.
        Path argFile = confDir.resolve(name + ".args");
        Files.write(argFile, args.stream().map(FlinkStandaloneCluster::quote).toList(), StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder(javaBinary(), "@" + argFile)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        Node node = new Node(name, pb.start(), log, out, metricsPort);
        nodes.add(node);
        return node;
    }

    String restUrl() {
        return "http://localhost:" + restPort;
    }

    Path dir() {
        return dir;
    }

    List<Node> nodes() {
        return List.copyOf(nodes);
    }

    List<Node> taskManagers() {
        return nodes.stream().filter(n -> n.name().startsWith("taskmanager")).toList();
    }

    /** Fails (with every log's tail) if a process has exited: nothing in this cluster should stop by itself. */
    void assertAlive() {
        for (Node n : nodes) {
            if (!n.process().isAlive()) {
                throw new AssertionError(n.name() + " exited with status " + n.process().exitValue() + "\n" + diagnostics());
            }
        }
    }

    /** Waits for {@code condition}, checking the processes are alive; fails with the logs' tails on timeout. */
    void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            assertAlive();
            if (condition.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "\n" + diagnostics());
            }
            try {
                Thread.sleep(250); // poll interval, not synchronisation: the condition decides
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    /** The last lines of every process's log and stdout, for failure messages. */
    String diagnostics() {
        StringBuilder sb = new StringBuilder("---- Flink cluster logs (full files under ").append(dir.resolve("log")).append(") ----\n");
        for (Node n : nodes) {
            for (Path p : List.of(n.log(), n.out())) {
                sb.append("== ").append(p.getFileName()).append(n.process().isAlive() ? "" : " (process exited)").append('\n');
                sb.append(tail(p, 40)).append('\n');
            }
        }
        return sb.toString();
    }

    static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no file)";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Stops every process: SIGTERM, then SIGKILL after 15 s. */
    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs (or ran) killAll
        }
    }

    private void killAll() {
        for (Node n : killed) {
            n.process().destroyForcibly();
        }
        for (Node n : nodes) {
            n.process().destroy();
        }
        for (Node n : nodes) {
            try {
                if (!n.process().waitFor(15, TimeUnit.SECONDS)) {
                    n.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                n.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Resident set size of a process in bytes (Linux {@code /proc/<pid>/status}), -1 where unavailable. */
    static long residentBytes(Process process) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | UncheckedIOException | NumberFormatException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Quotes an argument-file line when it contains spaces (java's @file syntax). */
    private static String quote(String arg) {
        return arg.contains(" ") ? "\"" + arg.replace("\\", "\\\\") + "\"" : arg;
    }
}
