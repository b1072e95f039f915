package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TransactionFieldFeaturesTest {
    private static final long MIDNIGHT_UTC = 1_700_006_400_000L; // 2023-11-15T00:00Z
    private static final long HOUR = 3_600_000L;

    private static float[] compute(RawTransaction tx) {
        float[] out = new float[TransactionFieldFeatures.COUNT + 1];
        java.util.Arrays.fill(out, 9f);
        TransactionFieldFeatures.compute(tx, out, 1);
        assertThat(out[0]).isEqualTo(9f);
        return java.util.Arrays.copyOfRange(out, 1, out.length);
    }

    private static RawTransaction tx(String category, double amount, long time, double homeLon) {
        return RawTransaction.builder().transactionId("t").eventTimeMillis(time).amount(amount).merchantId("m")
                .merchantCategory(category).channel(Channel.ONLINE).homeLocation(40, homeLon).build();
    }

    @Test
    void oneHotCategoryItsAmountSlopeAndTheLocalHourSlot() {
        int buckets = TokenEncoder.CATEGORY_BUCKETS;
        assertThat(TransactionFieldFeatures.COUNT).isEqualTo(2 * buckets + 8);
        assertThat(TransactionFieldFeatures.NAMES).contains("category_0", "log1p_amount_in_category_15",
                "local_hour_21_24");
        // 23:00 UTC at longitude -75 is 18:00 local: slot 18-21
        float[] f = compute(tx("shopping_net", 250, MIDNIGHT_UTC + 23 * HOUR, -75));
        int b = TokenEncoder.categoryBucket(TokenEncoder.categoryHash("shopping_net"));
        for (int i = 0; i < buckets; i++) {
            assertThat(f[i]).isEqualTo(i == b ? 1f : 0f);
            assertThat(f[buckets + i]).isEqualTo(i == b ? (float) Math.log1p(250) : 0f);
        }
        for (int h = 0; h < 8; h++) {
            assertThat(f[2 * buckets + h]).as("slot %d", h).isEqualTo(h == 6 ? 1f : 0f);
        }
        // the same instant at longitude +30 is 01:00 local the next day: slot 0-3
        float[] east = compute(tx("shopping_net", 250, MIDNIGHT_UTC + 23 * HOUR, 30));
        assertThat(east[2 * buckets]).isEqualTo(1f);
        assertThat(east[2 * buckets + 6]).isEqualTo(0f);
        // nothing left over from an earlier call
        float[] other = compute(tx("grocery_pos", 10, MIDNIGHT_UTC, 0));
        int g = TokenEncoder.categoryBucket(TokenEncoder.categoryHash("grocery_pos"));
        float sum = 0;
        for (float v : other) {
            sum += v;
        }
        assertThat(sum).isCloseTo(2f + (float) Math.log1p(10), org.assertj.core.api.Assertions.within(1e-5f));
        assertThat(other[g]).isEqualTo(1f);
    }
}
