package io.fraudstream.replay.eval;

import io.fraudstream.model.scoring.AlertBudget;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The alerts the job's {@code alert.budget} would raise on a replay's scores: one {@link AlertBudget} fed with every
 * score in event-time order (ties in spool order), each score decided at the threshold in force for its event time,
 * then counted where {@code reported} says (the evaluation window). Every score before the window warms the budget up,
 * as the running job's earlier traffic would. This is the rule each of the job's subtasks estimates on its share of
 * the cards; replay applies it to all of them at once, because a bounded replay scores card after card, not in time
 * order, so the job's own per-subtask windows cannot be used there.
 *
 * @param rows           reported scores
 * @param alerts         of them, at or above the budget's threshold
 * @param labelled       reported scores with a label
 * @param frauds         labelled frauds among them
 * @param fraudAlerts    frauds that alerted
 * @param labelledAlerts labelled scores that alerted
 * @param onFallback     reported scores decided at the model's own threshold (the window still thin)
 * @param minThreshold   lowest budget threshold a reported score was decided at (NaN: none)
 * @param maxThreshold   highest
 */
public record BudgetedAlerts(long rows, long alerts, long labelled, long frauds, long fraudAlerts, long labelledAlerts,
        long onFallback, double minThreshold, double maxThreshold) {

    public double alertRate() {
        return rows == 0 ? Double.NaN : alerts / (double) rows;
    }

    public double recall() {
        return frauds == 0 ? Double.NaN : fraudAlerts / (double) frauds;
    }

    public double precision() {
        return labelledAlerts == 0 ? Double.NaN : fraudAlerts / (double) labelledAlerts;
    }

    /**
     * @param all       every score of the run, in any order
     * @param settings  the budget
     * @param fallback  the model's own threshold (decides while the window is thin)
     * @param reported  which scores the figures count
     */
    public static BudgetedAlerts of(List<ScoredTransaction> all, AlertBudget.Settings settings, double fallback,
            Predicate<ScoredTransaction> reported) {
        List<ScoredTransaction> byTime = new ArrayList<>(all);
        byTime.sort(Comparator.comparingLong(ScoredTransaction::eventTimeMillis)); // stable: ties keep spool order
        AlertBudget budget = new AlertBudget(settings);
        long rows = 0;
        long alerts = 0;
        long labelled = 0;
        long frauds = 0;
        long fraudAlerts = 0;
        long labelledAlerts = 0;
        long onFallback = 0;
        double min = Double.NaN;
        double max = Double.NaN;
        for (ScoredTransaction s : byTime) {
            double threshold = budget.threshold(s.eventTimeMillis(), fallback);
            boolean alert = s.score() >= threshold;
            if (reported.test(s)) {
                rows++;
                alerts += alert ? 1 : 0;
                if (budget.active()) {
                    min = Double.isNaN(min) ? threshold : Math.min(min, threshold);
                    max = Double.isNaN(max) ? threshold : Math.max(max, threshold);
                } else {
                    onFallback++;
                }
                if (s.fraud() != null) {
                    labelled++;
                    labelledAlerts += alert ? 1 : 0;
                    if (s.fraud()) {
                        frauds++;
                        fraudAlerts += alert ? 1 : 0;
                    }
                }
            }
            budget.observe(s.eventTimeMillis(), s.score());
        }
        return new BudgetedAlerts(rows, alerts, labelled, frauds, fraudAlerts, labelledAlerts, onFallback, min, max);
    }
}
