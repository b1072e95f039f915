package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The card-window block worked out by hand on a small history. */
class CardWindowFeaturesTest {
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;
    private static final long T = 1_700_000_000_000L;

    private static RawTransaction tx(String id, long t, double amount, String category) {
        return RawTransaction.builder().transactionId(id).eventTimeMillis(t).amount(amount).merchantId("m-" + id)
                .merchantCategory(category).channel(Channel.CARD_PRESENT).build();
    }

    private static float[] compute(CardHistory h, RawTransaction q) {
        float[] out = new float[CardWindowFeatures.COUNT + 2];
        out[0] = 99f;
        out[out.length - 1] = 99f;
        CardWindowFeatures.compute(h, q, out, 1);
        assertThat(out[0]).as("writes nothing before its offset").isEqualTo(99f);
        assertThat(out[out.length - 1]).as("writes nothing after its block").isEqualTo(99f);
        float[] block = new float[CardWindowFeatures.COUNT];
        System.arraycopy(out, 1, block, 0, block.length);
        return block;
    }

    @Test
    void comparesTheAmountWithEachWindowsMeanAndTheCategoryMean() {
        CardHistory h = new CardHistory(1024);
        h.add(tx("a", T - 40 * DAY, 1000, "travel"));  // outside every window, same category as the query
        h.add(tx("b", T - 10 * DAY, 30, "grocery"));   // 30d only
        h.add(tx("c", T - 3 * DAY, 20, "travel"));     // 7d and 30d
        h.add(tx("d", T - 2 * HOUR, 10, "grocery"));   // all three
        h.add(tx("e", T, 40, "grocery"));              // same instant, before the query: in every window
        h.add(tx("f", T + HOUR, 5000, "travel"));      // after the query (late arrival): never seen
        float[] f = compute(h, tx("q", T, 100, "travel"));

        assertThat(f[0]).as("the amount").isEqualTo(100f);
        assertThat(f[1]).isCloseTo((float) (100 / ((10 + 40) / 2.0)), within(1e-5f));
        assertThat(f[2]).isCloseTo((float) (100 / ((20 + 10 + 40) / 3.0)), within(1e-5f));
        assertThat(f[3]).isCloseTo((float) (100 / ((30 + 20 + 10 + 40) / 4.0)), within(1e-5f));
        assertThat(f[4]).isCloseTo((float) Math.log1p(4), within(1e-6f));
        // travel entries at or before the query: a (1000) and c (20), geometric mean; f is later and does not count
        double travelGeoMean = Math.expm1(((float) Math.log1p(1000) + (float) Math.log1p(20)) / 2.0);
        assertThat(f[5]).isCloseTo((float) (100 / travelGeoMean), within(1e-4f));
    }

    @Test
    void emptyWindowsAndUnseenCategoriesReadAsUsual() {
        CardHistory h = new CardHistory(1024);
        float[] empty = compute(h, tx("q", T, 100, "travel"));
        assertThat(empty).containsExactly(100f, 1f, 1f, 1f, 0f, 1f);
        h.add(tx("old", T - 20 * DAY, 50, "grocery"));
        float[] f = compute(h, tx("q", T, 100, "travel"));
        assertThat(f[1]).isEqualTo(1f);
        assertThat(f[2]).isEqualTo(1f);
        assertThat(f[3]).isCloseTo(2f, within(1e-6f));
        assertThat(f[4]).isCloseTo((float) Math.log1p(1), within(1e-6f));
        assertThat(f[5]).as("no travel entry").isEqualTo(1f);
    }

    @Test
    void capsAmountsAndRatiosAndFloorsTinyAmounts() {
        CardHistory h = new CardHistory(1024);
        h.add(tx("cents", T - HOUR, 0.01, "grocery"));
        float[] f = compute(h, tx("q", T, 50, "grocery"));
        assertThat(f[1]).as("a cent's mean counts as 1").isCloseTo(50f, within(1e-4f));
        float[] huge = compute(h, tx("q", T, 1e12, "grocery"));
        assertThat(huge[0]).isEqualTo((float) CardWindowFeatures.MAX_AMOUNT);
        assertThat(huge[1]).isEqualTo((float) CardWindowFeatures.MAX_RATIO);
        assertThat(huge[5]).isEqualTo((float) CardWindowFeatures.MAX_RATIO);
    }

    @Test
    void seesOnlyTheHistorysWindowOfEntries() {
        CardHistory h = new CardHistory(4);
        for (int i = 0; i < 6; i++) {
            h.add(tx("t" + i, T - (10 - i) * HOUR, i < 2 ? 1000 : 10, "grocery"));
        }
        float[] f = compute(h, tx("q", T, 10, "grocery"));
        assertThat(f[4]).as("four entries kept").isCloseTo((float) Math.log1p(4), within(1e-6f));
        assertThat(f[1]).as("the evicted big amounts are gone").isCloseTo(1f, within(1e-6f));
        assertThat(f[5]).isCloseTo(1f, within(1e-5f));
    }
}
