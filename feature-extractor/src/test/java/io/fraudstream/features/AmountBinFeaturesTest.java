package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AmountBinFeaturesTest {

    private static float[] compute(double amount) {
        float[] out = new float[AmountBinFeatures.COUNT + 2];
        java.util.Arrays.fill(out, 9f);
        RawTransaction tx = RawTransaction.builder().transactionId("t").eventTimeMillis(0).amount(amount)
                .merchantId("m").merchantCategory("grocery_pos").channel(Channel.ONLINE).build();
        AmountBinFeatures.compute(tx, out, 1);
        assertThat(out[0]).isEqualTo(9f);
        assertThat(out[out.length - 1]).isEqualTo(9f);
        return java.util.Arrays.copyOfRange(out, 1, out.length - 1);
    }

    private static int hot(double amount) {
        float[] f = compute(amount);
        int at = -1;
        for (int i = 0; i < f.length; i++) {
            if (f[i] != 0f) {
                assertThat(f[i]).isEqualTo(1f);
                assertThat(at).as("one bin only").isEqualTo(-1);
                at = i;
            }
        }
        return at;
    }

    @Test
    void quarterOctaveBinsByHand() {
        assertThat(AmountBinFeatures.COUNT).isEqualTo(65);
        assertThat(AmountBinFeatures.NAMES.get(0)).isEqualTo("amount_below_1");
        assertThat(AmountBinFeatures.NAMES.get(1)).isEqualTo("amount_bin_0_from_1.00");
        assertThat(AmountBinFeatures.NAMES.get(32)).isEqualTo("amount_bin_31_from_215.27");
        assertThat(hot(0.5)).isZero();
        assertThat(AmountBinFeatures.bin(Double.NaN)).isZero(); // a RawTransaction refuses it; the bin is safe anyway
        assertThat(hot(1)).isEqualTo(1);
        assertThat(hot(1.18)).isEqualTo(1); // 2^(1/4) = 1.189
        assertThat(hot(1.19)).isEqualTo(2);
        // 2^(31/4) = 215.27 and 2^(32/4) = 256: 200 and 220 fall on either side of a bin edge
        assertThat(hot(200)).isEqualTo(31);
        assertThat(hot(220)).isEqualTo(32);
        assertThat(hot(255.9)).isEqualTo(32);
        assertThat(hot(256)).isEqualTo(33);
        assertThat(hot(1e9)).isEqualTo(64); // the last bin holds everything above 2^16
    }

    @Test
    void eachValueNamesTheAmountsItStandsFor() {
        assertThat(AmountBinFeatures.range(0)).containsExactly(0, 1);
        assertThat(AmountBinFeatures.range(1)).containsExactly(1, Math.pow(2, 0.25));
        assertThat(AmountBinFeatures.range(32)[0]).isCloseTo(215.27, org.assertj.core.data.Offset.offset(0.01));
        assertThat(AmountBinFeatures.range(32)[1]).isEqualTo(256.0);
        assertThat(AmountBinFeatures.range(64)).containsExactly(Math.pow(2, 63 / 4.0), Double.POSITIVE_INFINITY);
        for (double amount : new double[] {0.5, 1, 7.3, 220, 255.9, 256, 4_000}) {
            double[] r = AmountBinFeatures.range(hot(amount));
            assertThat(amount).isGreaterThanOrEqualTo(r[0]).isLessThan(r[1]);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AmountBinFeatures.range(65))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
