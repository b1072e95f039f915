package io.fraudstream.rules;

/**
 * What a rule does when its expression is true. {@link #ALERT}, {@link #BLOCK_RECOMMENDED} and {@link #SUPPRESS} take
 * part in the decision (the highest-priority one that fired decides, see {@link RuleOutcome}); {@link #TAG} only
 * names the rule on the event and never changes whether it alerts.
 */
public enum RuleAction {
    /** Raise an alert even when the model's score is below its threshold. */
    ALERT,
    /** Raise an alert and recommend blocking the transaction. */
    BLOCK_RECOMMENDED,
    /** No alert, even when the model's score is at or above its threshold (e.g. a trusted merchant). */
    SUPPRESS,
    /** Mark the event; the decision is left to other rules and the model. */
    TAG;

    /** Whether a fired rule of this action can decide the event's outcome. */
    public boolean decides() {
        return this != TAG;
    }
}
