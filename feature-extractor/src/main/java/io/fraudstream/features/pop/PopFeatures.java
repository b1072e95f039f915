package io.fraudstream.features.pop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Point-of-purchase risk features: for the merchant and the terminal of a transaction, how many
 * transactions they saw and how many confirmed frauds were reported for them over the last 1, 7 and 30
 * days, <b>as known at the transaction's event time</b>.
 *
 * <p><b>Point in time.</b> Counts are kept per hour. A transaction at event time T sees only the hours
 * before its <i>horizon</i> {@code H = hour(T) - settle}: the transactions of those hours, and the labels
 * <i>reported</i> in those hours. A label reported at R is therefore never visible before R (it becomes
 * visible between {@code R + settle} and {@code R + settle + 1h}), and neither is the transaction itself.
 * The settle time is what makes the live job deterministic: counts for an hour reach the scoring operator
 * through a separate path, and every hour is complete once it is {@code settle} old (see docs/POINT_OF_PURCHASE.md).
 *
 * <p>Each feature is {@code log1p(count)}; a point of purchase that is unknown (no merchant or terminal id)
 * or has no history contributes zeros. One implementation for the job and the trainer: both call
 * {@link #compute}.
 */
public final class PopFeatures {
    public static final long HOUR_MS = 3_600_000L;
    /** The windows in hours, ascending. */
    static final int[] WINDOW_HOURS = {24, 7 * 24, 30 * 24};
    static final String[] WINDOW_NAMES = {"1d", "7d", "30d"};
    /** How long a point of purchase's hours are kept: the longest window plus a day of slack. */
    public static final int RETAINED_HOURS = 31 * 24;
    /**
     * The settle time of the feature definition, shared by the job and the trainer (a model trained with one
     * settle time must be served with the same): 1 hour, far above the job's normal lag, far below the windows.
     */
    public static final int SETTLE_HOURS = 1;

    /** merchant then terminal; per kind: transactions 1d/7d/30d, then frauds 1d/7d/30d. */
    public static final List<String> NAMES = names();
    public static final int COUNT = NAMES.size();
    /**
     * The lag of the fraud ratios' denominators: frauds reported in a window are set against the transactions of the
     * same window this much earlier, the transactions whose labels have had time to arrive (a chargeback or a
     * customer's report takes days). One week, the Fraud Detection Handbook's delay.
     */
    public static final int RATIO_LAG_HOURS = 7 * 24;
    /**
     * What {@link #compute} writes and the job attaches to a transaction: the {@link #COUNT} features, then the
     * lagged transaction counts the 1-day and 7-day ratios divide by ({@code log1p}; merchant 1d, 7d, terminal 1d,
     * 7d). The 30-day ratio divides by the unlagged 30-day count: a lagged one would need 37 days of hours, more
     * than a point of purchase keeps ({@link #RETAINED_HOURS}).
     */
    public static final int ATTACHED_COUNT = COUNT + 4;
    /** Offsets within the block, for explanations. */
    public static final int MERCHANT_FRAUDS_7D = 4;
    public static final int TERMINAL_FRAUDS_7D = 10;

    private PopFeatures() {}

    private static List<String> names() {
        List<String> n = new ArrayList<>();
        for (String kind : new String[] {"merchant", "terminal"}) {
            for (String what : new String[] {"transactions", "frauds"}) {
                for (String w : WINDOW_NAMES) {
                    n.add("pop_" + kind + "_" + what + "_" + w);
                }
            }
        }
        return List.copyOf(n);
    }

    /** The state key of a merchant, or null when the id is absent. Merchants and terminals never collide. */
    public static String merchantKey(String merchantId) {
        return merchantId == null || merchantId.isEmpty() ? null : "m:" + merchantId;
    }

    /** The state key of a terminal, or null when the id is absent. */
    public static String terminalKey(String terminalId) {
        return terminalId == null || terminalId.isEmpty() ? null : "t:" + terminalId;
    }

    public static int hourOf(long epochMillis) {
        return Math.toIntExact(Math.floorDiv(epochMillis, HOUR_MS));
    }

    /** The settle time in whole hours; fails on a negative or fractional value. */
    public static int settleHours(Duration settle) {
        if (settle.isNegative() || settle.toMillis() % HOUR_MS != 0) {
            throw new IllegalArgumentException("settle time must be a whole number of hours >= 0, was " + settle);
        }
        return Math.toIntExact(settle.toMillis() / HOUR_MS);
    }

    /** The first hour a transaction at {@code eventTimeMillis} may not see. */
    public static int horizon(long eventTimeMillis, int settleHours) {
        return hourOf(eventTimeMillis) - settleHours;
    }

    /**
     * Writes the {@link #ATTACHED_COUNT} values (the {@link #COUNT} features, then the lagged transaction counts)
     * into {@code out[offset ..]}. Either counts may be null (unknown or unseen point of purchase). Allocation-free
     * apart from the scratch the caller passes.
     */
    public static void compute(PopCounts merchant, PopCounts terminal, long eventTimeMillis, int settleHours,
            Scratch scratch, float[] out, int offset) {
        int horizon = horizon(eventTimeMillis, settleHours);
        write(merchant, horizon, scratch, out, offset, offset + COUNT);
        write(terminal, horizon, scratch, out, offset + 2 * WINDOW_HOURS.length, offset + COUNT + 2);
    }

    private static void write(PopCounts counts, int horizon, Scratch s, float[] out, int offset, int lagged) {
        int w = WINDOW_HOURS.length;
        if (counts == null) {
            java.util.Arrays.fill(out, offset, offset + 2 * w, 0f);
            out[lagged] = 0f;
            out[lagged + 1] = 0f;
            return;
        }
        // One walk for the windows and the lagged windows (the packed hours decode once).
        counts.windowSums(horizon, horizon - RATIO_LAG_HOURS, WINDOW_HOURS, s.tx, s.fraud, s.laggedTx, s.laggedFraud);
        for (int i = 0; i < w; i++) {
            out[offset + i] = (float) Math.log1p(s.tx[i]);
            out[offset + w + i] = (float) Math.log1p(s.fraud[i]);
        }
        out[lagged] = (float) Math.log1p(s.laggedTx[0]);
        out[lagged + 1] = (float) Math.log1p(s.laggedTx[1]);
    }

    /**
     * The fraud-ratio block derived from the attached values ({@link #ATTACHED_COUNT}): per merchant then terminal
     * and window (1d, 7d, 30d), the frauds reported in the window over the transactions of the same window
     * {@link #RATIO_LAG_HOURS} earlier (30d: of the window itself), capped at 1. The Fraud Detection Handbook's
     * "terminal risk" features: a linear classifier cannot divide two counts, and "3 frauds in 10 transactions" and
     * "3 in 10,000" differ. The lag matters: on the Handbook protocol the lagged ratio lifted AP from 0.63 to 0.67
     * (docs/TRAINER.md), because a compromised terminal's reported frauds then read as a ratio near 1.
     */
    public static final List<String> RATIO_NAMES = ratioNames();
    public static final int RATIO_COUNT = RATIO_NAMES.size();

    private static List<String> ratioNames() {
        List<String> n = new ArrayList<>();
        for (String kind : new String[] {"merchant", "terminal"}) {
            for (String w : WINDOW_NAMES) {
                n.add("pop_" + kind + "_fraud_ratio_" + w);
            }
        }
        return List.copyOf(n);
    }

    /**
     * Writes the {@link #RATIO_COUNT} ratios at {@code out[offset ..]} from the {@link #ATTACHED_COUNT} values at
     * {@code block[from ..]} (zeros when {@code block} is null). Computed from the attached values themselves, so
     * the job (which carries only them from its enrichment step), the trainer and replay derive the same bits.
     */
    public static void ratios(float[] block, int from, float[] out, int offset) {
        int w = WINDOW_HOURS.length;
        if (block != null && block.length - from < ATTACHED_COUNT) {
            throw new IllegalArgumentException("point-of-purchase values: " + (block.length - from) + " attached, the"
                    + " ratios need " + ATTACHED_COUNT);
        }
        for (int kind = 0; kind < 2; kind++) {
            for (int i = 0; i < w; i++) {
                float value = 0f;
                if (block != null) {
                    float denominator = i < 2 ? block[from + COUNT + kind * 2 + i] : block[from + kind * 2 * w + i];
                    double tx = Math.expm1(denominator);
                    double fraud = Math.expm1(block[from + kind * 2 * w + w + i]);
                    value = (float) Math.min(1.0, fraud / Math.max(1.0, tx));
                }
                out[offset + kind * w + i] = value;
            }
        }
    }

    /** The count a feature value stands for (features are log1p of counts). */
    public static long count(float feature) {
        return Math.round(Math.expm1(feature));
    }

    /** Per-thread scratch for {@link #compute}. */
    public static final class Scratch {
        final long[] tx = new long[WINDOW_HOURS.length];
        final long[] fraud = new long[WINDOW_HOURS.length];
        final long[] laggedTx = new long[WINDOW_HOURS.length];
        final long[] laggedFraud = new long[WINDOW_HOURS.length];
    }
}
