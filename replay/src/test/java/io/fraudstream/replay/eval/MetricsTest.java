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

/**
 * Card precision@k against a hand-worked example and against brute force on random small cases with ties (the
 * ranking metrics are tested in the model module's {@code RankingMetricsTest}).
 */
class MetricsTest {

    private static final long DAY = 86_400_000L;
    private static final long T0 = Instant.parse("2024-03-01T10:00:00Z").toEpochMilli();

    private static ScoredTransaction tx(String card, int day, double score, boolean fraud) {
        return new ScoredTransaction("t" + card + day + score, card, T0 + day * DAY, score, fraud);
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
    void cardPrecisionMatchesBruteForceOnRandomCasesWithTies() {
        Random random = new Random(11);
        for (int round = 0; round < 300; round++) {
            int n = 2 + random.nextInt(40);
            List<ScoredTransaction> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double s = random.nextInt(8) / 8.0; // coarse: many ties
                boolean y = random.nextInt(3) == 0;
                rows.add(new ScoredTransaction("t" + i, "c" + random.nextInt(6), T0 + random.nextInt(4) * DAY, s, y));
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
