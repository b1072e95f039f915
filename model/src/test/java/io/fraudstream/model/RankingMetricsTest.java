package io.fraudstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RankingMetricsTest {

    @Test
    void aucMatchesSmileAndAPairCountOnRandomDataWithTies() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 3000;
        double[] s = new double[n];
        boolean[] y = new boolean[n];
        int[] yi = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextDouble() < 0.1;
            yi[i] = y[i] ? 1 : 0;
            s[i] = Math.round((r.nextGaussian() + (y[i] ? 1 : 0)) * 4) / 4.0; // coarse: many ties
        }
        double pairs = 0;
        long count = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (y[i] && !y[j]) {
                    pairs += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                    count++;
                }
            }
        }
        assertThat(RankingMetrics.auc(s, y)).isCloseTo(pairs / count, within(1e-12));
        assertThat(RankingMetrics.auc(s, y)).isCloseTo(smile.validation.metric.AUC.of(yi, s), within(1e-9));
    }

    @Test
    void averagePrecisionOfSmallCases() {
        // scores 0.9 (+), 0.8 (-), 0.7 (+): AP = 1/2 * 1 + 1/2 * 2/3
        assertThat(RankingMetrics.averagePrecision(new double[] {0.9, 0.8, 0.7}, new boolean[] {true, false, true}))
                .isCloseTo(0.5 + 1.0 / 3, within(1e-12));
        // perfect ranking
        assertThat(RankingMetrics.averagePrecision(new double[] {3, 2, 1}, new boolean[] {true, true, false}))
                .isEqualTo(1.0);
        // all tied: precision is the base rate
        assertThat(RankingMetrics.averagePrecision(new double[] {1, 1, 1, 1}, new boolean[] {true, false, false,
                false})).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void thresholdRespectsTheAlertBudget() {
        double[] s = new double[1000];
        for (int i = 0; i < s.length; i++) {
            s[i] = i / 1000.0;
        }
        double t = BootstrapModel.thresholdForBudget(s, 0.01);
        long alerts = java.util.Arrays.stream(s).filter(v -> v >= t).count();
        assertThat(alerts).isEqualTo(10);
        double[] tied = new double[100];
        java.util.Arrays.fill(tied, 0.3);
        double tt = BootstrapModel.thresholdForBudget(tied, 0.01);
        assertThat(java.util.Arrays.stream(tied).filter(v -> v >= tt).count()).isLessThanOrEqualTo(1);
    }
}
