package io.fraudstream.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A compiled rule set, evaluated per event ({@link #evaluate}; semantics in {@link RuleOutcome}), with per-rule
 * counts of evaluations, hits, failures and time. Not thread-safe: one instance per thread of use (its counters and
 * the CEL programs' activations are per event).
 */
public final class CompiledRuleSet {
    /** Receives each rule's result as it is evaluated (metrics). */
    public interface Listener {
        void evaluated(int rule, boolean hit, long nanos);

        void failed(int rule, Exception error);
    }

    private static final Listener NO_LISTENER = new Listener() {
        @Override
        public void evaluated(int rule, boolean hit, long nanos) {}

        @Override
        public void failed(int rule, Exception error) {}
    };

    private final String version;
    /** Highest priority first. */
    private final List<CompiledRule> rules;
    private final long[] evaluations;
    private final long[] hits;
    private final long[] failures;
    private final long[] nanos;
    private String lastFailure;
    /** Events evaluated, for sampling the time per rule. */
    private long events;

    /** One event in this many has its rules timed (a power of two). */
    static final int TIME_SAMPLE = 16;

    CompiledRuleSet(String version, List<CompiledRule> compiled) {
        this.version = version;
        List<CompiledRule> sorted = new ArrayList<>(compiled);
        sorted.sort(Comparator.comparingInt((CompiledRule c) -> c.rule().priority()).reversed());
        this.rules = Collections.unmodifiableList(sorted);
        evaluations = new long[sorted.size()];
        hits = new long[sorted.size()];
        failures = new long[sorted.size()];
        nanos = new long[sorted.size()];
    }

    /** An empty set: every outcome is {@link RuleOutcome#NONE}. */
    public static CompiledRuleSet empty(String version) {
        return new CompiledRuleSet(version, List.of());
    }

    public String version() {
        return version;
    }

    /** The rules, highest priority first (the index order of {@link Listener} and {@link #stats}). */
    public List<Rule> rules() {
        return rules.stream().map(CompiledRule::rule).toList();
    }

    public int size() {
        return rules.size();
    }

    public RuleOutcome evaluate(RuleFacts facts) {
        return evaluate(facts, NO_LISTENER);
    }

    /**
     * Evaluates every rule on one event. A rule whose evaluation throws (a missing map key, an integer overflow or
     * division by zero, a non-bool result) is skipped for this event, counted and reported to the listener; it
     * never throws.
     *
     * <p>Time per rule is measured on one event in {@value #TIME_SAMPLE} (two clock reads per rule on every event
     * would cost more than a planned rule): the listener gets the measured time times {@value #TIME_SAMPLE} on a
     * sampled event and 0 on the others, so sums over many events estimate the time spent without bias.
     */
    public RuleOutcome evaluate(RuleFacts facts, Listener listener) {
        if (rules.isEmpty()) {
            return RuleOutcome.NONE;
        }
        boolean timed = (events++ & (TIME_SAMPLE - 1)) == 0;
        List<Rule> fired = null;
        Rule deciding = null;
        List<String> failed = null;
        dev.cel.runtime.CelVariableResolver resolver = null;
        for (int i = 0; i < rules.size(); i++) {
            CompiledRule r = rules.get(i);
            long t0 = timed ? System.nanoTime() : 0L;
            boolean hit;
            try {
                if (r.plan != null) {
                    hit = r.plan.eval(facts);
                } else {
                    if (resolver == null) {
                        resolver = name -> {
                            RuleVariables.Variable v = RuleVariables.ALL.get(name);
                            return v == null ? Optional.empty() : Optional.ofNullable(v.value().apply(facts));
                        };
                    }
                    Object result = r.program.eval(resolver);
                    if (!(result instanceof Boolean b)) {
                        throw new IllegalStateException("result is " + result + ", not a bool");
                    }
                    hit = b;
                }
            } catch (Exception e) { // CelEvaluationException, TypedPlan.EvalError, or a runtime exception from a value
                long spent = timed ? (System.nanoTime() - t0) * TIME_SAMPLE : 0L;
                evaluations[i]++;
                failures[i]++;
                nanos[i] += spent;
                lastFailure = r.name() + ": " + e.getMessage();
                if (failed == null) {
                    failed = new ArrayList<>(2);
                }
                failed.add(r.name());
                listener.failed(i, e);
                listener.evaluated(i, false, spent);
                continue;
            }
            long spent = timed ? (System.nanoTime() - t0) * TIME_SAMPLE : 0L;
            evaluations[i]++;
            nanos[i] += spent;
            if (hit) {
                hits[i]++;
                if (fired == null) {
                    fired = new ArrayList<>(2);
                }
                fired.add(r.rule());
                if (deciding == null && r.rule().action().decides()) {
                    deciding = r.rule();
                }
            }
            listener.evaluated(i, hit, spent);
        }
        if (fired == null && failed == null) {
            return RuleOutcome.NONE;
        }
        return new RuleOutcome(fired == null ? List.of() : fired, deciding, failed == null ? List.of() : failed);
    }

    /** How many rules run on their typed plan (the others on CEL's interpreter). */
    public int plannedRules() {
        int n = 0;
        for (CompiledRule r : rules) {
            n += r.planned() ? 1 : 0;
        }
        return n;
    }

    /** One rule's counts since this set was compiled ({@code nanos}: estimated from sampled events). */
    public record RuleStats(String name, long evaluations, long hits, long failures, long nanos) {}

    /** Per-rule counts, highest priority first. */
    public List<RuleStats> stats() {
        List<RuleStats> out = new ArrayList<>(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            out.add(new RuleStats(rules.get(i).name(), evaluations[i], hits[i], failures[i], nanos[i]));
        }
        return out;
    }

    /** The last evaluation failure ("rule: message"), or null; for logs. */
    public String lastFailure() {
        return lastFailure;
    }
}
