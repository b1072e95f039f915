package io.fraudstream.replay.eval;

import io.fraudstream.model.RankingMetrics;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Evaluation metrics of fraud scores against labels. A transaction alerts when {@code score >= t}; curves
 * have one point per distinct score (tied scores are one threshold, so results do not depend on input order),
 * plus the origin.
 */
public final class Metrics {

    private Metrics() {}

    /** AUC-ROC (Mann-Whitney with ties counted half); NaN without both classes. */
    public static double auc(double[] scores, boolean[] fraud) {
        return RankingMetrics.auc(scores, fraud);
    }

    /** Average precision, step-wise as scikit-learn's {@code average_precision_score}; NaN without frauds. */
    public static double averagePrecision(double[] scores, boolean[] fraud) {
        return RankingMetrics.averagePrecision(scores, fraud);
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

    public static Curve curve(double[] scores, boolean[] fraud) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        long pos = 0;
        for (boolean f : fraud) {
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
                if (fraud[order[i]]) {
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

    /** The lowest false-positive rate of any threshold whose recall is at least {@code minRecall}. */
    public static double fprAtRecall(Curve c, double minRecall) {
        double best = Double.NaN;
        for (int i = 0; i < c.size(); i++) {
            if (c.tpr()[i] >= minRecall && (Double.isNaN(best) || c.fpr()[i] < best)) {
                best = c.fpr()[i];
            }
        }
        return best;
    }

    /** Alerts (score &gt;= threshold), and how many of them are fraud, over all scored transactions. */
    public record AtThreshold(double threshold, long transactions, long alerts, long truePositives, long frauds) {
        public double alertRate() {
            return transactions == 0 ? Double.NaN : (double) alerts / transactions;
        }

        public double precision() {
            return alerts == 0 ? Double.NaN : (double) truePositives / alerts;
        }

        public double recall() {
            return frauds == 0 ? Double.NaN : (double) truePositives / frauds;
        }
    }

    public static AtThreshold atThreshold(double[] scores, boolean[] fraud, double threshold) {
        long alerts = 0;
        long tp = 0;
        long frauds = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean alert = scores[i] >= threshold;
            alerts += alert ? 1 : 0;
            tp += alert && fraud[i] ? 1 : 0;
            frauds += fraud[i] ? 1 : 0;
        }
        return new AtThreshold(threshold, scores.length, alerts, tp, frauds);
    }

    /**
     * Card precision@k of one day.
     *
     * @param cards            cards with a transaction that day (after removing cards detected on earlier days)
     * @param compromisedCards of those, the cards with at least one fraud that day
     * @param detected         compromised cards among the top k
     */
    public record DailyCardPrecision(LocalDate day, double precision, int cards, int compromisedCards, int detected) {}

    /**
     * Card precision@k per UTC day, as defined in the Fraud Detection Handbook (Le Borgne et al., "Reproducible
     * Machine Learning for Credit Card Fraud Detection", section 4.2, {@code card_precision_top_k}): per day, each
     * card's score is the maximum of its transactions' scores that day and it is compromised if any of them is
     * fraud; the k highest-scored cards are "investigated" and the day's precision is (compromised among them) / k
     * — divided by k even on a day with fewer than k cards. Cards detected (compromised and in the top k) are
     * removed from all later days, as investigators would block them. Ties in a card's daily score are broken by
     * card id so the result is deterministic.
     */
    public static List<DailyCardPrecision> cardPrecisionAtK(List<ScoredTransaction> rows, int k) {
        Map<LocalDate, Map<String, double[]>> byDay = new TreeMap<>();
        for (ScoredTransaction r : rows) {
            if (r.fraud() == null) {
                continue;
            }
            LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(r.eventTimeMillis()), ZoneOffset.UTC);
            double[] card = byDay.computeIfAbsent(day, d -> new HashMap<>())
                    .computeIfAbsent(r.cardId(), c -> new double[] {Double.NEGATIVE_INFINITY, 0});
            card[0] = Math.max(card[0], r.score());
            if (r.fraud()) {
                card[1] = 1;
            }
        }
        Set<String> detectedBefore = new HashSet<>();
        List<DailyCardPrecision> out = new ArrayList<>();
        for (Map.Entry<LocalDate, Map<String, double[]>> day : byDay.entrySet()) {
            List<Map.Entry<String, double[]>> cards = new ArrayList<>();
            int compromised = 0;
            for (Map.Entry<String, double[]> c : day.getValue().entrySet()) {
                if (!detectedBefore.contains(c.getKey())) {
                    cards.add(c);
                    compromised += c.getValue()[1] > 0 ? 1 : 0;
                }
            }
            cards.sort(Comparator.<Map.Entry<String, double[]>>comparingDouble(c -> -c.getValue()[0])
                    .thenComparing(Map.Entry::getKey));
            int detected = 0;
            for (int i = 0; i < Math.min(k, cards.size()); i++) {
                if (cards.get(i).getValue()[1] > 0) {
                    detected++;
                    detectedBefore.add(cards.get(i).getKey());
                }
            }
            out.add(new DailyCardPrecision(day.getKey(), (double) detected / k, cards.size(), compromised, detected));
        }
        return out;
    }

    /** The mean of the daily card precisions (the Handbook's summary figure); NaN without days. */
    public static double meanCardPrecision(List<DailyCardPrecision> days) {
        return days.stream().mapToDouble(DailyCardPrecision::precision).average().orElse(Double.NaN);
    }
}
