package io.fraudstream.trainer.bootstrap;

import io.fraudstream.model.FraudModel;
import io.fraudstream.model.RankingMetrics;
import io.fraudstream.model.scoring.CardScorer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scores a model on fresh simulator traffic (a seed and period it was not trained on), the way the job does
 * ({@link CardScorer}): each card in time order, extract then append. Reports what matters for operating the threshold: the alert
 * rate, AUC, average precision, recall and precision at the bundle's threshold, and recall per fraud scenario.
 *
 * <p>{@code mvn -q -pl model exec:java -Dexec.mainClass=io.fraudstream.trainer.bootstrap.BootstrapEvaluation
 * -Dexec.args="[modelSeed [simSeed [cards [days]]]]"} (defaults 42, 2026, 2000, 30) — the numbers in
 * docs/MODEL_BUNDLE.md.
 */
public final class BootstrapEvaluation {
    /** Where the evaluation traffic starts: after the bootstrap's own simulated period. */
    public static final Instant EVALUATION_START = Instant.parse("2026-06-01T00:00:00Z");

    private BootstrapEvaluation() {}

    /** Result of {@link #evaluate}. */
    public record Result(long transactions, long frauds, long alerts, double auc, double averagePrecision,
            double recall, double precision, Map<String, double[]> recallByScenario) {
        public double alertRate() {
            return transactions == 0 ? Double.NaN : (double) alerts / transactions;
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(String.format(java.util.Locale.ROOT,
                    "%,d transactions, %,d fraud (%.2f%%): alert rate %.2f%% (%,d alerts), AUC %.4f, AP %.4f, "
                            + "recall %.3f, precision %.3f",
                    transactions, frauds, 100.0 * frauds / Math.max(1, transactions), 100 * alertRate(), alerts, auc,
                    averagePrecision, recall, precision));
            recallByScenario.forEach((k, v) -> s.append(String.format(java.util.Locale.ROOT, "%n  %-22s %5.0f fraud, recall %.3f",
                    k, v[0], v[1] / Math.max(1, v[0]))));
            return s.toString();
        }
    }

    /** Scores {@code model} on {@code cards} simulated cards over {@code days} days from {@link #EVALUATION_START}. */
    public static Result evaluate(FraudModel model, long simulatorSeed, int cards, int days) {
        CardScorer scorer = CardScorer.of(model, CardScorer.DEFAULT_CARD_TTL.toMillis());
        List<List<BootstrapModel.Labelled>> data = BootstrapModel.simulate(simulatorSeed, cards, EVALUATION_START, days);
        int n = 0;
        for (List<BootstrapModel.Labelled> card : data) {
            n += card.size();
        }
        double[] scores = new double[n];
        boolean[] labels = new boolean[n];
        Map<String, double[]> byScenario = new TreeMap<>(); // {frauds, caught}
        long alerts = 0;
        long frauds = 0;
        long caught = 0;
        int i = 0;
        for (List<BootstrapModel.Labelled> card : data) {
            CardScorer.Card history = scorer.newCard();
            for (BootstrapModel.Labelled l : card) {
                if (scorer.next(history, l.tx(), null, null) == CardScorer.Outcome.DUPLICATE) {
                    continue; // not scored, as in the job
                }
                double score = scorer.score();
                boolean alert = score >= model.threshold();
                scores[i] = score;
                labels[i++] = l.fraud();
                alerts += alert ? 1 : 0;
                if (l.fraud()) {
                    frauds++;
                    caught += alert ? 1 : 0;
                    double[] c = byScenario.computeIfAbsent(l.scenario(), k -> new double[2]);
                    c[0]++;
                    c[1] += alert ? 1 : 0;
                }
            }
        }
        scores = java.util.Arrays.copyOf(scores, i); // duplicates are not scored
        labels = java.util.Arrays.copyOf(labels, i);
        return new Result(i, frauds, alerts, RankingMetrics.auc(scores, labels),
                RankingMetrics.averagePrecision(scores, labels), frauds == 0 ? Double.NaN : (double) caught / frauds,
                alerts == 0 ? Double.NaN : (double) caught / alerts, byScenario);
    }

    public static void main(String[] args) {
        long modelSeed = args.length > 0 ? Long.parseLong(args[0]) : 42;
        long simSeed = args.length > 1 ? Long.parseLong(args[1]) : 2026;
        int cards = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        int days = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        long t0 = System.nanoTime();
        FraudModel model = BootstrapModel.create(modelSeed);
        long t1 = System.nanoTime();
        Result r = evaluate(model, simSeed, cards, days);
        long t2 = System.nanoTime();
        System.out.printf(java.util.Locale.ROOT, "model %s (built in %.1f s), threshold %.6f, validation: %s%n",
                model.version(), (t1 - t0) / 1e9, model.threshold(), model.metrics());
        System.out.printf(java.util.Locale.ROOT, "simulator seed %d, %d cards x %d days from %s (scored in %.1f s):%n%s%n",
                simSeed, cards, days, EVALUATION_START, (t2 - t1) / 1e9, r);
    }
}
