package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** The JVM kernel against the independent double-precision reference on random histories. */
class FeatureExtractorReferenceTest {
    static final int CASES = 1000;
    static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @EnumSource(AttentionMode.class)
    void matchesReferenceOnRandomHistories(AttentionMode mode) {
        ExtractorConfig config = ExtractorConfig.builder().mode(mode).build();
        int cases = mode == AttentionMode.SPARSE_TOP_K ? CASES : CASES / 4;
        RandomCases gen = new RandomCases(42 + mode.ordinal());
        int ambiguous = 0;
        double worst = 0;
        String worstAt = "";
        for (int i = 0; i < cases; i++) {
            ExtractorWeights weights = i % 2 == 0 ? ExtractorWeights.bootstrap(config, i) : randomWeights(config, i);
            RandomCases.Case c = gen.next(gen.nextLength(i, config.k(), config.window()));
            ReferenceExtractor ref = new ReferenceExtractor(config, weights);
            double[] expected = ref.extract(c.history(), c.query());
            if (ref.ambiguous) {
                ambiguous++;
                continue;
            }
            FeatureExtractor fx = new FeatureExtractor(config, weights);
            float[] actual = new float[fx.featureCount()];
            fx.extract(RandomCases.historyOf(config, c.history()), c.query(), actual, new Explanation(config));
            assertThat(actual.length).isEqualTo(expected.length);
            for (int f = 0; f < actual.length; f++) {
                assertThat(Float.isFinite(actual[f])).as("finite %s", fx.featureNames()[f]).isTrue();
                double diff = Math.abs(actual[f] - expected[f]);
                if (diff > worst) {
                    worst = diff;
                    worstAt = "case " + i + " n=" + c.history().size() + " " + fx.featureNames()[f] + ": "
                            + actual[f] + " vs " + expected[f];
                }
            }
        }
        assertThat(worst).as("max abs diff, worst at %s", worstAt).isLessThanOrEqualTo(TOLERANCE);
        // top-k boundaries closer than 1e-4 cannot be decided reliably in float: they must be rare
        assertThat(ambiguous).isLessThan(cases / 50);
    }

    @Test
    void matchesReferenceOnFullRotatedWindows() {
        ExtractorConfig config = ExtractorConfig.builder().window(300).k(16).build();
        RandomCases gen = new RandomCases(77);
        double worst = 0;
        int compared = 0;
        for (int i = 0; i < 60; i++) {
            ExtractorWeights weights = i % 2 == 0 ? ExtractorWeights.bootstrap(config, i) : randomWeights(config, i);
            RandomCases.Case c = gen.next(300 + 1 + (i * 37) % 700); // evicts: the ring has rotated
            List<RawTransaction> sorted = new ArrayList<>(c.history());
            sorted.sort(ReferenceExtractor.ORDER);
            List<RawTransaction> window = sorted.subList(sorted.size() - 300, sorted.size());
            ReferenceExtractor ref = new ReferenceExtractor(config, weights);
            double[] expected = ref.extract(window, c.query());
            if (ref.ambiguous) {
                continue;
            }
            compared++;
            CardHistory h = RandomCases.historyOf(config, c.history());
            assertThat(h.head).isNotZero();
            FeatureExtractor fx = new FeatureExtractor(config, weights);
            float[] actual = new float[fx.featureCount()];
            fx.extract(h, c.query(), actual, null);
            for (int f = 0; f < actual.length; f++) {
                worst = Math.max(worst, Math.abs(actual[f] - expected[f]));
            }
        }
        assertThat(worst).isLessThanOrEqualTo(TOLERANCE);
        assertThat(compared).isGreaterThan(50);
    }

    @Test
    void explanationListsTheMostAttendedInDescendingOrder() {
        ExtractorConfig config = ExtractorConfig.builder().explainTop(5).build();
        ExtractorWeights weights = ExtractorWeights.bootstrap(config, 7);
        RandomCases gen = new RandomCases(7);
        RandomCases.Case c = gen.next(300);
        ReferenceExtractor ref = new ReferenceExtractor(config, weights);
        ref.extract(c.history(), c.query());
        FeatureExtractor fx = new FeatureExtractor(config, weights);
        Explanation e = new Explanation(config);
        fx.extract(RandomCases.historyOf(config, c.history()), c.query(), new float[fx.featureCount()], e);

        List<Integer> byWeight = new ArrayList<>();
        for (int j = 0; j < ref.lastP.length; j++) {
            byWeight.add(j);
        }
        byWeight.sort((a, b) -> Double.compare(ref.lastP[b], ref.lastP[a]));
        assertThat(e.size()).isEqualTo(5);
        List<Explanation.Attended> top = e.topAttended();
        for (int i = 0; i < 5; i++) {
            RawTransaction expected = ref.lastSorted.get(byWeight.get(i));
            assertThat(top.get(i).transactionId()).isEqualTo(expected.transactionId());
            assertThat(top.get(i).eventTimeMillis()).isEqualTo(expected.eventTimeMillis());
            assertThat((double) top.get(i).weight()).isCloseTo(ref.lastP[byWeight.get(i)],
                    org.assertj.core.data.Offset.offset(1e-5));
        }
        List<Float> weightsDesc = new ArrayList<>();
        top.forEach(a -> weightsDesc.add(a.weight()));
        List<Float> sorted = new ArrayList<>(weightsDesc);
        sorted.sort(Collections.reverseOrder());
        assertThat(weightsDesc).isEqualTo(sorted);
        assertThat(e.hasPrevious()).isTrue();
    }

    static ExtractorWeights randomWeights(ExtractorConfig config, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        int size = config.dim() * TokenEncoder.WIDTH;
        float[][] m = new float[3][size];
        double scale = r.nextDouble(0.05, 0.8);
        for (float[] a : m) {
            for (int i = 0; i < size; i++) {
                a[i] = (float) (r.nextGaussian() * scale);
            }
        }
        float[] alpha = new float[config.heads()];
        float[] beta = new float[config.heads()];
        for (int h = 0; h < alpha.length; h++) {
            alpha[h] = (float) r.nextDouble(0, 2);
            beta[h] = (float) r.nextDouble(0, 2);
        }
        return new ExtractorWeights("random-" + seed, TokenEncoder.WIDTH, m[0], m[1], m[2], alpha, beta);
    }
}
