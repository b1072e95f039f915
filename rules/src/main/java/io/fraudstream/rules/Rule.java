package io.fraudstream.rules;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One analyst rule as published: a name (unique in its rule set, also its metric label), a priority (unique in its
 * rule set; higher wins, see {@link RuleOutcome}), an action and a CEL expression that must evaluate to a bool.
 * A plain value; {@link RuleCompiler} decides whether it is acceptable.
 */
public record Rule(String name, int priority, RuleAction action, String expression) {
    /** Names are short identifiers, safe as metric labels and in file names. */
    static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");

    public Rule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(expression, "expression");
    }
}
