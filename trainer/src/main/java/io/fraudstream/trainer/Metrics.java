package io.fraudstream.trainer;

import io.fraudstream.model.RankingMetrics;

/** The trainer's summary of one model's scores on one labelled slice; every figure comes from {@link RankingMetrics}. */
public final class Metrics {
    private Metrics() {}

    /** Figures of one model's scores on one labelled slice at one threshold. */
    public record Figures(int rows, int frauds, double auc, double averagePrecision, double alertRate,
            double recallAtThreshold, double precisionAtThreshold, double fprAt80Recall) {}

    public static Figures figures(double[] scores, boolean[] labels, double threshold) {
        RankingMetrics.AtThreshold at = RankingMetrics.atThreshold(scores, labels, threshold);
        return new Figures(scores.length, (int) at.frauds(), RankingMetrics.auc(scores, labels),
                RankingMetrics.averagePrecision(scores, labels), at.alertRate(), at.recall(), at.precision(),
                RankingMetrics.fprAtRecall(scores, labels, 0.8));
    }
}
