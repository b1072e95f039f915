package io.fraudstream.trainer;

import io.fraudstream.model.RankingMetrics;
import java.util.Arrays;

/** Threshold and operating-point figures on top of {@link RankingMetrics}. */
public final class Metrics {
    private Metrics() {}

    /** Figures of one model's scores on one labelled slice at one threshold. */
    public record Figures(int rows, int frauds, double auc, double averagePrecision, double alertRate,
            double recallAtThreshold, double precisionAtThreshold, double fprAt80Recall) {}

    public static Figures figures(double[] scores, boolean[] labels, double threshold) {
        int alerts = 0;
        int caught = 0;
        int frauds = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean alert = scores[i] >= threshold;
            alerts += alert ? 1 : 0;
            caught += alert && labels[i] ? 1 : 0;
            frauds += labels[i] ? 1 : 0;
        }
        return new Figures(scores.length, frauds, RankingMetrics.auc(scores, labels),
                RankingMetrics.averagePrecision(scores, labels),
                scores.length == 0 ? Double.NaN : (double) alerts / scores.length,
                frauds == 0 ? Double.NaN : (double) caught / frauds,
                alerts == 0 ? Double.NaN : (double) caught / alerts,
                fprAtRecall(scores, labels, 0.8));
    }

    /**
     * The lowest score such that at most {@code budget} of {@code scores} are at or above it (at least one
     * alert); ties at the cut move the threshold up rather than exceed the budget.
     */
    public static double thresholdForBudget(double[] scores, double budget) {
        if (scores.length == 0) {
            return 0.5;
        }
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        int alerts = Math.max(1, (int) Math.floor(budget * sorted.length));
        double t = sorted[sorted.length - alerts];
        int atOrAbove = sorted.length - lowerBound(sorted, t);
        if (atOrAbove > alerts) {
            t = Math.nextUp(t);
        }
        return Math.min(1.0, t);
    }

    /**
     * False-positive rate at the highest threshold whose recall reaches {@code recall} (tied scores enter
     * together); NaN without both classes.
     */
    public static double fprAtRecall(double[] scores, boolean[] labels, double recall) {
        int pos = 0;
        for (boolean b : labels) {
            pos += b ? 1 : 0;
        }
        int neg = labels.length - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        int tp = 0;
        int fp = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j < order.length && scores[order[j]] == scores[order[i]]) {
                if (labels[order[j]]) {
                    tp++;
                } else {
                    fp++;
                }
                j++;
            }
            if (tp >= recall * pos) {
                return (double) fp / neg;
            }
            i = j;
        }
        return 1.0;
    }

    private static int lowerBound(double[] sorted, double v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
