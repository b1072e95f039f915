package io.fraudstream.replay.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every metric against a hand-worked example and against brute force on random small cases with ties. */
class MetricsTest {

    private static final long DAY = 86_400_000L;
    private static final long T0 = Instant.parse("2024-03-01T10:00:00Z").toEpochMilli();

    private static ScoredTransaction tx(String card, int day, double score, boolean fraud) {
        return new ScoredTransaction("t" + card + day + score, card, T0 + day * DAY, score, fraud);
    }

    @Test
    void workedExample() {
        // score:  0.9 F, 0.8 G, 0.7 F, 0.6 G, 0.5 G, 0.4 F
        double[] s = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4};
        boolean[] y = {true, false, true, false, false, true};
        // AUC: of the 3 x 3 (fraud, genuine) pairs, 0.9 beats 3, 0.7 beats 2, 0.4 beats none: 5/9.
        assertThat(Metrics.auc(s, y)).isEqualTo(5.0 / 9.0);
        // AP: precision at each fraud, in score order: 1/1, 2/3, 3/6; mean = 13/18.
        assertThat(Metrics.averagePrecision(s, y)).isCloseTo(13.0 / 18.0, within(1e-15));
        Metrics.Curve c = Metrics.curve(s, y);
        // FPR <= 1/3 allows alerting down to 0.7 (fp 1 of 3): recall 2/3; FPR 0 allows only 0.9: 1/3.
        assertThat(Metrics.recallAtFpr(c, 0.001)).isEqualTo(1.0 / 3.0);
        assertThat(Metrics.recallAtFpr(c, 0.34)).isEqualTo(2.0 / 3.0);
        // 80% recall needs all 3 frauds: alert down to 0.4, every genuine alerts: FPR 1.
        assertThat(Metrics.fprAtRecall(c, 0.8)).isEqualTo(1.0);
        Metrics.AtThreshold at = Metrics.atThreshold(s, y, 0.7);
        assertThat(at.alertRate()).isEqualTo(0.5);
        assertThat(at.precision()).isEqualTo(2.0 / 3.0);
        assertThat(at.recall()).isEqualTo(2.0 / 3.0);
    }

    @Test
    void cardPrecisionWorkedExample() {
        List<ScoredTransaction> rows = List.of(
                // day 0: A max 0.9 compromised, B 0.8 genuine, C 0.7 compromised; top 2 = A, B: 1/2; A detected
                tx("A", 0, 0.9, true), tx("A", 0, 0.1, false), tx("B", 0, 0.8, false), tx("C", 0, 0.7, true),
                // day 1: A is already detected and removed; D 0.6 genuine, C 0.3 compromised, E 0.2: top 2 = D, C: 1/2
                tx("A", 1, 0.95, true), tx("C", 1, 0.3, true), tx("D", 1, 0.6, false), tx("E", 1, 0.2, false),
                // day 2: one genuine card; precision is divided by k even so: 0/2
                tx("F", 2, 0.5, false));
        List<Metrics.DailyCardPrecision> days = Metrics.cardPrecisionAtK(rows, 2);
        assertThat(days).extracting(Metrics.DailyCardPrecision::precision).containsExactly(0.5, 0.5, 0.0);
        assertThat(days).extracting(Metrics.DailyCardPrecision::cards).containsExactly(3, 3, 1);
        assertThat(days).extracting(Metrics.DailyCardPrecision::compromisedCards).containsExactly(2, 1, 0);
        assertThat(days.get(0).day()).isEqualTo(LocalDate.parse("2024-03-01"));
        assertThat(Metrics.meanCardPrecision(days)).isEqualTo(1.0 / 3.0);

        // With k = 100 (the report's k) every card of the day is investigated: A and C on day 0 (2/100), both
        // then removed, so day 1 has no compromised card left (0/100), day 2 neither.
        Evaluation e = Evaluation.of("t", "v", 0.75, rows, Map.of());
        assertThat(e.cardPrecision100()).extracting(Metrics.DailyCardPrecision::precision).containsExactly(0.02, 0.0, 0.0);
        assertThat(e.meanCardPrecision100()).isCloseTo(0.02 / 3, within(1e-15));
        assertThat(e.atThreshold().alerts()).isEqualTo(3); // 0.9, 0.8, 0.95
    }

    @Test
    void matchesBruteForceOnRandomCasesWithTies() {
        Random random = new Random(11);
        for (int round = 0; round < 300; round++) {
            int n = 2 + random.nextInt(40);
            double[] s = new double[n];
            boolean[] y = new boolean[n];
            List<ScoredTransaction> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                s[i] = random.nextInt(8) / 8.0; // coarse: many ties
                y[i] = random.nextInt(3) == 0;
                rows.add(new ScoredTransaction("t" + i, "c" + random.nextInt(6), T0 + random.nextInt(4) * DAY, s[i], y[i]));
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
                assertThat(Metrics.auc(s, y)).isCloseTo(pairs / (pos * neg), within(1e-12));
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
            Metrics.Curve c = Metrics.curve(s, y);
            if (pos > 0 && neg > 0) {
                assertThat(Metrics.averagePrecision(s, y)).isCloseTo(ap, within(1e-12));
                assertThat(Metrics.recallAtFpr(c, 0.001)).isCloseTo(bestRecall01, within(1e-12));
                assertThat(Metrics.recallAtFpr(c, 0.01)).isCloseTo(bestRecall1, within(1e-12));
                assertThat(Metrics.fprAtRecall(c, 0.8)).isCloseTo(bestFpr80, within(1e-12));
            }
            for (int k : new int[] {1, 2, 3, 100}) {
                assertThat(Metrics.cardPrecisionAtK(rows, k)).extracting(Metrics.DailyCardPrecision::precision)
                        .containsExactlyElementsOf(bruteCardPrecision(rows, k));
            }
        }
    }

    /** The Handbook's card_precision_top_k, transcribed loop by loop. */
    private static List<Double> bruteCardPrecision(List<ScoredTransaction> rows, int k) {
        TreeSet<Long> days = new TreeSet<>();
        rows.forEach(r -> days.add(Math.floorDiv(r.eventTimeMillis(), DAY)));
        Set<String> detected = new HashSet<>();
        List<Double> out = new ArrayList<>();
        for (long day : days) {
            TreeSet<String> cards = new TreeSet<>();
            for (ScoredTransaction r : rows) {
                if (Math.floorDiv(r.eventTimeMillis(), DAY) == day && !detected.contains(r.cardId())) {
                    cards.add(r.cardId());
                }
            }
            List<String> ranked = new ArrayList<>(cards);
            ranked.sort((a, b) -> {
                int c = Double.compare(maxScore(rows, b, day), maxScore(rows, a, day));
                return c != 0 ? c : a.compareTo(b);
            });
            int hits = 0;
            for (String card : ranked.subList(0, Math.min(k, ranked.size()))) {
                boolean compromised = rows.stream().anyMatch(r -> r.cardId().equals(card)
                        && Math.floorDiv(r.eventTimeMillis(), DAY) == day && r.fraud());
                if (compromised) {
                    hits++;
                    detected.add(card);
                }
            }
            out.add((double) hits / k);
        }
        return out;
    }

    private static double maxScore(List<ScoredTransaction> rows, String card, long day) {
        return rows.stream().filter(r -> r.cardId().equals(card) && Math.floorDiv(r.eventTimeMillis(), DAY) == day)
                .mapToDouble(ScoredTransaction::score).max().orElseThrow();
    }
}
