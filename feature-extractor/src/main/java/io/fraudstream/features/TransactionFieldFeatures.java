package io.fraudstream.features;

import java.util.ArrayList;
import java.util.List;

/**
 * The transaction-fields block: the current transaction's own category, amount within its category and local time
 * of day, as a linear classifier can use them. The extractor's features describe the transaction against the card's
 * history; nothing in them says "this is an online shopping purchase at 23:00", which is where card-not-present
 * fraud concentrates, and a logistic regression cannot give the amount a different weight per category unless each
 * category has its own amount feature.
 *
 * <ul>
 *   <li>{@code category_<b>}: 1 for the transaction's merchant-category bucket (the token's
 *       {@value TokenEncoder#CATEGORY_BUCKETS} hashed buckets), else 0;</li>
 *   <li>{@code log1p_amount_in_category_<b>}: {@code log1p(amount)} in the transaction's bucket, else 0 (a slope per
 *       category);</li>
 *   <li>{@code local_hour_<h>_<h+3>}: 1 for the transaction's three-hour slot of local solar time (the night flag's
 *       clock: UTC shifted by the home longitude, else the merchant's, else none), else 0.</li>
 * </ul>
 * Stateless; reads only the transaction.
 */
public final class TransactionFieldFeatures {
    static final int HOUR_SLOTS = 8;
    public static final List<String> NAMES = names();
    public static final int COUNT = NAMES.size();

    private TransactionFieldFeatures() {}

    private static List<String> names() {
        List<String> n = new ArrayList<>();
        for (int b = 0; b < TokenEncoder.CATEGORY_BUCKETS; b++) {
            n.add("category_" + b);
        }
        for (int b = 0; b < TokenEncoder.CATEGORY_BUCKETS; b++) {
            n.add("log1p_amount_in_category_" + b);
        }
        for (int h = 0; h < HOUR_SLOTS; h++) {
            n.add("local_hour_" + (3 * h) + "_" + (3 * h + 3));
        }
        return List.copyOf(n);
    }

    /** Writes {@link #COUNT} values at {@code out[offset ..]}. */
    public static void compute(RawTransaction tx, float[] out, int offset) {
        int buckets = TokenEncoder.CATEGORY_BUCKETS;
        java.util.Arrays.fill(out, offset, offset + COUNT, 0f);
        int b = TokenEncoder.categoryBucket(TokenEncoder.categoryHash(tx.merchantCategory()));
        out[offset + b] = 1f;
        out[offset + buckets + b] = (float) Math.log1p(TokenEncoder.storedAmount(tx.amount()));
        int slot = Math.min(HOUR_SLOTS - 1, (int) (DirectFeatures.localHour(tx) / 3.0));
        out[offset + 2 * buckets + slot] = 1f;
    }
}
