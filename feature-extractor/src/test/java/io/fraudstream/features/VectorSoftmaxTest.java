package io.fraudstream.features;

import static io.fraudstream.features.VectorKernelChecks.assumeVectorHardware;
import static io.fraudstream.features.VectorKernelChecks.bits;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API softmax ({@link VectorSoftmax}) against the scalar one of {@link FeatureExtractor#softmax} and
 * {@link FastMath#expNonPositive}, bit for bit: the numerators on the edges of the exp's arithmetic (the -87
 * cut-off, x * LOG2E on and next to integers, ±0, subnormal results), and whole softmaxes of every length class of
 * the vector loop with scores far apart, ties and signed zeros. Each case runs often enough for C2 to compile the
 * kernel, whose arithmetic is the one that has to match.
 */
class VectorSoftmaxTest {
    private static final int[] LENGTHS = {1, 2, 7, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 100, 1023, 1024};
    /** Calls per case class: enough for C2 to compile the loops (checked on every call, not only the last). */
    private static final int CALLS = 20_000;

    @Test
    void numeratorsOnTheEdges() {
        assumeVectorHardware();
        float[] x = edgeInputs();
        int lanes = VectorSoftmax.lanes();
        int end = x.length / lanes * lanes;
        float[] w = new float[x.length];
        for (int call = 0; call < CALLS / 10; call++) {
            VectorSoftmax.exp(x, 0f, w, end);
            for (int j = 0; j < end; j++) {
                int expected = Float.floatToRawIntBits(FastMath.expNonPositive(x[j] - 0f));
                if (Float.floatToRawIntBits(w[j]) != expected) {
                    assertThat(Float.floatToRawIntBits(w[j])).as("exp(%s) call %d", x[j], call).isEqualTo(expected);
                }
            }
        }
    }

    /**
     * x <= 0 (the softmax subtracts the max) with x * LOG2E on, just above and just below every integer in
     * [-126, 0], the cut-off, zeros, randoms.
     */
    private static float[] edgeInputs() {
        float[] x = new float[16 * 160];
        int o = 0;
        for (int i = 0; i >= -126; i--) {
            float onInteger = i / 1.442695f;
            x[o++] = onInteger;
            x[o++] = Math.min(0f, Math.nextUp(onInteger));
            x[o++] = Math.nextDown(onInteger);
            x[o++] = Math.min(0f, Math.nextUp(Math.nextUp(onInteger)));
        }
        float[] fixed = {0f, -0f, -Float.MIN_VALUE, -1e-30f, -87f, Math.nextUp(-87f), Math.nextDown(-87f), -86.5f,
            -87.5f, -100f, -1e30f, -Float.MAX_VALUE, Float.NEGATIVE_INFINITY, -0.5f, -0.6931472f, -1f};
        for (float f : fixed) {
            x[o++] = f;
        }
        SplittableRandom r = new SplittableRandom(41);
        while (o < x.length) {
            x[o++] = (float) -Math.abs(r.nextGaussian() * (r.nextBoolean() ? 3 : 40));
        }
        return x;
    }

    @Test
    void randomSoftmaxes() {
        assumeVectorHardware();
        SplittableRandom r = new SplittableRandom(42);
        for (int call = 0; call < CALLS; call++) {
            int n = LENGTHS[call % LENGTHS.length];
            float[] s = new float[n];
            double spread = switch (call % 4) {
                case 0 -> 1;
                case 1 -> 10;
                case 2 -> 60; // many numerators underflow (x < -87)
                default -> 1e4;
            };
            for (int j = 0; j < n; j++) {
                s[j] = (float) (r.nextGaussian() * spread);
            }
            assertSameSoftmax(s, n);
        }
    }

    @Test
    void tiesAndSignedZeros() {
        assumeVectorHardware();
        SplittableRandom r = new SplittableRandom(43);
        float[] pool = {0f, -0f, -1f, 1f, -90f, -200f, 1e-30f, -1e-30f};
        for (int call = 0; call < CALLS; call++) {
            int n = LENGTHS[call % LENGTHS.length];
            float[] s = new float[n];
            int distinct = 1 + call % 3;
            for (int j = 0; j < n; j++) {
                s[j] = call % 2 == 0 ? pool[r.nextInt(distinct)] : pool[r.nextInt(pool.length)];
            }
            assertSameSoftmax(s, n);
        }
        // the max is -0.0 only if no +0.0 is present, and it is an output feature
        assertSameSoftmax(new float[] {-0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f, -0f,
            -0f, -1f}, 17);
    }

    /** Dense attention (every position softmaxed, n up to the window): whole features, vector on vs off. */
    @Test
    void denseFeatures() {
        assumeVectorHardware();
        RandomCases gen = new RandomCases(44);
        ExtractorConfig config = ExtractorConfig.builder().mode(AttentionMode.DENSE).build();
        ExtractorWeights w = ExtractorWeights.bootstrap(config, 3);
        FeatureExtractor vector = new FeatureExtractor(config, w, true);
        FeatureExtractor scalar = new FeatureExtractor(config, w, false);
        float[] a = new float[vector.featureCount()];
        float[] b = new float[scalar.featureCount()];
        for (int n : LENGTHS) {
            RandomCases.Case c = gen.next(n);
            CardHistory h = RandomCases.historyOf(config, c.history());
            vector.extract(h.copy(), c.query(), a, null);
            scalar.extract(h.copy(), c.query(), b, null);
            assertThat(bits(a)).as("n=" + n).containsExactly(bits(b));
        }
    }

    private static void assertSameSoftmax(float[] s, int n) {
        float[] vw = new float[n];
        float[] sw = new float[n];
        float vmax = VectorSoftmax.softmax(s, vw, n);
        float smax = FeatureExtractor.softmax(s, sw, n);
        int[] vb = bits(vw);
        int[] sb = bits(sw);
        if (Float.floatToRawIntBits(vmax) != Float.floatToRawIntBits(smax) || !java.util.Arrays.equals(vb, sb)) {
            String where = "n=" + n + " s=" + java.util.Arrays.toString(s);
            assertThat(Float.floatToRawIntBits(vmax)).as(where).isEqualTo(Float.floatToRawIntBits(smax));
            assertThat(vb).as(where).containsExactly(sb);
        }
    }
}
