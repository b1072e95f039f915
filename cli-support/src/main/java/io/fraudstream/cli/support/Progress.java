package io.fraudstream.cli.support;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long runs (reading, scoring, replaying). On a terminal (progress to stderr, and stderr a terminal:
 * {@link #stderrIsTerminal()}): a progress bar with count, rate and ETA (when the total is known), one per stage. Otherwise (logs, CI,
 * tests): one plain line every {@code everyRecords} records or {@code everyMillis} milliseconds, whichever comes
 * first. Shared by the commands' long loops (replay, evaluate, compare, train). {@link #tick} and {@link #done} are
 * synchronized, so parallel workers may report through one instance, each taking its count inside
 * {@code synchronized (progress)} so that counts arrive in order.
 */
public final class Progress {

    private final PrintStream out;
    private final long everyRecords;
    private final long everyNanos;
    private final boolean terminal;
    private long start = -1;
    private long lastNanos;
    private long lastCount;
    private ProgressBar bar;
    private String barTask;

    public Progress(PrintStream out, long everyRecords, long everyMillis) {
        this(out, everyRecords, everyMillis, out == System.err && stderrIsTerminal());
    }

    /**
     * Whether stderr is a terminal. The {@code fraudstream} launcher sets {@code fraudstream.stderr.tty} from
     * {@code [ -t 2 ]}; without it (a hand-built {@code java} line) a console on stdin and stdout is taken as the
     * answer, which is wrong only when stderr alone is redirected.
     */
    static boolean stderrIsTerminal() {
        String told = System.getProperty("fraudstream.stderr.tty");
        if (told != null) {
            return Boolean.parseBoolean(told);
        }
        return System.console() != null;
    }

    /** {@code terminal}: draw a bar on the console rather than print plain lines to {@code out}. */
    public Progress(PrintStream out, long everyRecords, long everyMillis, boolean terminal) {
        this.out = out;
        this.everyRecords = everyRecords;
        this.everyNanos = everyMillis * 1_000_000L;
        this.terminal = terminal && out != null;
    }

    /** Prints nothing. */
    public static Progress silent() {
        return new Progress(null, Long.MAX_VALUE, Long.MAX_VALUE / 2_000_000L, false);
    }

    /** Call per record; prints when due. {@code total} &lt; 0 when unknown. */
    public synchronized void tick(String what, long count, long total) {
        if (out == null) {
            return;
        }
        if (terminal) {
            bar(what, total).stepTo(count);
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

    public synchronized void done(String what, long count) {
        if (out == null) {
            return;
        }
        if (terminal) {
            if (bar != null) {
                bar.stepTo(count);
                bar.close();
                bar = null;
            }
            return;
        }
        double seconds = start < 0 ? 0 : (System.nanoTime() - start) / 1e9;
        out.println(String.format(Locale.ROOT, "%s: %,d done in %.1f s", what, count, seconds));
        start = -1;
        lastCount = 0;
    }

    /** The bar of stage {@code what}, started on its first tick (a new stage closes the previous bar). */
    private ProgressBar bar(String what, long total) {
        if (bar != null && !what.equals(barTask)) {
            bar.close();
            bar = null;
        }
        if (bar == null) {
            barTask = what;
            bar = new ProgressBarBuilder().setTaskName(what).setInitialMax(total > 0 ? total : -1)
                    .setStyle(ProgressBarStyle.ASCII).showSpeed().setUpdateIntervalMillis(250)
                    .continuousUpdate().build();
        } else if (total > 0 && bar.getMax() != total) {
            bar.maxHint(total);
        }
        return bar;
    }
}
