package io.fraudstream.replay.eval;

import io.fraudstream.model.RankingMetrics;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The evaluation of one scored run: scores joined with labels, every metric of the report. Only labelled
 * transactions count; unlabelled ones are counted and left out.
 *
 * @param threshold the model's alert threshold (NaN when unknown: the alert figures are then NaN)
 */
public record Evaluation(String title, String modelVersion, double threshold, long scored, long unlabelled,
        long frauds, double auc, double averagePrecision, double recallAtFpr0001, double recallAtFpr001,
        double fprAtRecall80, RankingMetrics.AtThreshold atThreshold, double meanCardPrecision100,
        List<Metrics.DailyCardPrecision> cardPrecision100, List<Day> days, RankingMetrics.Curve curve, double[] scores,
        boolean[] fraud, Map<String, String> facts) {

    /** One row of the daily series (UTC days). */
    public record Day(LocalDate day, long transactions, long frauds, long alerts, double cardPrecision100,
            int compromisedCards) {}

    public static final int CARD_K = 100;

    /**
     * @param facts free-form lines for the report header (input, bad rows, dead letters, timings, latency)
     */
    public static Evaluation of(String title, String modelVersion, double threshold, List<ScoredTransaction> rows,
            Map<String, String> facts) {
        List<ScoredTransaction> labelled = new ArrayList<>(rows.size());
        for (ScoredTransaction r : rows) {
            if (r.fraud() != null) {
                labelled.add(r);
            }
        }
        int n = labelled.size();
        double[] scores = new double[n];
        boolean[] fraud = new boolean[n];
        long frauds = 0;
        for (int i = 0; i < n; i++) {
            scores[i] = labelled.get(i).score();
            fraud[i] = labelled.get(i).fraud();
            frauds += fraud[i] ? 1 : 0;
        }
        RankingMetrics.Curve curve = RankingMetrics.curve(scores, fraud);
        List<Metrics.DailyCardPrecision> cp = Metrics.cardPrecisionAtK(labelled, CARD_K);
        Map<LocalDate, long[]> perDay = new TreeMap<>();
        for (ScoredTransaction r : labelled) {
            long[] d = perDay.computeIfAbsent(LocalDate.ofInstant(Instant.ofEpochMilli(r.eventTimeMillis()),
                    ZoneOffset.UTC), k -> new long[3]);
            d[0]++;
            d[1] += r.fraud() ? 1 : 0;
            d[2] += !Double.isNaN(threshold) && r.score() >= threshold ? 1 : 0;
        }
        List<Day> days = new ArrayList<>();
        int i = 0;
        for (Map.Entry<LocalDate, long[]> e : perDay.entrySet()) {
            Metrics.DailyCardPrecision c = cp.get(i++);
            days.add(new Day(e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2], c.precision(),
                    c.compromisedCards()));
        }
        return new Evaluation(title, modelVersion, threshold, rows.size(), rows.size() - n, frauds,
                RankingMetrics.auc(scores, fraud), RankingMetrics.averagePrecision(scores, fraud),
                RankingMetrics.recallAtFpr(curve, 0.001), RankingMetrics.recallAtFpr(curve, 0.01),
                RankingMetrics.fprAtRecall(curve, 0.8),
                RankingMetrics.atThreshold(scores, fraud, Double.isNaN(threshold) ? Double.POSITIVE_INFINITY : threshold),
                Metrics.meanCardPrecision(cp), cp, days, curve, scores, fraud, new LinkedHashMap<>(facts));
    }

    /** The headline metrics in report order: name to value. */
    public Map<String, Double> headline() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("auc_roc", auc);
        m.put("average_precision", averagePrecision);
        m.put("card_precision_at_100_mean_daily", meanCardPrecision100);
        m.put("recall_at_fpr_0.1pct", recallAtFpr0001);
        m.put("recall_at_fpr_1pct", recallAtFpr001);
        m.put("fpr_at_recall_80pct", fprAtRecall80);
        m.put("alert_rate_at_threshold", Double.isNaN(threshold) ? Double.NaN : atThreshold.alertRate());
        m.put("precision_at_threshold", Double.isNaN(threshold) ? Double.NaN : atThreshold.precision());
        m.put("recall_at_threshold", Double.isNaN(threshold) ? Double.NaN : atThreshold.recall());
        return m;
    }

    /** The fraud base rate among labelled transactions. */
    public double baseRate() {
        return scores.length == 0 ? Double.NaN : (double) frauds / scores.length;
    }

    @Override
    public String toString() {
        return "Evaluation" + headline() + Arrays.toString(new long[] {scored, frauds});
    }
}
