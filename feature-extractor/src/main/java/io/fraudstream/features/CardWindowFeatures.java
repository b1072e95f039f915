package io.fraudstream.features;

import java.util.List;

/**
 * The card-window block: the amount itself, on a linear scale, and how it compares with what the same card spent over
 * the last 1, 7 and 30 days and usually spends in the same merchant category. A linear classifier cannot form
 * "amount / the card's recent mean" from the amount and a mean given separately (a ratio is not a sum), so the block
 * hands it the ratios: the Fraud Detection Handbook's "customer spending behaviour" features, made scale-free.
 *
 * <p>Linear, not logarithmic: the extractor already has {@code log1p_amount} and a log-domain z-score; a logistic
 * regression is linear in its inputs, and "5 times the usual" or "above 220" must stand out from "twice the usual"
 * by more than a log can make them (measured on the Handbook protocol: log ratios gave AP 0.45, linear 0.63,
 * docs/TRAINER.md). Values are capped so that one absurd amount cannot dominate every score.
 *
 * <p>Read off the card's history as it stands before the transaction (the transaction never sees itself); a window
 * covers the entries with event time in {@code (t - w, t]}. Values:
 * <ul>
 *   <li>{@code amount}: the amount, capped at {@value #MAX_AMOUNT};</li>
 *   <li>{@code card_amount_over_mean_{1d,7d,30d}}: {@code amount / mean amount in the window} (both floored at 1,
 *       capped at {@value #MAX_RATIO}), 1 ("as usual") when the window is empty (the extractor's
 *       {@code count_24h}/{@code count_7d} and this block's {@code card_log1p_count_30d} tell an empty window from an
 *       average amount);</li>
 *   <li>{@code card_log1p_count_30d}: {@code log1p} of the entries in the 30-day window;</li>
 *   <li>{@code card_amount_over_category_mean}: the amount over the geometric mean amount of the card's entries (at or
 *       before {@code t}) in the same merchant category, 1 when there are none.</li>
 * </ul>
 * The history holds at most its window of entries (1024 by default), so a 30-day window of a card with more
 * transactions than that sees only the newest ones; deterministic, and the same in the job, the trainer and replay.
 * Cost: one pass over the entries of the last 30 days and one over the history's category column; no allocation.
 */
public final class CardWindowFeatures {
    public static final List<String> NAMES = List.of(
            "amount",
            "card_amount_over_mean_1d",
            "card_amount_over_mean_7d",
            "card_amount_over_mean_30d",
            "card_log1p_count_30d",
            "card_amount_over_category_mean");
    public static final int COUNT = NAMES.size();
    private static final long DAY_MS = 86_400_000L;
    private static final long[] WINDOWS_MS = {DAY_MS, 7 * DAY_MS, 30 * DAY_MS};

    private CardWindowFeatures() {}

    /** Writes {@link #COUNT} values at {@code out[offset ..]} for {@code tx} against {@code h} (not yet holding it). */
    public static void compute(CardHistory h, RawTransaction tx, float[] out, int offset) {
        final long t = tx.eventTimeMillis();
        final int end = h.countAtOrBefore(t);
        double sum1 = 0;
        double sum7 = 0;
        double sum30 = 0;
        int count1 = 0;
        int count7 = 0;
        int count30 = 0;
        for (int i = end - 1; i >= 0; i--) {
            int s = h.slot(i);
            long age = t - h.time[s];
            if (age >= WINDOWS_MS[2]) {
                break;
            }
            double a = h.amount[s];
            sum30 += a;
            count30++;
            if (age < WINDOWS_MS[1]) {
                sum7 += a;
                count7++;
                if (age < WINDOWS_MS[0]) {
                    sum1 += a;
                    count1++;
                }
            }
        }
        final double amount = TokenEncoder.storedAmount(tx.amount());
        out[offset] = (float) Math.min(amount, MAX_AMOUNT);
        out[offset + 1] = count1 == 0 ? 1f : (float) ratio(amount, sum1 / count1);
        out[offset + 2] = count7 == 0 ? 1f : (float) ratio(amount, sum7 / count7);
        out[offset + 3] = count30 == 0 ? 1f : (float) ratio(amount, sum30 / count30);
        out[offset + 4] = (float) Math.log1p(count30);

        int category = TokenEncoder.categoryHash(tx.merchantCategory());
        double catSum = 0;
        int catCount = 0;
        for (int i = 0; i < end; i++) {
            int s = h.slot(i);
            if (h.categoryHash[s] == category) {
                catSum += h.tok[0][s]; // the token's first position: (float) log1p(amount)
                catCount++;
            }
        }
        out[offset + 5] = catCount == 0 ? 1f : (float) ratio(amount, Math.expm1(catSum / catCount));
    }

    /** {@code amount / mean}, both floored at one unit so tiny amounts do not explode the ratio, capped. */
    private static double ratio(double amount, double mean) {
        return Math.min(MAX_RATIO, Math.max(1.0, amount) / Math.max(1.0, mean));
    }

    /** Caps: a linear classifier sees these raw, and one absurd value must not dominate every score. */
    static final double MAX_AMOUNT = 1e6;
    static final double MAX_RATIO = 100;
}
