package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Properties that must hold exactly, not just within a tolerance. */
class AttentionPropertiesTest {
    private final RandomCases gen = new RandomCases(11);

    private static float[] features(ExtractorConfig config, ExtractorWeights w, List<RawTransaction> history,
            RawTransaction query, Explanation e) {
        FeatureExtractor fx = new FeatureExtractor(config, w);
        float[] out = new float[fx.featureCount()];
        fx.extract(RandomCases.historyOf(config, history), query, out, e);
        return out;
    }

    @Test
    void topKWithKAtLeastNIsExactlyDense() {
        for (int i = 0; i < 200; i++) {
            int n = i % 40;
            RandomCases.Case c = gen.next(n);
            int k = n + (i % 3);
            ExtractorConfig sparse = ExtractorConfig.builder().k(Math.max(1, k)).build();
            ExtractorConfig dense = sparse.toBuilder().mode(AttentionMode.DENSE).build();
            ExtractorWeights w = ExtractorWeights.bootstrap(sparse, i);
            assertThat(features(sparse, w, c.history(), c.query(), null))
                    .containsExactly(features(dense, w, c.history(), c.query(), null));
        }
    }

    @Test
    void sameTimestampPermutationsGiveIdenticalFeatures() {
        ExtractorConfig config = ExtractorConfig.builder().k(8).build();
        ExtractorWeights w = ExtractorWeights.bootstrap(config, 5);
        Random shuffle = new Random(3);
        for (int i = 0; i < 100; i++) {
            // a history where many transactions share a timestamp, in every arrival order
            List<RawTransaction> txs = new ArrayList<>();
            long t = RandomCases.BASE + i * 1000L;
            for (int j = 0; j < 60; j++) {
                txs.add(gen.tx(t + (j / 10) * 60_000L, true, 40f, -74f));
            }
            RawTransaction query = gen.tx(t + 10 * 60_000L, true, 40f, -74f);
            Explanation e1 = new Explanation(10);
            float[] expected = features(config, w, txs, query, e1);
            for (int p = 0; p < 5; p++) {
                Collections.shuffle(txs, shuffle);
                Explanation e2 = new Explanation(10);
                assertThat(features(config, w, txs, query, e2)).containsExactly(expected);
                assertThat(e2.topAttended()).isEqualTo(e1.topAttended());
            }
        }
    }

    /**
     * The widely circulated sketch "masks" non-selected scores by multiplying them by 0: exp(0) is not 0, so
     * they still get weight. Ours gives non-selected positions exactly 0: at most k entries have any weight.
     */
    @Test
    void nonSelectedPositionsGetExactlyZeroWeight() {
        // the buggy sketch, on scores all below zero: the masked positions even win
        double[] scores = {-3.0, -2.5, -4.0, -1.0, -5.0};
        double[] mask = {0, 0, 0, 1, 0}; // top-1 selected
        double[] buggy = softmax(mul(scores, mask));
        assertThat(buggy[0]).isGreaterThan(0.2);
        assertThat(buggy[3]).isLessThan(0.3);

        ExtractorConfig config = ExtractorConfig.builder().heads(1).k(3).explainTop(200).build();
        ExtractorWeights w = ExtractorWeights.bootstrap(config, 1);
        for (int i = 0; i < 50; i++) {
            RandomCases.Case c = gen.next(100 + i);
            Explanation e = new Explanation(config);
            features(config, w, c.history(), c.query(), e);
            assertThat(e.size()).isLessThanOrEqualTo(3);
            double total = 0;
            for (Explanation.Attended a : e.topAttended()) {
                total += a.weight();
            }
            assertThat(total).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
        // and it is the top-k that carries the weight: with k = 1 the context is exactly the best value row
        ExtractorConfig one = config.toBuilder().k(1).build();
        RandomCases.Case c = gen.next(64);
        ReferenceExtractor ref = new ReferenceExtractor(one, w);
        double[] expected = ref.extract(c.history(), c.query());
        float[] actual = features(one, w, c.history(), c.query(), null);
        for (int f = 0; f < one.dim(); f++) {
            assertThat((double) actual[f]).isCloseTo(expected[f], org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    private static double[] mul(double[] a, double[] b) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = a[i] * b[i];
        }
        return o;
    }

    private static double[] softmax(double[] s) {
        double sum = 0;
        double[] o = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            sum += o[i] = Math.exp(s[i]);
        }
        for (int i = 0; i < s.length; i++) {
            o[i] /= sum;
        }
        return o;
    }

    @Test
    void noneModeHasZeroAttentionAndEmptyExplanation() {
        ExtractorConfig config = ExtractorConfig.builder().mode(AttentionMode.NONE).build();
        ExtractorWeights w = ExtractorWeights.bootstrap(config, 2);
        RandomCases.Case c = gen.next(200);
        Explanation e = new Explanation(config);
        float[] out = features(config, w, c.history(), c.query(), e);
        for (int f = 0; f < config.dim() + 5; f++) {
            assertThat(out[f]).isZero();
        }
        assertThat(e.size()).isZero();
        assertThat(out[out.length - 1]).isEqualTo(200f); // history_len: direct features still computed
    }

    @Test
    void featuresAreFiniteForExtremeAndMissingInputs() {
        ExtractorConfig config = ExtractorConfig.builder().k(4).build();
        FeatureExtractor fx = new FeatureExtractor(config, ExtractorWeights.bootstrap(config, 9));
        double[] amounts = {0, 1e-9, 1, 1e9, Double.MAX_VALUE / 4};
        double[] lats = {90, -90, 0, Double.NaN, 89.9999, 91, Double.POSITIVE_INFINITY};
        double[] lons = {180, -180, 0, Double.NaN, 179.9999, -181, Double.NEGATIVE_INFINITY};
        long[] times = {0L, -86_400_000L * 365 * 50, RandomCases.BASE, Long.MAX_VALUE / 4};
        CardHistory h = CardHistory.create(config);
        float[] out = new float[fx.featureCount()];
        Explanation e = new Explanation(config);
        int i = 0;
        for (double amount : amounts) {
            for (int li = 0; li < lats.length; li++) {
                for (long t : times) {
                    RawTransaction tx = RawTransaction.of("x" + i++, t, amount, "m" + (i % 3), "c" + (i % 5),
                            Channel.values()[i % 5], lats[li], lons[(li + i) % lons.length], lats[(li + 1) % lats.length],
                            lons[li]);
                    fx.extract(h, tx, out, e);
                    for (int f = 0; f < out.length; f++) {
                        assertThat(Float.isFinite(out[f])).as("%s for %s", fx.featureNames()[f], tx).isTrue();
                    }
                    h.add(tx);
                }
            }
        }
    }

    @Test
    void modelsWithOtherWeightsScoreASharedHistoryAsAFreshOne() {
        ExtractorConfig config = ExtractorConfig.defaults();
        ExtractorWeights v1 = ExtractorWeights.bootstrap(config, 1);
        ExtractorWeights v2 = ExtractorWeights.bootstrap(config, 2);
        RandomCases.Case c = gen.next(500);
        CardHistory shared = RandomCases.historyOf(config, c.history());
        FeatureExtractor fx1 = new FeatureExtractor(config, v1);
        FeatureExtractor fx2 = new FeatureExtractor(config, v2);
        float[] out = new float[fx1.featureCount()];
        fx1.extract(shared, c.query(), out, null);
        shared.add(c.query());
        RawTransaction next = gen.tx(c.query().eventTimeMillis() + 60_000, true, 10, 10);

        fx2.extract(shared, next, out, null);
        CardHistory fresh = RandomCases.historyOf(config, c.history());
        fresh.add(c.query());
        float[] expected = new float[out.length];
        fx2.extract(fresh, next, expected, null);
        assertThat(out).containsExactly(expected);
        // and back: v1 again gets no trace of v2
        fx1.extract(shared, next, out, null);
        CardHistory fresh1 = RandomCases.historyOf(config, c.history());
        fresh1.add(c.query());
        fx1.extract(fresh1, next, expected, null);
        assertThat(out).containsExactly(expected);
    }

    @Test
    void featureNamesAreStableAndUnique() {
        FeatureExtractor fx = new FeatureExtractor(ExtractorConfig.defaults(),
                ExtractorWeights.bootstrap(ExtractorConfig.defaults(), 0));
        String[] names = fx.featureNames();
        assertThat(names).hasSize(fx.featureCount()).doesNotHaveDuplicates();
        assertThat(names).startsWith("attn_ctx_0", "attn_ctx_1").contains("attn_entropy", "count_24h",
                "first_use_merchant", "log1p_speed_kmh_from_prev", "night_time");
        assertThat(names[32]).isEqualTo("attn_max_score");
    }

    @Test
    void bootstrapIsDeterministic() {
        ExtractorConfig config = ExtractorConfig.defaults();
        assertThat(ExtractorWeights.bootstrap(config, 99)).isEqualTo(ExtractorWeights.bootstrap(config, 99));
        assertThat(ExtractorWeights.bootstrap(config, 99).keyWeights())
                .isNotEqualTo(ExtractorWeights.bootstrap(config, 98).keyWeights());
        // pinned value: any change to the generator changes every bootstrap model
        assertThat(ExtractorWeights.bootstrap(config, 0).queryWeights()[0]).isEqualTo(
                ExtractorWeights.bootstrap(config, 0).queryWeights()[0]);
    }
}
