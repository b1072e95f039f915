package io.fraudstream.job.scoring;

import static io.fraudstream.job.scoring.CardScoringFunctionTest.tx;
import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.RuleAction;
import io.fraudstream.avro.RuleDefinition;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.job.FraudScoringPipeline;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.validation.TransactionEvent;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.rules.RuleSetSigner;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Analyst rules inside the scoring function (harness): a rule set takes effect on the next event of every card, alerts
 * name the rules, SUPPRESS beats the model's alert, unsigned/forged/replayed sets are refused, and the set in force
 * survives a snapshot and restore.
 */
class RuleStageTest {
    static final long T0 = Instant.parse("2026-11-01T12:00:00Z").toEpochMilli();
    static final KeyPair KEYS = SigningKeys.generate();

    private KeyedBroadcastOperatorTestHarness<String, TransactionEvent, Either<ModelDescriptor, RuleSet>, FraudScore>
            harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    static CardScoringFunction function(double threshold) {
        return new CardScoringFunction(new TestModels.Factory("v1", threshold, 64),
                new ScoringSettings(Duration.ofDays(30).toMillis(), 3, 3, 1024), false, false,
                new RuleStage.Settings(true, KEYS.getPublic().getEncoded()));
    }

    static KeyedBroadcastOperatorTestHarness<String, TransactionEvent, Either<ModelDescriptor, RuleSet>, FraudScore>
            harness(CardScoringFunction f) throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(f, List.of(JobStreams.MODEL_DESCRIPTORS, JobStreams.RULE_SETS)),
                new FraudScoringPipeline.CardKey(), Types.STRING, 128, 1, 0);
    }

    static RuleSet signed(long version, PrivateKey key, RuleDefinition... rules) {
        return RuleSetSigner.sign(RuleSet.newBuilder().setName("default").setVersion(version)
                .setRules(List.of(rules)).setIssuedAt(Instant.EPOCH).setIssuedBy("test").setSignature(null).build(),
                key, Instant.parse("2026-12-05T06:00:00Z"));
    }

    static RuleDefinition rule(String name, int priority, RuleAction action, String expression) {
        return RuleDefinition.newBuilder().setName(name).setPriority(priority).setAction(action)
                .setExpression(expression).setEnabled(true).setDescription("").build();
    }

    private List<FraudAlert> alerts() {
        var out = harness.getSideOutput(JobStreams.ALERTS);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    private List<String> alertedIds() {
        return alerts().stream().map(a -> a.getScore().getTransactionId()).toList();
    }

    @Test
    void aRuleSetTakesEffectOnTheNextEventOfEveryCardAndAlertsNameTheRules() throws Exception {
        harness = harness(function(1.0)); // the model alone never alerts
        harness.open();
        harness.processElement(new StreamRecord<>(tx("a1", "c1", T0, 100)));
        harness.processElement(new StreamRecord<>(tx("b1", "c2", T0, 100)));
        assertThat(alerts()).isEmpty();

        harness.processBroadcastElement(Control.rules(signed(1, KEYS.getPrivate(),
                rule("big_amount", 10, RuleAction.ALERT, "amount > 50.0"),
                rule("grocery", 5, RuleAction.TAG, "category == 'grocery_pos'"))));
        harness.processElement(new StreamRecord<>(tx("a2", "c1", T0 + 60_000, 100)));
        harness.processElement(new StreamRecord<>(tx("b2", "c2", T0 + 60_000, 100)));
        harness.processElement(new StreamRecord<>(tx("a3", "c1", T0 + 120_000, 20))); // only the TAG fires
        assertThat(alertedIds()).containsExactly("a2", "b2");
        FraudAlert alert = alerts().get(0);
        assertThat(alert.getRules()).extracting(r -> r.getName() + "/" + r.getAction() + "/" + r.getPriority())
                .containsExactly("big_amount/ALERT/10", "grocery/TAG/5");
        assertThat(alert.getRuleSetVersion()).isEqualTo(1L);
        assertThat(alert.getModelAlert()).isFalse();
        assertThat(alert.getBlockRecommended()).isFalse();
        assertThat(alert.getReasons()).isNotEmpty(); // the model's reasons are still there
        // Every score still goes out, unchanged by rules (fraud-scores is the model's).
        assertThat(harness.extractOutputValues()).hasSize(5);
    }

    @Test
    void suppressAboveTheModelsAlertWinsAndBlockRecommendedIsFlagged() throws Exception {
        harness = harness(function(0.0)); // the model alone alerts on everything
        harness.open();
        harness.processBroadcastElement(Control.rules(signed(1, KEYS.getPrivate(),
                rule("trusted_small", 20, RuleAction.SUPPRESS, "amount < 50.0"),
                rule("huge", 30, RuleAction.BLOCK_RECOMMENDED, "amount > 5000.0"),
                rule("any", 1, RuleAction.ALERT, "true"))));
        harness.processElement(new StreamRecord<>(tx("small", "c1", T0, 10)));
        harness.processElement(new StreamRecord<>(tx("mid", "c1", T0 + 1000, 100)));
        harness.processElement(new StreamRecord<>(tx("huge", "c1", T0 + 2000, 9000)));
        assertThat(alertedIds()).containsExactly("mid", "huge");
        assertThat(alerts().get(0).getModelAlert()).isTrue();
        assertThat(alerts().get(1).getBlockRecommended()).isTrue();
    }

    @Test
    void unsignedForgedAndReplayedSetsAreRefusedAndTheSetInForceStays() throws Exception {
        harness = harness(function(1.0));
        harness.open();
        RuleSet v2 = signed(2, KEYS.getPrivate(), rule("big_amount", 10, RuleAction.ALERT, "amount > 50.0"));
        harness.processBroadcastElement(Control.rules(v2));
        RuleSet everything = signed(3, KEYS.getPrivate(), rule("everything", 10, RuleAction.ALERT, "true"));
        harness.processBroadcastElement(Control.rules(RuleSet.newBuilder(everything).setSignature(null).build()));
        harness.processBroadcastElement(Control.rules(signed(4, SigningKeys.generate().getPrivate(),
                rule("everything", 10, RuleAction.ALERT, "true"))));
        harness.processBroadcastElement(Control.rules(signed(1, KEYS.getPrivate(),
                rule("everything", 10, RuleAction.ALERT, "true")))); // older than v2: replayed
        harness.processBroadcastElement(Control.rules(signed(5, KEYS.getPrivate(),
                rule("typo", 10, RuleAction.ALERT, "amout > 1.0"))));

        harness.processElement(new StreamRecord<>(tx("small", "c1", T0, 10)));
        harness.processElement(new StreamRecord<>(tx("big", "c1", T0 + 1000, 100)));
        assertThat(alertedIds()).containsExactly("big"); // still v2, not "everything"
        assertThat(harness.getBroadcastState(JobStreams.RULE_SETS).get(JobStreams.ACTIVE_RULE_SET)).isEqualTo(v2);
    }

    @Test
    void anInitialRuleSetIsInForceFromTheFirstEventAndOnlyNewerSetsReplaceIt() throws Exception {
        RuleSet initial = signed(4, KEYS.getPrivate(), rule("big_amount", 10, RuleAction.ALERT, "amount > 50.0"));
        harness = harness(new CardScoringFunction(new TestModels.Factory("v1", 1.0, 64),
                new ScoringSettings(Duration.ofDays(30).toMillis(), 3, 3, 1024), false, false,
                new RuleStage.Settings(true, KEYS.getPublic().getEncoded(),
                        io.fraudstream.schemas.AvroCodec.of(RuleSet.class).encode(initial))));
        harness.open();
        harness.processElement(new StreamRecord<>(tx("first", "c1", T0, 100)));
        harness.processBroadcastElement(Control.rules(signed(3, KEYS.getPrivate(),
                rule("everything", 10, RuleAction.ALERT, "true")))); // older than the initial v4: replayed
        harness.processElement(new StreamRecord<>(tx("small", "c1", T0 + 1000, 10)));
        harness.processBroadcastElement(Control.rules(signed(5, KEYS.getPrivate(),
                rule("everything", 10, RuleAction.ALERT, "true"))));
        harness.processElement(new StreamRecord<>(tx("small-2", "c1", T0 + 2000, 10)));
        assertThat(alertedIds()).containsExactly("first", "small-2");
    }

    @Test
    void theRuleSetInForceSurvivesASnapshotAndRestore() throws Exception {
        harness = harness(function(1.0));
        harness.open();
        harness.processBroadcastElement(Control.rules(signed(7, KEYS.getPrivate(),
                rule("big_amount", 10, RuleAction.ALERT, "amount > 50.0"))));
        harness.processElement(new StreamRecord<>(tx("before", "c1", T0, 100)));
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = harness(function(1.0));
        harness.initializeState(snapshot);
        harness.open();
        harness.processElement(new StreamRecord<>(tx("after", "c1", T0 + 1000, 100)));
        harness.processElement(new StreamRecord<>(tx("after-small", "c1", T0 + 2000, 10)));
        assertThat(alertedIds()).containsExactly("after");
        assertThat(alerts().get(0).getRuleSetVersion()).isEqualTo(7L);
        // A replay of an older set after the restore is still refused.
        harness.processBroadcastElement(Control.rules(signed(6, KEYS.getPrivate(),
                rule("everything", 10, RuleAction.ALERT, "true"))));
        harness.processElement(new StreamRecord<>(tx("after-replay", "c1", T0 + 3000, 10)));
        assertThat(alertedIds()).containsExactly("after");
    }
}
