package io.fraudstream.features;

import java.util.List;

/**
 * The card-window block: how this transaction's amount compares with what the same card spent over the last 1, 7
 * and 30 days, and with what it usually spends in the same merchant category. A linear classifier cannot form
 * "amount / the card's recent mean" from the amount and a mean given separately (a ratio is not a sum), so the
 * block hands it the log-ratio directly: the Fraud Detection Handbook's "customer spending behaviour" features,
 * made scale-free.
 *
 * <p>Read off the card's history as it stands before the transaction (the transaction never sees itself); a window
 * covers the entries with event time in {@code (t - w, t]}. Values:
 * <ul>
 *   <li>{@code card_amount_vs_mean_{1d,7d,30d}}: {@code log1p(amount) - log1p(mean amount in the window)}, 0 when
 *       the window is empty (the extractor's {@code count_24h}/{@code count_7d} and this block's
 *       {@code card_log1p_count_30d} tell an empty window from an average amount);</li>
 *   <li>{@code card_log1p_count_30d}: {@code log1p} of the entries in the 30-day window;</li>
 *   <li>{@code card_amount_vs_category}: {@code log1p(amount)} minus the mean {@code log1p(amount)} of the card's
 *       entries (at or before {@code t}) in the same merchant category, 0 when there are none.</li>
 * </ul>
 * The history holds at most its window of entries (1024 by default), so a 30-day window of a card with more
 * transactions than that sees only the newest ones; deterministic, and the same in the job, the trainer and replay.
 * Cost: one pass over the entries of the last 30 days and one over the history's category column; no allocation.
 */
public final class CardWindowFeatures {
    public static final List<String> NAMES = List.of(
            "card_amount_vs_mean_1d",
            "card_amount_vs_mean_7d",
            "card_amount_vs_mean_30d",
            "card_log1p_count_30d",
            "card_amount_vs_category");
    public static final int COUNT = NAMES.size();
    private static final long DAY_MS = 86_400_000L;
    private static final long[] WINDOWS_MS = {DAY_MS, 7 * DAY_MS, 30 * DAY_MS};

    private CardWindowFeatures() {}

    /** Writes {@link #COUNT} values at {@code out[offset ..]} for {@code tx} against {@code h} (not yet holding it). */
    public static void compute(CardHistory h, RawTransaction tx, float[] out, int offset) {
        final long t = tx.eventTimeMillis();
        final double logAmount = Math.log1p(TokenEncoder.storedAmount(tx.amount()));
        final int end = h.countAtOrBefore(t);
        double[] sums = {0, 0, 0};
        int[] counts = {0, 0, 0};
        for (int i = end - 1; i >= 0; i--) {
            int s = h.slot(i);
            long age = t - h.time[s];
            if (age >= WINDOWS_MS[2]) {
                break;
            }
            double a = h.amount[s];
            for (int w = 0; w < 3; w++) {
                if (age < WINDOWS_MS[w]) {
                    sums[w] += a;
                    counts[w]++;
                }
            }
        }
        for (int w = 0; w < 3; w++) {
            out[offset + w] = counts[w] == 0 ? 0f : (float) (logAmount - Math.log1p(sums[w] / counts[w]));
        }
        out[offset + 3] = (float) Math.log1p(counts[2]);

        int category = TokenEncoder.categoryHash(tx.merchantCategory());
        double catSum = 0;
        int catCount = 0;
        for (int i = 0; i < end; i++) {
            int s = h.slot(i);
            if (h.categoryHash[s] == category) {
                catSum += h.logAmount[s];
                catCount++;
            }
        }
        out[offset + 4] = catCount == 0 ? 0f : (float) (logAmount - catSum / catCount);
    }
}
