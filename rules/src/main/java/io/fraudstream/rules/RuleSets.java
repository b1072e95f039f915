package io.fraudstream.rules;

import io.fraudstream.avro.RuleDefinition;
import io.fraudstream.avro.RuleSet;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Accepting a published {@link RuleSet}: one implementation for the job, the backtest and the publishing CLI.
 * A set is accepted only when it is signed with the model-signing key ({@link RuleSetSigner}), newer than the active
 * one (replay protection) and every rule, enabled or not, compiles ({@link RuleCompiler}); only enabled rules are
 * evaluated.
 */
public final class RuleSets {

    /** Why a rule set was refused; the lower-case name is the metric label. */
    public enum Refusal {
        /** No signature. */
        UNSIGNED,
        /** A signature that does not verify under the model-signing key (forged, or altered after signing). */
        FORGED,
        /** A version not greater than the active set's (a replayed or out-of-order older set). */
        REPLAYED,
        /** A rule that does not compile or breaks a rule-set constraint. */
        INVALID;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A refused rule set: why, and a message naming the set and the problem. */
    public static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;
        private final Refusal reason;

        public RefusedException(Refusal reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Refusal reason() {
            return reason;
        }
    }

    private RuleSets() {}

    /**
     * The compiled set, or a refusal. {@code activeVersion} is the version of the set in force (null when none): the
     * new one must be greater.
     */
    public static CompiledRuleSet accept(RuleSet set, PublicKey key, Long activeVersion, RuleCompiler compiler)
            throws RefusedException {
        String id = "rule set " + set.getName() + " v" + set.getVersion();
        if (set.getSignature() == null) {
            throw new RefusedException(Refusal.UNSIGNED, id + " is not signed");
        }
        if (!RuleSetSigner.verify(set, key)) {
            throw new RefusedException(Refusal.FORGED, id + ": the signature does not verify under the model-signing"
                    + " key (forged, or changed after signing)");
        }
        if (activeVersion != null && set.getVersion() <= activeVersion) {
            throw new RefusedException(Refusal.REPLAYED, id + " is not newer than the active v" + activeVersion);
        }
        return compile(set, compiler);
    }

    /** Compiles an (unsigned, e.g. candidate) set: every rule is checked, the enabled ones are evaluated. */
    public static CompiledRuleSet compile(RuleSet set, RuleCompiler compiler) throws RefusedException {
        String id = "rule set " + set.getName() + " v" + set.getVersion();
        List<Rule> all = rules(set, false);
        List<String> problems = compiler.check(all);
        if (!problems.isEmpty()) {
            throw new RefusedException(Refusal.INVALID, id + " refused: " + String.join("; ", problems));
        }
        try {
            return compiler.compileSet(Long.toString(set.getVersion()), rules(set, true));
        } catch (RuleRejectedException e) {
            throw new RefusedException(Refusal.INVALID, id + " refused: " + e.getMessage()); // check() found none
        }
    }

    /** The set's rules (only the enabled ones when {@code enabledOnly}). */
    public static List<Rule> rules(RuleSet set, boolean enabledOnly) {
        List<Rule> out = new ArrayList<>(set.getRules().size());
        for (RuleDefinition d : set.getRules()) {
            if (!enabledOnly || d.getEnabled()) {
                out.add(new Rule(d.getName(), d.getPriority(), RuleAction.valueOf(d.getAction().name()),
                        d.getExpression()));
            }
        }
        return out;
    }
}
