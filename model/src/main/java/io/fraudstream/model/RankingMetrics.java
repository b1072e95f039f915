package io.fraudstream.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ranking quality of fraud scores, pure math on (scores, labels): area under the ROC curve, average precision
 * (area under the precision-recall curve, step-wise, as scikit-learn's {@code average_precision_score}), the ROC
 * and precision-recall curves with recall at a false-positive rate and false-positive rate at a recall, alert
 * counts at a threshold, and the threshold for an alert budget. A transaction alerts when {@code score >= t};
 * tied scores are handled as one threshold, so the results do not depend on input order. The one implementation
 * of these figures: the bootstrap model, the trainer and replay's evaluation all call it.
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

    /**
     * The ROC and precision-recall curves: point i is "alert on every score &gt;= threshold[i]", thresholds
     * descending; point 0 is the origin (threshold +infinity, nothing alerts; precision 1 by convention).
     */
    public record Curve(double[] threshold, double[] fpr, double[] tpr, double[] precision) {
        public int size() {
            return threshold.length;
        }
    }

    /** One curve point per distinct score, plus the origin. */
    public static Curve curve(double[] scores, boolean[] positive) {
        Integer[] order = order(scores);
        long pos = 0;
        for (boolean f : positive) {
            pos += f ? 1 : 0;
        }
        long neg = scores.length - pos;
        List<double[]> points = new ArrayList<>();
        points.add(new double[] {Double.POSITIVE_INFINITY, 0, 0, 1});
        long tp = 0;
        long fp = 0;
        int i = 0;
        while (i < order.length) {
            double t = scores[order[i]];
            while (i < order.length && scores[order[i]] == t) {
                if (positive[order[i]]) {
                    tp++;
                } else {
                    fp++;
                }
                i++;
            }
            points.add(new double[] {t, neg == 0 ? Double.NaN : (double) fp / neg, pos == 0 ? Double.NaN : (double) tp / pos,
                    (double) tp / (tp + fp)});
        }
        int n = points.size();
        double[] th = new double[n];
        double[] fpr = new double[n];
        double[] tpr = new double[n];
        double[] prec = new double[n];
        for (int k = 0; k < n; k++) {
            double[] p = points.get(k);
            th[k] = p[0];
            fpr[k] = p[1];
            tpr[k] = p[2];
            prec[k] = p[3];
        }
        return new Curve(th, fpr, tpr, prec);
    }

    /** The highest recall (TPR) of any threshold whose false-positive rate is at most {@code maxFpr}. */
    public static double recallAtFpr(Curve c, double maxFpr) {
        double best = Double.NaN;
        for (int i = 0; i < c.size(); i++) {
            if (c.fpr()[i] <= maxFpr && (Double.isNaN(best) || c.tpr()[i] > best)) {
                best = c.tpr()[i];
            }
        }
        return best;
    }

    /**
     * The lowest false-positive rate of any threshold whose recall is at least {@code minRecall} (tied scores
     * enter together); NaN without both classes or when no threshold reaches {@code minRecall}.
     */
    public static double fprAtRecall(Curve c, double minRecall) {
        double best = Double.NaN;
        for (int i = 0; i < c.size(); i++) {
            if (c.tpr()[i] >= minRecall && (Double.isNaN(best) || c.fpr()[i] < best)) {
                best = c.fpr()[i];
            }
        }
        return best;
    }

    /** {@link #fprAtRecall(Curve, double)} of the scores' curve. */
    public static double fprAtRecall(double[] scores, boolean[] positive, double minRecall) {
        return fprAtRecall(curve(scores, positive), minRecall);
    }

    /** Alerts (score &gt;= threshold), and how many of them are positive, over all scored transactions. */
    public record AtThreshold(double threshold, long transactions, long alerts, long truePositives, long frauds) {
        /** Alerts per transaction; NaN without transactions. */
        public double alertRate() {
            return transactions == 0 ? Double.NaN : (double) alerts / transactions;
        }

        /** True positives per alert; NaN without alerts. */
        public double precision() {
            return alerts == 0 ? Double.NaN : (double) truePositives / alerts;
        }

        /** True positives per positive; NaN without positives. */
        public double recall() {
            return frauds == 0 ? Double.NaN : (double) truePositives / frauds;
        }
    }

    public static AtThreshold atThreshold(double[] scores, boolean[] positive, double threshold) {
        long alerts = 0;
        long tp = 0;
        long frauds = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean alert = scores[i] >= threshold;
            alerts += alert ? 1 : 0;
            tp += alert && positive[i] ? 1 : 0;
            frauds += positive[i] ? 1 : 0;
        }
        return new AtThreshold(threshold, scores.length, alerts, tp, frauds);
    }

    /**
     * The lowest score such that at most {@code budget} of {@code scores} are at or above it (at least one
     * alert); ties at the cut move the threshold up rather than exceed the budget. 0.5 without scores; never
     * above 1.
     */
    public static double thresholdForBudget(double[] scores, double budget) {
        if (scores.length == 0) {
            return 0.5;
        }
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        int alerts = Math.max(1, (int) Math.floor(budget * sorted.length));
        double t = sorted[sorted.length - alerts];
        // Ties at t could exceed the budget; step to the next distinct score above if they do.
        int atOrAbove = sorted.length - lowerBound(sorted, t);
        if (atOrAbove > alerts) {
            t = Math.nextUp(t);
        }
        return Math.min(1.0, t);
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
