package io.fraudstream.replay.run;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress lines on long runs: one line every {@code everyRecords} records or {@code everyMillis}
 * milliseconds, whichever comes first, to a stream (stderr by default, so stdout stays clean). Not
 * thread-safe; one per loop.
 */
public final class Progress {

    private final PrintStream out;
    private final long everyRecords;
    private final long everyNanos;
    private long start = -1;
    private long lastNanos;
    private long lastCount;

    public Progress(PrintStream out, long everyRecords, long everyMillis) {
        this.out = out;
        this.everyRecords = everyRecords;
        this.everyNanos = everyMillis * 1_000_000L;
    }

    /** Prints nothing. */
    public static Progress silent() {
        return new Progress(null, Long.MAX_VALUE, Long.MAX_VALUE / 2_000_000L);
    }

    /** Call per record; prints when due. {@code total} &lt; 0 when unknown. */
    public void tick(String what, long count, long total) {
        if (out == null) {
            return;
        }
        long now = System.nanoTime();
        if (start < 0) {
            start = now;
            lastNanos = now;
        }
        if (count - lastCount >= everyRecords || now - lastNanos >= everyNanos) {
            double seconds = (now - start) / 1e9;
            String pct = total > 0 ? String.format(Locale.ROOT, " (%.1f%%)", 100.0 * count / total) : "";
            out.println(String.format(Locale.ROOT, "%s: %,d%s%s, %.1f s, %,.0f/s", what, count,
                    total > 0 ? String.format(Locale.ROOT, " / %,d", total) : "", pct, seconds,
                    seconds > 0 ? count / seconds : 0.0));
            lastNanos = now;
            lastCount = count;
        }
    }

    public void done(String what, long count) {
        if (out == null) {
            return;
        }
        double seconds = start < 0 ? 0 : (System.nanoTime() - start) / 1e9;
        out.println(String.format(Locale.ROOT, "%s: %,d done in %.1f s", what, count, seconds));
        start = -1;
        lastCount = 0;
    }
}
