package io.fraudstream.local;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * When the bench's warm-up ends: not before {@code minMillis}, then as soon as the JIT has gone quiet — the
 * compilers' time over the last {@link #SPAN_MILLIS} at most {@link #QUIET_MILLIS} — and at {@code maxMillis}
 * whether quiet or not. The JIT compiles the paced path (the in-process broker's most of all) for the first 40–50
 * s on two cores, in some runs longer; a fixed warm-up ended before it went quiet in 4 of 17 runs
 * (docs/BENCHMARKS.md, "The JIT settles").
 *
 * <p>Fed with the time since the paced phase began and the JVM's accumulated compile time
 * ({@code CompilationMXBean.getTotalCompilationTime()}, the elapsed time of all compilations, summed over the
 * compiler threads). Samples closer than a second to the last one kept are ignored, so a caller may feed it as often
 * as it likes. Not thread-safe.
 */
final class WarmUpGate {

    /** The span over which the JIT must be quiet. */
    static final long SPAN_MILLIS = 10_000;
    /**
     * At most this much compile time in the last {@link #SPAN_MILLIS}, 0.1 by this count. The count is elapsed time,
     * about twice the compiler threads' CPU on a saturated 2-core machine: while the paced path is compiled it reads
     * 10,000–12,700 ms per 10 s, when /proc shows the compiler threads at 0.4–0.7 cores; in the measured windows
     * after this gate it read 1,100–3,500 ms per 60 s (docs/BENCHMARKS.md, "A warm-up that waits for the JIT").
     */
    static final long QUIET_MILLIS = 1_000;

    private final long minMillis;
    private final long maxMillis;
    /** [elapsed ms, compile ms], one a second at most, the oldest no older than needed for one span. */
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();
    private String reason;
    /** The compile time of each whole {@link #SPAN_MILLIS} since the first sample, for the record. */
    private final List<Long> perSpan = new ArrayList<>();
    private long spanEnd = -1;
    private long spanStartCompile;

    WarmUpGate(long minMillis, long maxMillis) {
        if (minMillis < 0 || maxMillis < minMillis) {
            throw new IllegalArgumentException("need 0 <= min <= max, was " + minMillis + " and " + maxMillis);
        }
        this.minMillis = minMillis;
        this.maxMillis = maxMillis;
    }

    /** Records a sample and answers whether the warm-up is over; once it is, it stays over. */
    boolean over(long elapsedMillis, long compileMillis) {
        if (reason != null) {
            return true;
        }
        if (spanEnd < 0) {
            spanEnd = elapsedMillis + SPAN_MILLIS;
            spanStartCompile = compileMillis;
        } else if (elapsedMillis >= spanEnd) {
            perSpan.add(compileMillis - spanStartCompile);
            spanEnd += SPAN_MILLIS;
            spanStartCompile = compileMillis;
        }
        if (samples.isEmpty() || elapsedMillis - samples.peekLast()[0] >= 1_000) {
            samples.addLast(new long[] {elapsedMillis, compileMillis});
        }
        // Keep the newest sample that is at least one span old, as the span's start; drop the older ones.
        while (samples.size() > 1 && elapsedMillis - nextAfterOldest()[0] >= SPAN_MILLIS) {
            samples.removeFirst();
        }
        long[] oldest = samples.peekFirst();
        boolean fullSpan = elapsedMillis - oldest[0] >= SPAN_MILLIS;
        long compiled = compileMillis - oldest[1];
        if (elapsedMillis >= minMillis && fullSpan && compiled <= QUIET_MILLIS) {
            reason = String.format(Locale.ROOT, "the JIT went quiet (%,d ms of compile time in the last %.0f s)",
                    compiled, (elapsedMillis - oldest[0]) / 1000.0);
        } else if (elapsedMillis >= maxMillis) {
            reason = String.format(Locale.ROOT, "%s (%,d ms of compile time in the last %.0f s)",
                    maxMillis == minMillis ? "its fixed length" : "its maximum, the JIT not quiet", compiled,
                    (elapsedMillis - oldest[0]) / 1000.0);
        }
        return reason != null;
    }

    /** Why the warm-up ended, once it has; null before. */
    String reason() {
        return reason;
    }

    /** The compile time of each whole span of the warm-up, in order, as "a / b / c ms"; says so if there is none. */
    String compileTimePerSpan() {
        return perSpan.isEmpty() ? "none (no whole span)" : perSpan.stream()
                .map(ms -> String.format(Locale.ROOT, "%,d", ms)).collect(Collectors.joining(" / ", "", " ms"));
    }

    private long[] nextAfterOldest() {
        var it = samples.iterator();
        it.next();
        return it.next();
    }
}
