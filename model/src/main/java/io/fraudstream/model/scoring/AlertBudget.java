package io.fraudstream.model.scoring;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;

/**
 * An alert budget held on live scores: the threshold is the score above which the budgeted share of the recent
 * scores lies, so the alert rate stays at the analysts' capacity when fraud prevalence or the score distribution
 * moves. A threshold fixed on a validation window cannot do that: on the Sparkov sample the validation window had
 * 0.42 % fraud and the test year 0.54 %, and the fixed 1 % threshold alerted on 1.30 % (docs/TRAINER.md).
 *
 * <p><b>Rule.</b> The window ({@link Settings#windowMillis()}) is cut into {@value #SLOTS} buckets of event time. A score
 * is counted in its event time's bucket, in a histogram of its log-odds ({@value #BINS} bins over
 * [{@value #LOGIT_MIN}, {@value #LOGIT_MAX}], clamped). The threshold for events of bucket {@code b} is the
 * {@code 1 - share} quantile of the scores counted in the {@value #SLOTS} <i>complete</i> buckets before {@code b}
 * (linear within the quantile's bin), computed once when the clock reaches {@code b}. The clock is the latest event
 * time seen: a late event is counted in its own bucket (if still inside the window) and decided with the current
 * threshold. While the window holds fewer than {@link Settings#minScores()} scores (start, a new model, a gap in
 * traffic) the caller's fallback threshold applies: the model's own, chosen for the same budget on validation.
 *
 * <p><b>Determinism.</b> The threshold depends only on the scores observed and their order: the job keeps one per
 * model per subtask (each subtask sees a random share of the cards, so each estimates the same quantile); replay
 * feeds one with every score in event-time order, which is the rule the job's subtasks estimate. Both are
 * reproducible. A score never moves its own threshold (only complete buckets count).
 *
 * <p>Not thread-safe; about {@code 4 * BINS} bytes per non-empty bucket.
 */
public final class AlertBudget {

    /** Buckets per window (the threshold moves at most this often per window). */
    public static final int SLOTS = 24;
    public static final int BINS = 1024;
    public static final double LOGIT_MIN = -12;
    public static final double LOGIT_MAX = 12;
    private static final double BIN_WIDTH = (LOGIT_MAX - LOGIT_MIN) / BINS;
    private static final int FORMAT = 1;

    /**
     * @param share        budgeted share of transactions that alert, in (0, 0.5]
     * @param windowMillis event time the quantile looks back over (e.g. 24 h: the day's rhythm is in every window)
     * @param minAlerts    the window must hold at least {@code minAlerts / share} scores before its quantile replaces
     *                     the fallback (100 at a 1 % budget: 10,000 scores), so a thin window does not set it
     */
    public record Settings(double share, long windowMillis, int minAlerts) implements java.io.Serializable {
        public static final Duration DEFAULT_WINDOW = Duration.ofHours(24);
        public static final int DEFAULT_MIN_ALERTS = 100;

        public Settings {
            if (!(share > 0 && share <= 0.5)) {
                throw new IllegalArgumentException("alert budget share must be in (0, 0.5], got " + share);
            }
            if (windowMillis < SLOTS) {
                throw new IllegalArgumentException("alert budget window must be at least " + SLOTS + " ms, got "
                        + windowMillis + " ms");
            }
            if (minAlerts < 1) {
                throw new IllegalArgumentException("alert budget minimum alerts must be >= 1, got " + minAlerts);
            }
        }

        /** The scores a window must hold before its quantile is used. */
        public long minScores() {
            return (long) Math.ceil(minAlerts / share);
        }

        public long bucketMillis() {
            return windowMillis / SLOTS;
        }
    }

    private final Settings settings;
    private final long bucketMillis;
    /** Ring of SLOTS + 1 buckets: the window's SLOTS complete ones and the clock's current one. */
    private final long[] slotBucket = new long[SLOTS + 1];
    private final int[][] slotCounts = new int[SLOTS + 1][];
    private final long[] slotTotal = new long[SLOTS + 1];
    /** Latest bucket seen (the clock); Long.MIN_VALUE before the first score. */
    private long clock = Long.MIN_VALUE;
    /** The window's threshold for the clock's bucket; NaN while the window is too thin. */
    private double threshold = Double.NaN;
    private long windowScores;
    /** Scores too late for the window (older than its oldest bucket): not counted. */
    private long tooLate;

    public AlertBudget(Settings settings) {
        this.settings = settings;
        this.bucketMillis = settings.bucketMillis();
        Arrays.fill(slotBucket, Long.MIN_VALUE);
    }

    public Settings settings() {
        return settings;
    }

    /**
     * The threshold for an event at {@code eventTimeMillis}: the window's quantile, or {@code fallback} while the window
     * holds fewer than {@link Settings#minScores()} scores. Advances the clock when the event is the latest yet.
     */
    public double threshold(long eventTimeMillis, double fallback) {
        advance(Math.floorDiv(eventTimeMillis, bucketMillis));
        return Double.isNaN(threshold) ? fallback : threshold;
    }

    /** Whether the window's quantile (not the fallback) sets the threshold now. */
    public boolean active() {
        return !Double.isNaN(threshold);
    }

    /** Scores in the complete buckets of the current window. */
    public long windowScores() {
        return windowScores;
    }

    /** Scores that arrived after their bucket left the window (not counted). */
    public long tooLate() {
        return tooLate;
    }

    /** Counts a score of an event at {@code eventTimeMillis} (call after deciding it: it is not in its own window). */
    public void observe(long eventTimeMillis, double score) {
        long bucket = Math.floorDiv(eventTimeMillis, bucketMillis);
        advance(bucket);
        if (bucket <= clock - SLOTS - 1) {
            tooLate++;
            return;
        }
        int slot = slot(bucket);
        if (slotBucket[slot] != bucket) {
            resetSlot(slot, bucket);
        }
        if (slotCounts[slot] == null) {
            slotCounts[slot] = new int[BINS];
        }
        slotCounts[slot][bin(score)]++;
        slotTotal[slot]++;
    }

    private void advance(long bucket) {
        if (bucket <= clock) {
            return;
        }
        clock = bucket;
        recompute();
    }

    private void recompute() {
        long[] sum = new long[BINS];
        long total = 0;
        for (int s = 0; s <= SLOTS; s++) {
            long b = slotBucket[s];
            if (b >= clock - SLOTS && b <= clock - 1 && slotCounts[s] != null) {
                int[] c = slotCounts[s];
                for (int i = 0; i < BINS; i++) {
                    sum[i] += c[i];
                }
                total += slotTotal[s];
            }
        }
        windowScores = total;
        threshold = total >= settings.minScores() && total > 0 ? quantile(sum, total, settings.share()) : Double.NaN;
    }

    /**
     * The score with {@code share} of {@code total} at or above it, linear in log-odds within its bin; a probability.
     */
    static double quantile(long[] counts, long total, double share) {
        double target = share * total;
        double above = 0;
        for (int i = BINS - 1; i >= 0; i--) {
            long c = counts[i];
            if (c > 0 && above + c >= target) {
                double upper = LOGIT_MIN + (i + 1) * BIN_WIDTH;
                double logit = upper - (target - above) / c * BIN_WIDTH;
                return 1 / (1 + Math.exp(-logit));
            }
            above += c;
        }
        return 1 / (1 + Math.exp(-LOGIT_MIN));
    }

    static int bin(double score) {
        double p = Math.min(Math.max(score, 0), 1);
        double logit = Math.log(p) - Math.log1p(-p);
        if (!(logit > LOGIT_MIN)) {
            return 0;
        }
        if (logit >= LOGIT_MAX) {
            return BINS - 1;
        }
        return Math.min(BINS - 1, (int) ((logit - LOGIT_MIN) / BIN_WIDTH));
    }

    private int slot(long bucket) {
        return (int) Math.floorMod(bucket, (long) (SLOTS + 1));
    }

    private void resetSlot(int slot, long bucket) {
        slotBucket[slot] = bucket;
        slotTotal[slot] = 0;
        if (slotCounts[slot] != null) {
            Arrays.fill(slotCounts[slot], 0);
        }
    }

    /** Its buckets and clock as bytes (sparse: non-zero bins only), for operator state; see {@link #merge(byte[])}. */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(settings.windowMillis());
            out.writeLong(clock);
            int slots = 0;
            for (int s = 0; s <= SLOTS; s++) {
                slots += slotTotal[s] > 0 ? 1 : 0;
            }
            out.writeInt(slots);
            for (int s = 0; s <= SLOTS; s++) {
                if (slotTotal[s] == 0) {
                    continue;
                }
                out.writeLong(slotBucket[s]);
                int[] c = slotCounts[s];
                int nonZero = 0;
                for (int v : c) {
                    nonZero += v != 0 ? 1 : 0;
                }
                out.writeInt(nonZero);
                for (int i = 0; i < BINS; i++) {
                    if (c[i] != 0) {
                        out.writeShort(i);
                        out.writeInt(c[i]);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Adds the buckets of an {@link #encode()}d budget (this subtask's own after a restore, or another subtask's: after
     * rescaling every subtask merges all of them, and a quantile does not care that the counts are summed). Buckets
     * outside this budget's window are skipped; the clock becomes the later of the two. A budget encoded with another
     * window length is ignored (its buckets do not line up): the window refills.
     *
     * @return whether the bytes were merged
     */
    public boolean merge(byte[] encoded) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            int format = in.readByte();
            if (format != FORMAT || in.readLong() != settings.windowMillis()) {
                return false;
            }
            long otherClock = in.readLong();
            if (otherClock > clock) {
                clock = otherClock;
            }
            int slots = in.readInt();
            for (int k = 0; k < slots; k++) {
                long bucket = in.readLong();
                int nonZero = in.readInt();
                boolean keep = bucket > clock - SLOTS - 1 && bucket <= clock;
                int slot = slot(bucket);
                if (keep && slotBucket[slot] != bucket) {
                    resetSlot(slot, bucket);
                }
                if (keep && slotCounts[slot] == null) {
                    slotCounts[slot] = new int[BINS];
                }
                for (int j = 0; j < nonZero; j++) {
                    int bin = in.readShort();
                    int count = in.readInt();
                    if (keep && bin >= 0 && bin < BINS && count > 0) {
                        slotCounts[slot][bin] += count;
                        slotTotal[slot] += count;
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not an encoded alert budget", e);
        }
        // Buckets that fell out of the merged clock's window are dropped from the sums the next recompute makes.
        recompute();
        return true;
    }
}
