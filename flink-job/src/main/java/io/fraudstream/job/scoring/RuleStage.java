package io.fraudstream.job.scoring;

import io.fraudstream.avro.FiredRule;
import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.job.JobMetrics;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.validation.TransactionEvent;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.rules.CompiledRuleSet;
import io.fraudstream.rules.Rule;
import io.fraudstream.rules.RuleCompiler;
import io.fraudstream.rules.RuleFacts;
import io.fraudstream.rules.RuleOutcome;
import io.fraudstream.rules.RuleSets;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.WireFormatException;
import java.io.Serializable;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analyst rules of a scoring subtask: accepts rule sets from the broadcast side and evaluates the set in force on
 * each scored event (the {@code rules} module does the work; this class is the Flink side: broadcast state, metrics,
 * alert fields). Task thread only.
 *
 * <p>A rule set is stored in broadcast state ({@link JobStreams#RULE_SETS}) only after it verified (signed with the
 * model-signing key, newer than the one in force) and compiled; every subtask decides the same, so the state stays
 * identical. The compiled set is a transient field, rebuilt from the state after a restore on the first event.
 */
public final class RuleStage {
    private static final Logger LOG = LoggerFactory.getLogger(RuleStage.class);

    /**
     * Whether rules are on, the model-signing public key (X.509 DER) rule sets must be signed with, and optionally a
     * signed rule set (Avro single-object bytes) in force from the first event, verified when the subtask opens (a
     * bounded replay or backtest needs its rules before the first transaction; the broadcast side gives no such order),
     * and whether to emit each scored event's {@link RuleDecision} (the backtest reads them; off in the live job).
     */
    public record Settings(boolean enabled, byte[] publicKey, byte[] initialRuleSet, boolean emitDecisions)
            implements Serializable {
        private static final long serialVersionUID = 1L;
        public static final Settings OFF = new Settings(false, null, null);

        public Settings(boolean enabled, byte[] publicKey) {
            this(enabled, publicKey, null);
        }

        public Settings(boolean enabled, byte[] publicKey, byte[] initialRuleSet) {
            this(enabled, publicKey, initialRuleSet, false);
        }

        /**
         * These settings, also emitting every scored event's {@link RuleDecision} on {@code JobStreams.RULE_DECISIONS}
         * (the backtest; costs an object per event, so the live job leaves it off).
         */
        public Settings withDecisions() {
            return new Settings(enabled, publicKey, initialRuleSet, true);
        }
    }

    private final Settings settings;
    private final MetricGroup metrics;
    private final RuleCompiler compiler;
    private final PublicKey key;
    private final RuleFacts facts = new RuleFacts();
    private final Counter accepted;
    private final Map<RuleSets.Refusal, Counter> refusals = new EnumMap<>(RuleSets.Refusal.class);
    private final Counter ruleAlerts;
    private final Counter suppressed;
    /** Per rule name, created on first use and kept (Flink metrics cannot be re-registered under the same name). */
    private final Map<String, RuleMetrics> perRule = new HashMap<>();
    private CompiledRuleSet active;
    /** Whether the broadcast state was read for a restored set (on the first event). */
    private boolean stateRead;
    private List<RuleMetrics> activeMetrics = List.of();
    private volatile long activeVersion;

    private record RuleMetrics(Counter evaluations, Counter hits, Counter failures, Counter nanos) {}

    /** Feeds each rule's result to its metrics (indexes of {@link #active}'s rules). */
    private final CompiledRuleSet.Listener listener = new CompiledRuleSet.Listener() {
        @Override
        public void evaluated(int rule, boolean hit, long nanos) {
            RuleMetrics r = activeMetrics.get(rule);
            r.evaluations.inc();
            r.nanos.inc(nanos);
            if (hit) {
                r.hits.inc();
            }
        }

        @Override
        public void failed(int rule, Exception error) {
            activeMetrics.get(rule).failures.inc();
        }
    };

    public RuleStage(Settings settings, MetricGroup metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.compiler = settings.enabled() ? new RuleCompiler() : null;
        this.key = settings.enabled() ? publicKey(settings.publicKey()) : null;
        accepted = metrics.counter(JobMetrics.RULE_SETS_ACCEPTED);
        for (RuleSets.Refusal r : RuleSets.Refusal.values()) {
            refusals.put(r, metrics.addGroup("reason", r.label()).counter(JobMetrics.RULE_SET_REJECTIONS));
        }
        ruleAlerts = metrics.counter(JobMetrics.RULE_ALERTS);
        suppressed = metrics.counter(JobMetrics.ALERTS_SUPPRESSED);
        metrics.gauge(JobMetrics.RULE_SET_VERSION, () -> activeVersion);
        if (settings.enabled() && settings.initialRuleSet() != null) {
            try {
                activate(RuleSets.accept(AvroCodec.of(RuleSet.class).decode(settings.initialRuleSet()), key, null,
                        compiler));
            } catch (RuleSets.RefusedException | WireFormatException e) {
                throw new IllegalArgumentException("the initial rule set is refused: " + e.getMessage(), e);
            }
        }
    }

    private static PublicKey publicKey(byte[] x509) {
        try {
            return KeyFactory.getInstance(SigningKeys.ALGORITHM).generatePublic(new X509EncodedKeySpec(x509));
        } catch (Exception e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        }
    }

    /** A rule set from the broadcast side: verified, compiled, then in force; refused otherwise (counted, logged). */
    public void onRuleSet(RuleSet set, KeyedBroadcastProcessFunction<?, ?, ?, ?>.Context ctx) throws Exception {
        if (!settings.enabled()) {
            LOG.warn("Rule set {} v{} ignored: rules are off (rules.enabled)", set.getName(), set.getVersion());
            return;
        }
        BroadcastState<String, RuleSet> state = ctx.getBroadcastState(JobStreams.RULE_SETS);
        RuleSet current = state.get(JobStreams.ACTIVE_RULE_SET);
        Long inForce = current != null ? Long.valueOf(current.getVersion()) : active != null ? activeVersion : null;
        try {
            CompiledRuleSet compiled = RuleSets.accept(set, key, inForce, compiler);
            state.put(JobStreams.ACTIVE_RULE_SET, set);
            activate(compiled);
            accepted.inc();
            LOG.info("Rule set {} v{} in force: {} rule(s) {}", set.getName(), set.getVersion(), compiled.size(),
                    compiled.rules().stream().map(Rule::name).toList());
        } catch (RuleSets.RefusedException e) {
            refusals.get(e.reason()).inc();
            LOG.warn("Rule set refused ({}): {}", e.reason().label(), e.getMessage());
        }
    }

    /**
     * Evaluates the rule set in force on one scored event; {@link RuleOutcome#NONE} when rules are off or no set is
     * in force. {@code features} is the scoring buffer, read before it is reused.
     */
    public RuleOutcome evaluate(KeyedBroadcastProcessFunction<?, ?, ?, ?>.ReadOnlyContext ctx, TransactionEvent tx,
            FraudScore score, List<String> featureNames, float[] features) throws Exception {
        if (!settings.enabled()) {
            return RuleOutcome.NONE; // and no broadcast state is touched: harnesses without RULE_SETS work
        }
        if (!stateRead) {
            // Once per subtask: a set restored from a snapshot is in force unless the initial one is newer.
            stateRead = true;
            RuleSet stored = ctx.getBroadcastState(JobStreams.RULE_SETS).get(JobStreams.ACTIVE_RULE_SET);
            if (stored != null && (active == null || stored.getVersion() > activeVersion)) {
                restore(stored);
            }
        }
        if (active == null) {
            return RuleOutcome.NONE;
        }
        facts.transaction(tx.amount, tx.amountMinor, tx.currency, tx.merchantId, tx.merchantCategory, tx.country,
                        tx.channel, tx.terminalId, tx.eventTimeMillis)
                .merchantLocation(tx.merchantLat, tx.merchantLon)
                .model(score.getScore(), score.getThreshold(), score.getDecision() == io.fraudstream.avro.Decision.ALERT,
                        score.getModelVersion())
                .features(featureNames, features)
                .pointOfPurchase(tx.pointOfPurchase);
        RuleOutcome outcome = active.evaluate(facts, listener);
        boolean modelAlert = score.getDecision() == io.fraudstream.avro.Decision.ALERT;
        if (outcome.suppressed(modelAlert)) {
            suppressed.inc();
        } else if (!modelAlert && outcome.alert(false)) {
            ruleAlerts.inc();
        }
        return outcome;
    }

    /** Version of the rule set in force; -1 when none is. */
    public long activeVersion() {
        return active == null ? -1 : activeVersion;
    }

    /** What {@link #evaluate} decided, as the {@code RULE_DECISIONS} side output carries it. */
    public RuleDecision decision(TransactionEvent tx, FraudScore score, RuleOutcome outcome, boolean modelAlert) {
        return RuleDecision.of(tx, score, outcome, modelAlert, activeVersion());
    }

    /** The alert with the rules that fired, the rule set's version and whether the model alone alerted. */
    public FraudAlert annotate(FraudAlert alert, RuleOutcome outcome, boolean modelAlert) {
        List<FiredRule> fired = new ArrayList<>(outcome.fired().size());
        for (Rule r : outcome.fired()) {
            fired.add(new FiredRule(r.name(), io.fraudstream.avro.RuleAction.valueOf(r.action().name()), r.priority()));
        }
        alert.setRules(fired);
        alert.setRuleSetVersion(active == null ? null : activeVersion);
        alert.setModelAlert(modelAlert);
        alert.setBlockRecommended(outcome.blockRecommended());
        return alert;
    }

    /** After a restore: the stored set was verified when it arrived; compile it again (checks it once more). */
    private void restore(RuleSet stored) {
        try {
            activate(RuleSets.compile(stored, compiler));
        } catch (RuleSets.RefusedException e) {
            // Cannot happen unless this release's rule language changed: run without rules rather than fail.
            refusals.get(e.reason()).inc();
            LOG.error("Restored rule set no longer compiles, running without rules: {}", e.getMessage());
            activate(CompiledRuleSet.empty(Long.toString(stored.getVersion())));
        }
    }

    private void activate(CompiledRuleSet compiled) {
        List<RuleMetrics> m = new ArrayList<>(compiled.size());
        for (Rule r : compiled.rules()) {
            m.add(perRule.computeIfAbsent(r.name(), name -> {
                MetricGroup g = metrics.addGroup("rule", name);
                return new RuleMetrics(g.counter(JobMetrics.RULE_EVALUATIONS), g.counter(JobMetrics.RULE_HITS),
                        g.counter(JobMetrics.RULE_FAILURES), g.counter(JobMetrics.RULE_NANOS));
            }));
        }
        active = compiled;
        activeMetrics = m;
        activeVersion = Long.parseLong(compiled.version());
    }
}
