package io.fraudstream.rules;

import dev.cel.runtime.CelRuntime;

/** A rule that passed {@link RuleCompiler}: the rule and its CEL program (immutable). */
public final class CompiledRule {
    private final Rule rule;
    final CelRuntime.Program program;

    CompiledRule(Rule rule, CelRuntime.Program program) {
        this.rule = rule;
        this.program = program;
    }

    public Rule rule() {
        return rule;
    }

    public String name() {
        return rule.name();
    }
}
