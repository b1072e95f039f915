package io.fraudstream.replay.run;

/**
 * What the bounded run hands back to the client per input record: a score, or a rejection (dead letter).
 * A Flink POJO (public fields, no-argument constructor), so no Kryo.
 */
public class ReplayOutcome {
    /** Which of the run's models this came from (0 in a single-model run). */
    public int model;
    /** True for a dead letter; then only the source coordinates, reason and message are set. */
    public boolean rejected;
    public String transactionId;
    public String cardId;
    public long eventTimeMillis;
    public double score;
    public double threshold;
    public String modelVersion;
    /** From the source reading the record to the score being emitted, under the replay's full load. */
    public long latencyMicros;
    public int sourcePartition;
    public long sourceOffset;
    public String reason;
    public String message;

    // Analyst rules (a backtest's bounded run, RuleStage.Settings.emitDecisions): set on the rule-decision outcomes,
    // which BoundedScoring joins to the scores by card and transaction id (Result.ruleDecisions).
    /** True for a rule decision (then the transaction, rule and example fields below are set; score is not). */
    public boolean ruleDecision;
    /** {@code score >= threshold}: the model alone alerts. */
    public boolean modelAlert;
    /** Whether the event alerts with the rules in force. */
    public boolean alert;
    public boolean blockRecommended;
    /** Names of the fired rules, highest priority first, joined by ','; "" when none. */
    public String firedRules;
    /** The deciding rule's name; "" when the model decided. */
    public String decidingRule;
    /** Names of the rules whose evaluation failed, joined by ','; "" when none. */
    public String failedRules;
    public long ruleSetVersion;
    /** Transaction fields for examples: amount in major units, currency, merchant, category, channel. */
    public double amount;
    public String currency;
    public String merchant;
    public String category;
    public String channel;

    public ReplayOutcome() {}
}
