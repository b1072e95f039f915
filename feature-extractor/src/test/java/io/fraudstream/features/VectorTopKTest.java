package io.fraudstream.features;

import static io.fraudstream.features.VectorKernelChecks.assumeVectorHardware;
import static io.fraudstream.features.VectorKernelChecks.bits;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Vector API top-k against the scalar one, which is the reference: the same kept slots, scores and weights,
 * bit for bit, and the same features. Both are also checked against a sort-based top-k.
 */
class VectorTopKTest {
    private static final int[] KS = {1, 8, 16, 17, 31, 32, 33, 48, 64};

    /** The build runs tests with --add-modules jdk.incubator.vector (root pom, vector.jvm.args). */
    @Test
    void theTestJvmHasTheVectorModule() {
        assertThat(ModuleLayer.boot().findModule("jdk.incubator.vector")).isPresent();
    }

    @Test
    void thePropertyForcesScalar() {
        assumeVectorHardware();
        ExtractorConfig config = ExtractorConfig.defaults();
        ExtractorWeights w = ExtractorWeights.bootstrap(config, 1);
        assertThat(new FeatureExtractor(config, w, true).usesVectorTopK()).isTrue();
        assertThat(new FeatureExtractor(config, w, false).usesVectorTopK()).isFalse();
        // k beyond the deepest network: scalar
        ExtractorConfig bigK = config.toBuilder().k(VectorTopK.MAX_DEPTH * VectorTopK.lanes() + 1).build();
        assertThat(new FeatureExtractor(bigK, ExtractorWeights.bootstrap(bigK, 1), true).usesVectorTopK()).isFalse();
    }

    @Test
    void randomScores() {
        SplittableRandom r = new SplittableRandom(1);
        int[] ns = {33, 34, 47, 64, 100, 255, 256, 257, 628, 1000, 1023, 1024, 4096, 4099};
        for (int k : KS) {
            for (int n : ns) {
                if (n <= k) {
                    continue;
                }
                for (int rep = 0; rep < 20; rep++) {
                    float[] s = new float[n];
                    for (int j = 0; j < n; j++) {
                        s[j] = (float) r.nextGaussian();
                    }
                    assertSameSelection(s, n, rep % 2 == 0 ? 0 : r.nextInt(n), k);
                }
            }
        }
    }

    /** The shape the temporal bias gives: newer slots score higher, the ring's wrap included. */
    @Test
    void timeBiasedScoresOnARotatedRing() {
        SplittableRandom r = new SplittableRandom(2);
        for (int rep = 0; rep < 300; rep++) {
            int k = KS[rep % KS.length];
            int n = k + 1 + r.nextInt(1100);
            int head = rep % 3 == 0 ? 0 : r.nextInt(n);
            float[] s = new float[n];
            for (int j = 0; j < n; j++) {
                int age = head - 1 - j >= 0 ? head - 1 - j : head - 1 - j + n; // 0 = newest
                s[j] = (float) (-0.8 * Math.log1p(age * 10.0) + r.nextGaussian());
            }
            assertSameSelection(s, n, head, k);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5})
    void manyTies(int distinct) {
        SplittableRandom r = new SplittableRandom(3 + distinct);
        for (int rep = 0; rep < 200; rep++) {
            int k = KS[rep % KS.length];
            int n = k + 1 + r.nextInt(1100);
            float[] s = new float[n];
            for (int j = 0; j < n; j++) {
                s[j] = r.nextInt(distinct) * 0.5f;
            }
            assertSameSelection(s, n, rep % 2 == 0 ? 0 : r.nextInt(n), k);
        }
    }

    /** -0.0 and +0.0 are equal scores: ties by age, as in the scalar heap. */
    @Test
    void signedZerosAreTies() {
        SplittableRandom r = new SplittableRandom(4);
        for (int rep = 0; rep < 200; rep++) {
            int k = KS[rep % KS.length];
            int n = k + 1 + r.nextInt(300);
            float[] s = new float[n];
            for (int j = 0; j < n; j++) {
                int c = r.nextInt(4);
                s[j] = c == 0 ? -0.0f : c == 1 ? 0.0f : c == 2 ? -1f : 1e-30f * r.nextInt(3);
            }
            assertSameSelection(s, n, rep % 2 == 0 ? 0 : r.nextInt(n), k);
        }
    }

    @Test
    void infinitiesAndExtremes() {
        float[] pool = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE,
            Float.MIN_VALUE, -Float.MIN_VALUE, 1e30f, -1e30f, 0f, 1f, -1f};
        SplittableRandom r = new SplittableRandom(5);
        for (int rep = 0; rep < 300; rep++) {
            int k = KS[rep % KS.length];
            int n = k + 1 + r.nextInt(1100);
            float[] s = new float[n];
            boolean mostlyInfinite = rep % 4 == 0;
            for (int j = 0; j < n; j++) {
                s[j] = mostlyInfinite && r.nextInt(10) != 0 ? Float.NEGATIVE_INFINITY
                        : r.nextInt(3) == 0 ? pool[r.nextInt(pool.length)] : (float) (r.nextGaussian() * 1e6);
            }
            assertSameSelection(s, n, rep % 2 == 0 ? 0 : r.nextInt(n), k);
        }
        float[] allNegInf = new float[100];
        Arrays.fill(allNegInf, Float.NEGATIVE_INFINITY);
        assertSameSelection(allNegInf, 100, 37, 32);
    }

    /**
     * A history with fewer than ceil(k / lanes) whole vectors per lane gives a NaN bound (no score reaches it: the
     * scalar selection decides, as the selection tests above check); one more vector, a real bound.
     */
    @Test
    void aShortHistoryGivesANaNBound() {
        assumeVectorHardware();
        int lanes = VectorTopK.lanes();
        int k = lanes + 1; // depth 2
        float[] s = new float[2 * lanes];
        Arrays.fill(s, 1f);
        assertThat(VectorTopK.threshold(s, 2 * lanes - 1, k)).isNaN();
        assertThat(VectorTopK.threshold(s, 2 * lanes, k)).isEqualTo(1f);
    }

    /** Features of whole extractions, vector on vs off: every float bit-identical, explanations equal. */
    @Test
    void extractIsBitIdenticalOnRandomHistories() {
        assumeVectorHardware();
        RandomCases gen = new RandomCases(21);
        for (int i = 0; i < 300; i++) {
            ExtractorConfig config = ExtractorConfig.builder().k(KS[i % KS.length]).explainTop(8).build();
            ExtractorWeights w = i % 2 == 0 ? ExtractorWeights.bootstrap(config, i)
                    : FeatureExtractorReferenceTest.randomWeights(config, i);
            RandomCases.Case c = gen.next(gen.nextLength(i, config.k(), config.window()));
            assertSameFeatures(config, w, RandomCases.historyOf(config, c.history()), c.query());
        }
    }

    /**
     * A card's stream: every transaction scored against the history before it, past the window so the ring
     * rotates, with both kernels on the same histories (one history per kernel: extract refreshes the K/V cache).
     */
    @Test
    void extractIsBitIdenticalAlongAStreamPastTheWindow() {
        assumeVectorHardware();
        ExtractorConfig config = ExtractorConfig.builder().window(700).build();
        ExtractorWeights w = ExtractorWeights.bootstrap(config, 9);
        FeatureExtractor vector = new FeatureExtractor(config, w, true);
        FeatureExtractor scalar = new FeatureExtractor(config, w, false);
        CardHistory hv = CardHistory.create(config);
        CardHistory hs = CardHistory.create(config);
        RandomCases gen = new RandomCases(8);
        List<RawTransaction> stream = gen.next(1500).history();
        stream.sort(ReferenceExtractor.ORDER);
        float[] a = new float[vector.featureCount()];
        float[] b = new float[scalar.featureCount()];
        Explanation ea = new Explanation(config);
        Explanation eb = new Explanation(config);
        for (RawTransaction tx : stream) {
            vector.extract(hv, tx, a, ea);
            scalar.extract(hs, tx, b, eb);
            assertThat(a).containsExactly(b);
            assertThat(ea.topAttended()).isEqualTo(eb.topAttended());
            hv.add(tx);
            hs.add(tx);
        }
        assertThat(hv.head).isNotZero();
    }

    private static void assertSameFeatures(ExtractorConfig config, ExtractorWeights w, CardHistory history,
            RawTransaction query) {
        FeatureExtractor vector = new FeatureExtractor(config, w, true);
        FeatureExtractor scalar = new FeatureExtractor(config, w, false);
        assertThat(vector.usesVectorTopK()).as("k=" + config.k() + ", " + VectorTopK.lanes() + " lanes")
                .isEqualTo(VectorTopK.supports(config.k()));
        float[] a = new float[vector.featureCount()];
        float[] b = new float[scalar.featureCount()];
        Explanation ea = new Explanation(config);
        Explanation eb = new Explanation(config);
        vector.extract(history, query, a, ea);
        scalar.extract(history, query, b, eb);
        assertThat(a).containsExactly(b);
        assertThat(ea.topAttended()).isEqualTo(eb.topAttended());
    }

    /** Vector vs scalar selection on s[0..n), n > k: slots, scores, weights and max bit-identical, and the right set. */
    private static void assertSameSelection(float[] s, int n, int head, int k) {
        assumeVectorHardware();
        ExtractorConfig config = ExtractorConfig.builder().k(k).window(Math.max(n, 1)).build();
        ExtractorWeights w = ExtractorWeights.bootstrap(config, 1);
        FeatureExtractor vector = new FeatureExtractor(config, w, true);
        FeatureExtractor scalar = new FeatureExtractor(config, w, false);
        // k beyond the deepest threshold network (4 x the lanes: 32 with AVX2, 64 with AVX-512) runs the scalar
        // selection, which must then give the same answer.
        assertThat(vector.usesVectorTopK()).as("k=" + k + ", " + VectorTopK.lanes() + " lanes")
                .isEqualTo(VectorTopK.supports(k));
        int[] vi = new int[k];
        int[] si = new int[k];
        float[] vv = new float[k];
        float[] sv = new float[k];
        float[] vw = new float[k];
        float[] sw = new float[k];
        float vmax = vector.selectTopK(s.clone(), n, head, vi, vv, vw);
        float smax = scalar.selectTopK(s.clone(), n, head, si, sv, sw);
        String where = "n=" + n + " head=" + head + " k=" + k;
        assertThat(vi).as(where).containsExactly(si);
        assertThat(bits(vv)).as(where).containsExactly(bits(sv));
        assertThat(bits(vw)).as(where).containsExactly(bits(sw));
        assertThat(Float.floatToRawIntBits(vmax)).as(where).isEqualTo(Float.floatToRawIntBits(smax));
        assertThat(vi).as(where).containsExactly(sortedTopK(s, n, head, k));
    }

    /** Independent top-k: sort by (score desc, age asc: older first), keep k, list them oldest first. */
    private static int[] sortedTopK(float[] s, int n, int head, int k) {
        List<Integer> slots = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            slots.add(j);
        }
        Comparator<Integer> byAge = Comparator.comparingInt(j -> j >= head ? j - head : j - head + n);
        // == on floats (not Float.compare): -0.0 and +0.0 are a tie
        slots.sort((a, b) -> s[a] > s[b] ? -1 : s[a] < s[b] ? 1 : byAge.compare(a, b));
        List<Integer> kept = new ArrayList<>(slots.subList(0, k));
        kept.sort(byAge);
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }
}
