package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The DJL batch kernel against the per-event JVM kernel on the same random cases. */
class DjlBatchExtractorTest {
    static final int CASES = 1000;
    static final int BATCH = 125;

    @ParameterizedTest
    @EnumSource(AttentionMode.class)
    void agreesWithTheJvmKernel(AttentionMode mode) {
        ExtractorConfig config = ExtractorConfig.builder().mode(mode).build();
        int cases = mode == AttentionMode.SPARSE_TOP_K ? CASES : CASES / 4;
        RandomCases gen = new RandomCases(1234 + mode.ordinal());
        double worst = 0;
        String worstAt = "";
        int compared = 0;
        for (int start = 0; start < cases; start += BATCH) {
            ExtractorWeights weights = start / BATCH % 2 == 0 ? ExtractorWeights.bootstrap(config, start)
                    : FeatureExtractorReferenceTest.randomWeights(config, start);
            ReferenceExtractor ref = new ReferenceExtractor(config, weights);
            FeatureExtractor jvm = new FeatureExtractor(config, weights);
            List<CardHistory> histories = new ArrayList<>();
            List<RawTransaction> queries = new ArrayList<>();
            List<float[]> expected = new ArrayList<>();
            List<Boolean> ambiguous = new ArrayList<>();
            for (int i = start; i < Math.min(cases, start + BATCH); i++) {
                RandomCases.Case c = gen.next(gen.nextLength(i, config.k(), config.window()));
                ref.extract(c.history(), c.query());
                ambiguous.add(ref.ambiguous);
                CardHistory h = RandomCases.historyOf(config, c.history());
                float[] f = new float[jvm.featureCount()];
                jvm.extract(h, c.query(), f, null);
                histories.add(h);
                queries.add(c.query());
                expected.add(f);
            }
            float[][] actual;
            try (DjlBatchExtractor djl = new DjlBatchExtractor(config, weights)) {
                assertThat(djl.featureNames()).isEqualTo(jvm.featureNames());
                actual = djl.extract(histories, queries);
            }
            for (int b = 0; b < actual.length; b++) {
                if (ambiguous.get(b)) {
                    continue;
                }
                compared++;
                for (int f = 0; f < actual[b].length; f++) {
                    assertThat(Float.isFinite(actual[b][f])).isTrue();
                    double diff = Math.abs(actual[b][f] - expected.get(b)[f]);
                    if (diff > worst) {
                        worst = diff;
                        worstAt = "case " + (start + b) + " n=" + histories.get(b).size() + " "
                                + jvm.featureNames()[f] + ": " + actual[b][f] + " vs " + expected.get(b)[f];
                    }
                }
            }
        }
        assertThat(worst).as("max abs diff, worst at %s", worstAt).isLessThanOrEqualTo(1e-4);
        assertThat(compared).isGreaterThan(cases * 49 / 50);
    }
}
