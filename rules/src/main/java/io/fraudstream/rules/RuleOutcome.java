package io.fraudstream.rules;

import java.util.List;

/**
 * What a rule set made of one event.
 *
 * <p><b>Semantics.</b> Every rule of the set is evaluated on every event (so each is counted, and an alert names
 * every rule that fired). {@link #fired} lists the rules whose expression was true, highest priority first. The
 * <i>deciding</i> rule is the highest-priority fired rule whose action decides ({@code ALERT},
 * {@code BLOCK_RECOMMENDED}, {@code SUPPRESS}; never {@code TAG}); priorities are unique in a set, so there is never a
 * tie. The event alerts when the deciding rule is {@code ALERT} or {@code BLOCK_RECOMMENDED}, does not alert when it
 * is {@code SUPPRESS} (also when the model alone would alert), and follows the model when no deciding rule fired.
 * A rule whose evaluation failed is treated as not fired for this event and named in {@link #failed}. Rules see the
 * model's score and decision, never other rules' results.
 *
 * @param fired   the rules that fired, highest priority first
 * @param deciding the deciding rule, or null when none fired (the model decides)
 * @param failed  names of the rules whose evaluation failed on this event
 */
public record RuleOutcome(List<Rule> fired, Rule deciding, List<String> failed) {
    public static final RuleOutcome NONE = new RuleOutcome(List.of(), null, List.of());

    /** Whether the event alerts, given whether the model alone alerts. */
    public boolean alert(boolean modelAlert) {
        if (deciding == null) {
            return modelAlert;
        }
        return deciding.action() != RuleAction.SUPPRESS;
    }

    /** Whether the deciding rule recommends blocking the transaction. */
    public boolean blockRecommended() {
        return deciding != null && deciding.action() == RuleAction.BLOCK_RECOMMENDED;
    }

    /** Whether a rule suppressed what would otherwise be the model's alert. */
    public boolean suppressed(boolean modelAlert) {
        return modelAlert && !alert(true);
    }

    /** Names of the fired rules, highest priority first. */
    public List<String> firedNames() {
        return fired.stream().map(Rule::name).toList();
    }
}
