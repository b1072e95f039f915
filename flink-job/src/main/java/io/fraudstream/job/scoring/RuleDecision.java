package io.fraudstream.job.scoring;

import io.fraudstream.avro.FraudScore;
import io.fraudstream.job.validation.TransactionEvent;
import io.fraudstream.rules.Rule;
import io.fraudstream.rules.RuleOutcome;

/**
 * What the analyst rules made of one scored transaction: the {@code JobStreams.RULE_DECISIONS} side output, emitted
 * for every scored event only when {@link RuleStage.Settings#emitDecisions()} (the backtest's bounded run; the live
 * job leaves it off). The same {@link RuleStage#evaluate} result the job's alert decision uses, so a backtest reads
 * exactly what the live job decided. A Flink POJO: never Kryo.
 */
public class RuleDecision {
    public String transactionId;
    public String cardId;
    public long eventTimeMillis;
    /** Transaction fields for report examples (the card is a token, never a PAN). */
    public double amount;
    public String currency;
    public String merchant;
    public String category;
    public String channel;
    /** {@code score >= threshold}: what the model alone decided. */
    public boolean modelAlert;
    /** Whether the event alerts with the rules ({@link RuleOutcome#alert}). */
    public boolean alert;
    public boolean blockRecommended;
    /** Names of the rules that fired, highest priority first, joined by ','; "" when none. */
    public String firedRules;
    /** The deciding rule's name; "" when the model decided. */
    public String decidingRule;
    /** Names of the rules whose evaluation failed on this event, joined by ','; "" when none. */
    public String failedRules;
    /** Version of the rule set in force; -1 when none was. */
    public long ruleSetVersion;

    public RuleDecision() {}

    static RuleDecision of(TransactionEvent tx, FraudScore score, RuleOutcome outcome, boolean modelAlert,
            long ruleSetVersion) {
        RuleDecision d = new RuleDecision();
        d.transactionId = tx.transactionId;
        d.cardId = tx.cardId;
        d.eventTimeMillis = tx.eventTimeMillis;
        d.amount = tx.amount;
        d.currency = tx.currency;
        d.merchant = tx.merchantId;
        d.category = tx.merchantCategory;
        d.channel = tx.channel;
        d.modelAlert = modelAlert;
        d.alert = outcome.alert(modelAlert);
        d.blockRecommended = outcome.blockRecommended();
        StringBuilder fired = new StringBuilder();
        for (Rule r : outcome.fired()) {
            if (fired.length() > 0) {
                fired.append(',');
            }
            fired.append(r.name());
        }
        d.firedRules = fired.toString();
        d.decidingRule = outcome.deciding() == null ? "" : outcome.deciding().name();
        d.failedRules = String.join(",", outcome.failed());
        d.ruleSetVersion = ruleSetVersion;
        return d;
    }
}
