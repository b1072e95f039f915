package io.fraudstream.model;

import java.util.Arrays;

/**
 * Ranking quality of fraud scores: area under the ROC curve and average precision (area under the
 * precision-recall curve, step-wise, as scikit-learn's {@code average_precision_score}). Tied scores are
 * handled as one threshold, so the results do not depend on input order.
 */
public final class RankingMetrics {
    private RankingMetrics() {}

    /** AUC-ROC (Mann-Whitney, ties counted half); NaN without both classes. */
    public static double auc(double[] scores, boolean[] positive) {
        Integer[] order = order(scores);
        long pos = 0;
        long neg = 0;
        for (boolean p : positive) {
            if (p) {
                pos++;
            } else {
                neg++;
            }
        }
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        // ascending ranks with ties averaged
        double rankSumPos = 0;
        int i = scores.length - 1;
        double rank = 1;
        while (i >= 0) {
            int j = i;
            while (j > 0 && scores[order[j - 1]] == scores[order[i]]) {
                j--;
            }
            int tied = i - j + 1;
            double avg = rank + (tied - 1) / 2.0;
            for (int k = j; k <= i; k++) {
                if (positive[order[k]]) {
                    rankSumPos += avg;
                }
            }
            rank += tied;
            i = j - 1;
        }
        return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /** Average precision: sum over thresholds of (recall step) x precision; NaN without positives. */
    public static double averagePrecision(double[] scores, boolean[] positive) {
        Integer[] order = order(scores);
        long totalPos = 0;
        for (boolean p : positive) {
            if (p) {
                totalPos++;
            }
        }
        if (totalPos == 0) {
            return Double.NaN;
        }
        double ap = 0;
        long tp = 0;
        long seen = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            long tpBlock = 0;
            while (j < order.length && scores[order[j]] == scores[order[i]]) {
                if (positive[order[j]]) {
                    tpBlock++;
                }
                j++;
            }
            seen += j - i;
            tp += tpBlock;
            ap += (double) tpBlock / totalPos * ((double) tp / seen);
            i = j;
        }
        return ap;
    }

    /** Indices by descending score. */
    private static Integer[] order(double[] scores) {
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(scores[b], scores[a]));
        return idx;
    }
}
