package io.fraudstream.replay.eval;

import io.fraudstream.model.RankingMetrics;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Replay's report-only metrics: card precision@k per day and its daily mean. The general ranking metrics (AUC,
 * average precision, curves, recall at FPR, FPR at recall, alerts at a threshold) are {@link RankingMetrics}'s.
 */
public final class Metrics {

    private Metrics() {}

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
