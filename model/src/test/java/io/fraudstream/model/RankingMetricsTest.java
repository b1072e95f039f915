package io.fraudstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every metric against a hand-worked example and against brute force on random small cases with ties. */
class RankingMetricsTest {

    @Test
    void workedExample() {
        // score:  0.9 F, 0.8 G, 0.7 F, 0.6 G, 0.5 G, 0.4 F
        double[] s = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4};
        boolean[] y = {true, false, true, false, false, true};
        // AUC: of the 3 x 3 (fraud, genuine) pairs, 0.9 beats 3, 0.7 beats 2, 0.4 beats none: 5/9.
        assertThat(RankingMetrics.auc(s, y)).isEqualTo(5.0 / 9.0);
        // AP: precision at each fraud, in score order: 1/1, 2/3, 3/6; mean = 13/18.
        assertThat(RankingMetrics.averagePrecision(s, y)).isCloseTo(13.0 / 18.0, within(1e-15));
        RankingMetrics.Curve c = RankingMetrics.curve(s, y);
        // FPR <= 1/3 allows alerting down to 0.7 (fp 1 of 3): recall 2/3; FPR 0 allows only 0.9: 1/3.
        assertThat(RankingMetrics.recallAtFpr(c, 0.001)).isEqualTo(1.0 / 3.0);
        assertThat(RankingMetrics.recallAtFpr(c, 0.34)).isEqualTo(2.0 / 3.0);
        // 80% recall needs all 3 frauds: alert down to 0.4, every genuine alerts: FPR 1.
        assertThat(RankingMetrics.fprAtRecall(c, 0.8)).isEqualTo(1.0);
        assertThat(RankingMetrics.fprAtRecall(s, y, 0.8)).isEqualTo(1.0);
        RankingMetrics.AtThreshold at = RankingMetrics.atThreshold(s, y, 0.7);
        assertThat(at.alertRate()).isEqualTo(0.5);
        assertThat(at.precision()).isEqualTo(2.0 / 3.0);
        assertThat(at.recall()).isEqualTo(2.0 / 3.0);
    }

    @Test
    void matchesBruteForceOnRandomCasesWithTies() {
        Random random = new Random(11);
        for (int round = 0; round < 300; round++) {
            int n = 2 + random.nextInt(40);
            double[] s = new double[n];
            boolean[] y = new boolean[n];
            for (int i = 0; i < n; i++) {
                s[i] = random.nextInt(8) / 8.0; // coarse: many ties
                y[i] = random.nextInt(3) == 0;
            }
            long pos = 0;
            for (boolean b : y) {
                pos += b ? 1 : 0;
            }
            long neg = n - pos;
            if (pos > 0 && neg > 0) {
                double pairs = 0;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        if (y[i] && !y[j]) {
                            pairs += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                        }
                    }
                }
                assertThat(RankingMetrics.auc(s, y)).isCloseTo(pairs / (pos * neg), within(1e-12));
            }
            // Brute force over every candidate threshold: each distinct score, and "nothing alerts".
            TreeSet<Double> thresholds = new TreeSet<>();
            for (double v : s) {
                thresholds.add(v);
            }
            double ap = 0;
            double prevRecall = 0;
            double bestRecall01 = 0;
            double bestRecall1 = 0;
            double bestFpr80 = Double.NaN;
            for (double t : thresholds.descendingSet()) {
                long tp = 0;
                long fp = 0;
                for (int i = 0; i < n; i++) {
                    if (s[i] >= t) {
                        tp += y[i] ? 1 : 0;
                        fp += y[i] ? 0 : 1;
                    }
                }
                double recall = pos == 0 ? Double.NaN : (double) tp / pos;
                double fpr = neg == 0 ? Double.NaN : (double) fp / neg;
                ap += (recall - prevRecall) * tp / (tp + fp);
                prevRecall = recall;
                if (fpr <= 0.001) {
                    bestRecall01 = Math.max(bestRecall01, recall);
                }
                if (fpr <= 0.01) {
                    bestRecall1 = Math.max(bestRecall1, recall);
                }
                if (recall >= 0.8 && (Double.isNaN(bestFpr80) || fpr < bestFpr80)) {
                    bestFpr80 = fpr;
                }
            }
            RankingMetrics.Curve c = RankingMetrics.curve(s, y);
            if (pos > 0 && neg > 0) {
                assertThat(RankingMetrics.averagePrecision(s, y)).isCloseTo(ap, within(1e-12));
                assertThat(RankingMetrics.recallAtFpr(c, 0.001)).isCloseTo(bestRecall01, within(1e-12));
                assertThat(RankingMetrics.recallAtFpr(c, 0.01)).isCloseTo(bestRecall1, within(1e-12));
                assertThat(RankingMetrics.fprAtRecall(c, 0.8)).isCloseTo(bestFpr80, within(1e-12));
                assertThat(RankingMetrics.fprAtRecall(s, y, 0.8)).isCloseTo(bestFpr80, within(1e-12));
            } else {
                assertThat(RankingMetrics.fprAtRecall(s, y, 0.8)).isNaN();
            }
        }
    }

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
        double t = RankingMetrics.thresholdForBudget(s, 0.01);
        long alerts = java.util.Arrays.stream(s).filter(v -> v >= t).count();
        assertThat(alerts).isEqualTo(10);
        double[] tied = new double[100];
        java.util.Arrays.fill(tied, 0.3);
        double tt = RankingMetrics.thresholdForBudget(tied, 0.01);
        assertThat(java.util.Arrays.stream(tied).filter(v -> v >= tt).count()).isLessThanOrEqualTo(1);
    }
}
