package io.fraudstream.replay.run;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the sinks of a bounded run leave their results for the client: a registry in this JVM, keyed by a run id
 * the sinks carry.
 *
 * <p>A bounded run always executes on a local environment, inside the client's JVM (its input is a spool file on the
 * client's disk), so the results need not travel as Flink's collect path ships them: serialized by the sink, pulled
 * through the job's coordinator, deserialized by the client, every string twice — measured at about a fifth of the
 * run's CPU. Here each sink subtask appends to its own list and hands the list over when its input ends; the
 * objects change hands once, through {@link #deliver}. A sink that runs in another JVM finds no registered run and
 * fails the job, naming the cause, instead of losing results.
 *
 * <p>The sinks also stamp the interval the run's throughput is measured over: the time (and the process CPU time)
 * of the first result of any subtask and of the last.
 */
final class LocalResults implements AutoCloseable {

    private static final Map<String, LocalResults> RUNS = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();
    private final List<List<List<ReplayOutcome>>> delivered;
    private final LongAdder count = new LongAdder();
    private final AtomicLong firstNanos = new AtomicLong(Long.MAX_VALUE);
    private volatile long firstCpuNanos = -1;
    private final LongAccumulator lastNanos = new LongAccumulator(Math::max, Long.MIN_VALUE);
    private final LongAccumulator lastCpuNanos = new LongAccumulator(Math::max, -1);

    private LocalResults(int models) {
        delivered = new ArrayList<>(models);
        for (int i = 0; i < models; i++) {
            delivered.add(new ArrayList<>());
        }
    }

    /** Registers a run with {@code models} result streams; close it when the run is over. */
    static LocalResults open(int models) {
        LocalResults r = new LocalResults(models);
        RUNS.put(r.id, r);
        return r;
    }

    /** The run registered under {@code id}; fails when the caller does not run in the JVM that opened it. */
    static LocalResults of(String id) {
        LocalResults r = RUNS.get(id);
        if (r == null) {
            throw new IllegalStateException("bounded run " + id + " is not registered in this JVM: a bounded"
                    + " evaluation runs on a local environment in the client's JVM, and its result sinks must too");
        }
        return r;
    }

    String id() {
        return id;
    }

    /** Called by a sink before its first result: stamps the run's start if this is the first result of all. */
    void started() {
        long now = System.nanoTime();
        if (firstNanos.get() == Long.MAX_VALUE && firstNanos.compareAndSet(Long.MAX_VALUE, now)) {
            firstCpuNanos = processCpuNanos();
        }
    }

    /** Counts results (for progress lines while the job runs). */
    void counted(long results) {
        count.add(results);
    }

    /** Hands over a sink subtask's results for model {@code model}, in the order it received them. */
    void deliver(int model, List<ReplayOutcome> outcomes) {
        long now = System.nanoTime();
        synchronized (delivered) {
            delivered.get(model).add(outcomes);
        }
        lastNanos.accumulate(now);
        lastCpuNanos.accumulate(processCpuNanos());
    }

    /** Results counted so far (progress; exact once the job has finished). */
    long count() {
        return count.sum();
    }

    /** Every result delivered for {@code model}, subtask after subtask (order across subtasks is arbitrary). */
    List<ReplayOutcome> outcomes(int model) {
        synchronized (delivered) {
            List<ReplayOutcome> all = new ArrayList<>();
            for (List<ReplayOutcome> part : delivered.get(model)) {
                all.addAll(part);
            }
            return all;
        }
    }

    /** System.nanoTime() of the first result; -1 when there was none. */
    long firstNanos() {
        long f = firstNanos.get();
        return f == Long.MAX_VALUE ? -1 : f;
    }

    /** System.nanoTime() of the last delivery; -1 when there was none. */
    long lastNanos() {
        long l = lastNanos.get();
        return l == Long.MIN_VALUE ? -1 : l;
    }

    /** Process CPU time between the first result and the last delivery; -1 when unknown. */
    long cpuNanos() {
        long first = firstCpuNanos;
        long last = lastCpuNanos.get();
        return first < 0 || last < 0 ? -1 : last - first;
    }

    @Override
    public void close() {
        RUNS.remove(id);
    }

    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }
}
