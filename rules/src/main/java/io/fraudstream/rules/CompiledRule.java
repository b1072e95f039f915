package io.fraudstream.rules;

import dev.cel.runtime.CelRuntime;

/**
 * A rule that passed {@link RuleCompiler}: the rule, its CEL program, and its typed plan when the expression is in
 * the subset {@link TypedPlan} implements (null otherwise: the program is evaluated).
 */
public final class CompiledRule {
    private final Rule rule;
    final CelRuntime.Program program;
    final TypedPlan.Bool plan;

    CompiledRule(Rule rule, CelRuntime.Program program, TypedPlan.Bool plan) {
        this.rule = rule;
        this.program = program;
        this.plan = plan;
    }

    /** Whether the rule runs on its typed plan rather than CEL's interpreter. */
    public boolean planned() {
        return plan != null;
    }

    public Rule rule() {
        return rule;
    }

    public String name() {
        return rule.name();
    }
}
