package io.fraudstream.replay.backtest;

import io.fraudstream.avro.RuleSet;
import io.fraudstream.job.scoring.RuleDecision;
import io.fraudstream.replay.eval.ScoredTransaction;
import io.fraudstream.rules.Rule;
import io.fraudstream.rules.RuleAction;
import io.fraudstream.rules.RuleSets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A backtest's figures: for the whole candidate set and per enabled rule, over the events of the window.
 *
 * <p>Definitions. A rule <i>hits</i> an event when its expression evaluated to true ("fired"). The set hits an event
 * when any of its rules did. <i>Hits per day</i> divides by the calendar days the window's events span (first to
 * last event's UTC day, inclusive). A rule's <i>precision</i> is the share of frauds among its labelled hits and its
 * <i>recall</i> the share of all labelled frauds it hit (for a SUPPRESS rule a low precision is what one wants:
 * genuine transactions suppressed). A model alert is <i>removed</i> when a SUPPRESS rule decided an event the model
 * alone would alert on; an alert is <i>added</i> when an ALERT or BLOCK_RECOMMENDED rule decided an event the model
 * alone would not alert on. The <i>alert rate</i> is alerts / events, for the model alone and for model + rules.
 * Precision and recall are NaN when no labels exist (or no labelled hit / fraud).
 *
 * @param title          report title
 * @param ruleSetName    the candidate's name
 * @param ruleSetVersion the candidate's version
 * @param modelVersion   the model that scored
 * @param threshold      its alert threshold
 * @param facts          what was run on what (input, model, dead letters, window), for the report's header
 * @param transactions   scored events in the window
 * @param labelled       of which labelled
 * @param frauds         of which labelled fraud
 * @param days           calendar days the window's events span (0 when none)
 * @param set            the whole set's figures
 * @param rules          per enabled rule, highest priority first
 * @param daily          per UTC day with events, in order
 * @param examples       up to {@link #EXAMPLES_PER_RULE} hits per rule (the first in input order)
 */
public record BacktestReport(String title, String ruleSetName, long ruleSetVersion, String modelVersion,
        double threshold, Map<String, String> facts, long transactions, long labelled, long frauds, long days,
        SetFigures set, List<RuleFigures> rules, List<Day> daily, List<Example> examples) {

    public static final int EXAMPLES_PER_RULE = 10;

    /**
     * The whole set's figures.
     *
     * @param hits           events on which any rule fired
     * @param hitsPerDay     hits / days
     * @param hitPrecision   frauds among labelled hits
     * @param hitRecall      labelled frauds hit by any rule / labelled frauds
     * @param modelAlerts    events the model alone alerts on
     * @param alerts         events that alert with the rules
     * @param added          alerts the rules add (decided by ALERT/BLOCK_RECOMMENDED, model alone would not alert)
     * @param removed        model alerts a SUPPRESS rule removed
     * @param blockRecommended alerts with a block recommendation
     * @param failures       rule evaluations that failed (counted, treated as not fired)
     * @param modelAlertRate modelAlerts / transactions
     * @param alertRate      alerts / transactions
     * @param modelPrecision frauds among the model's labelled alerts
     * @param modelRecall    labelled frauds the model alerts on
     * @param precision      frauds among labelled alerts with the rules
     * @param recall         labelled frauds that alert with the rules
     */
    public record SetFigures(long hits, double hitsPerDay, double hitPrecision, double hitRecall, long modelAlerts,
            long alerts, long added, long removed, long blockRecommended, long failures, double modelAlertRate,
            double alertRate, double modelPrecision, double modelRecall, double precision, double recall) {
        /** Alert rate with the rules minus without, in percentage points. */
        public double alertRateChangePoints() {
            return 100 * (alertRate - modelAlertRate);
        }

        /** Alerts with the rules / alerts of the model alone - 1; NaN when the model raised none. */
        public double alertRateChangeRelative() {
            return modelAlerts == 0 ? Double.NaN : alerts / (double) modelAlerts - 1;
        }
    }

    /**
     * One rule's figures.
     *
     * @param decided times it was the deciding rule (never for TAG)
     * @param added   alerts it added (it decided, ALERT/BLOCK_RECOMMENDED, and the model alone would not alert)
     * @param removed model alerts it removed (it decided, SUPPRESS, and the model alone would alert)
     */
    public record RuleFigures(String name, String action, int priority, String expression, long hits,
            double hitsPerDay, double precision, double recall, long decided, long added, long removed,
            long failures) {}

    /** One UTC day: events, model alerts, alerts with the rules, set hits and each rule's hits (order of rules). */
    public record Day(LocalDate day, long transactions, long modelAlerts, long alerts, long setHits,
            List<Long> ruleHits) {}

    /** A hit: the card is its token (never a card number), the amount in major units of the currency. */
    public record Example(String rule, String transactionId, String cardToken, Instant time, double amount,
            String currency, String merchant, String category, String channel, double score, boolean modelAlert,
            boolean alert, String firedRules, Boolean fraud) {}

    /**
     * Computes the report from a bounded run's scores and the rule decisions aligned with them (same index).
     * {@code from}/{@code to} (null: open) select the events reported.
     */
    public static BacktestReport of(RuleSet candidate, String modelVersion, double threshold,
            List<ScoredTransaction> scores, List<RuleDecision> decisions, Instant from, Instant to,
            Map<String, String> facts) {
        if (scores.size() != decisions.size()) {
            throw new IllegalArgumentException(decisions.size() + " rule decisions for " + scores.size() + " scores");
        }
        List<Rule> enabled = new ArrayList<>(RuleSets.rules(candidate, true));
        enabled.sort((a, b) -> Integer.compare(b.priority(), a.priority()));
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < enabled.size(); i++) {
            index.put(enabled.get(i).name(), i);
        }
        int k = enabled.size();
        long fromMs = from == null ? Long.MIN_VALUE : from.toEpochMilli();
        long toMs = to == null ? Long.MAX_VALUE : to.toEpochMilli();

        long n = 0, labelled = 0, frauds = 0;
        long setHits = 0, setHitsLabelled = 0, setHitsFraud = 0;
        long modelAlerts = 0, alerts = 0, added = 0, removed = 0, blocks = 0, failures = 0;
        long modelAlertsLabelled = 0, modelAlertsFraud = 0, alertsLabelled = 0, alertsFraud = 0;
        long[] hits = new long[k], hitsLabelled = new long[k], hitsFraud = new long[k];
        long[] decided = new long[k], ruleAdded = new long[k], ruleRemoved = new long[k], ruleFailures = new long[k];
        TreeMap<LocalDate, long[]> days = new TreeMap<>(); // transactions, modelAlerts, alerts, setHits, rule hits...
        List<Example> examples = new ArrayList<>();
        int[] examplesOf = new int[k];
        LocalDate firstDay = null, lastDay = null;

        for (int i = 0; i < scores.size(); i++) {
            ScoredTransaction s = scores.get(i);
            RuleDecision d = decisions.get(i);
            if (!s.transactionId().equals(d.transactionId)) {
                throw new IllegalArgumentException("decision " + i + " is for " + d.transactionId + ", not "
                        + s.transactionId());
            }
            if (s.eventTimeMillis() < fromMs || s.eventTimeMillis() >= toMs) {
                continue;
            }
            n++;
            Boolean fraud = s.fraud();
            boolean isFraud = Boolean.TRUE.equals(fraud);
            if (fraud != null) {
                labelled++;
                if (isFraud) {
                    frauds++;
                }
            }
            LocalDate day = Instant.ofEpochMilli(s.eventTimeMillis()).atZone(ZoneOffset.UTC).toLocalDate();
            firstDay = firstDay == null || day.isBefore(firstDay) ? day : firstDay;
            lastDay = lastDay == null || day.isAfter(lastDay) ? day : lastDay;
            long[] dayRow = days.computeIfAbsent(day, x -> new long[4 + k]);
            dayRow[0]++;
            if (d.modelAlert) {
                modelAlerts++;
                dayRow[1]++;
                if (fraud != null) {
                    modelAlertsLabelled++;
                    modelAlertsFraud += isFraud ? 1 : 0;
                }
            }
            if (d.alert) {
                alerts++;
                dayRow[2]++;
                if (fraud != null) {
                    alertsLabelled++;
                    alertsFraud += isFraud ? 1 : 0;
                }
                if (d.blockRecommended) {
                    blocks++;
                }
            }
            String[] fired = names(d.firedRules);
            if (fired.length > 0) {
                setHits++;
                dayRow[3]++;
                if (fraud != null) {
                    setHitsLabelled++;
                    setHitsFraud += isFraud ? 1 : 0;
                }
            }
            for (String name : fired) {
                int r = ruleIndex(index, name);
                hits[r]++;
                dayRow[4 + r]++;
                if (fraud != null) {
                    hitsLabelled[r]++;
                    hitsFraud[r] += isFraud ? 1 : 0;
                }
                if (examplesOf[r] < EXAMPLES_PER_RULE) {
                    examplesOf[r]++;
                    examples.add(new Example(name, s.transactionId(), s.cardId(),
                            Instant.ofEpochMilli(s.eventTimeMillis()), d.amount, d.currency, d.merchant, d.category,
                            d.channel, s.score(), d.modelAlert, d.alert, d.firedRules, fraud));
                }
            }
            for (String name : names(d.failedRules)) {
                ruleFailures[ruleIndex(index, name)]++;
                failures++;
            }
            if (!d.decidingRule.isEmpty()) {
                int r = ruleIndex(index, d.decidingRule);
                decided[r]++;
                if (d.alert && !d.modelAlert) {
                    ruleAdded[r]++;
                    added++;
                } else if (!d.alert && d.modelAlert) {
                    ruleRemoved[r]++;
                    removed++;
                }
            }
        }
        long spanDays = firstDay == null ? 0 : ChronoUnit.DAYS.between(firstDay, lastDay) + 1;
        List<RuleFigures> rules = new ArrayList<>(k);
        for (int r = 0; r < k; r++) {
            Rule rule = enabled.get(r);
            rules.add(new RuleFigures(rule.name(), rule.action().name(), rule.priority(), rule.expression(), hits[r],
                    perDay(hits[r], spanDays), ratio(hitsFraud[r], hitsLabelled[r]), ratio(hitsFraud[r], frauds),
                    rule.action() == RuleAction.TAG ? 0 : decided[r], ruleAdded[r], ruleRemoved[r], ruleFailures[r]));
        }
        List<Day> daily = new ArrayList<>(days.size());
        for (Map.Entry<LocalDate, long[]> e : days.entrySet()) {
            long[] v = e.getValue();
            daily.add(new Day(e.getKey(), v[0], v[1], v[2], v[3],
                    Arrays.stream(v, 4, 4 + k).boxed().toList()));
        }
        SetFigures set = new SetFigures(setHits, perDay(setHits, spanDays), ratio(setHitsFraud, setHitsLabelled),
                ratio(setHitsFraud, frauds), modelAlerts, alerts, added, removed, blocks, failures,
                ratio(modelAlerts, n), ratio(alerts, n), ratio(modelAlertsFraud, modelAlertsLabelled),
                ratio(modelAlertsFraud, frauds), ratio(alertsFraud, alertsLabelled), ratio(alertsFraud, frauds));
        Map<String, String> allFacts = new LinkedHashMap<>(facts);
        allFacts.put("Window", (from == null ? "start" : from.toString()) + " to " + (to == null ? "end"
                : to.toString() + " (exclusive)") + "; " + n + " of " + scores.size() + " scored events"
                + (n == scores.size() ? "" : " (the others only built history)"));
        int disabled = candidate.getRules().size() - k;
        if (disabled > 0) {
            allFacts.put("Disabled rules (not evaluated)", Integer.toString(disabled));
        }
        return new BacktestReport("Backtest of rule set " + candidate.getName() + " v" + candidate.getVersion(),
                candidate.getName(), candidate.getVersion(), modelVersion, threshold, allFacts, n, labelled, frauds,
                spanDays, set, rules, daily, examples);
    }

    private static String[] names(String joined) {
        return joined == null || joined.isEmpty() ? new String[0] : joined.split(",");
    }

    private static int ruleIndex(Map<String, Integer> index, String name) {
        Integer r = index.get(name);
        if (r == null) {
            throw new IllegalStateException("the run reported rule " + name + ", which is not an enabled rule of"
                    + " the candidate");
        }
        return r;
    }

    private static double perDay(long count, long days) {
        return days == 0 ? Double.NaN : count / (double) days;
    }

    private static double ratio(long num, long den) {
        return den == 0 ? Double.NaN : num / (double) den;
    }
}
