package io.fraudstream.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.avro.RuleDefinition;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.AvroJson;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleSetsTest {
    static final KeyPair KEYS = SigningKeys.generate();
    static final Instant ISSUED = Instant.parse("2026-12-05T06:00:00Z");
    private final RuleCompiler compiler = new RuleCompiler();

    static RuleSet set(long version, RuleDefinition... rules) {
        return RuleSet.newBuilder().setName("default").setVersion(version).setRules(List.of(rules))
                .setIssuedAt(Instant.EPOCH).setIssuedBy("analyst@bank").setSignature(null).build();
    }

    static RuleDefinition rule(String name, int priority, io.fraudstream.avro.RuleAction action, String expr,
            boolean enabled) {
        return RuleDefinition.newBuilder().setName(name).setPriority(priority).setAction(action).setExpression(expr)
                .setEnabled(enabled).setDescription("test").build();
    }

    static final RuleDefinition BIG = rule("big", 10, io.fraudstream.avro.RuleAction.ALERT, "amount > 500.0", true);
    static final RuleDefinition OFF = rule("off", 20, io.fraudstream.avro.RuleAction.SUPPRESS, "amount > 0.0", false);

    @Test
    void aSignedNewerValidSetIsAcceptedWithOnlyItsEnabledRules() throws Exception {
        RuleSet signed = RuleSetSigner.sign(set(3, BIG, OFF), KEYS.getPrivate(), ISSUED);
        // The signature survives the wire and the Avro-JSON file form.
        RuleSet wire = AvroCodec.of(RuleSet.class).decode(AvroCodec.of(RuleSet.class).encode(signed));
        RuleSet file = AvroJson.fromJson(RuleSet.class, AvroJson.toJson(signed));
        for (RuleSet s : List.of(signed, wire, file)) {
            CompiledRuleSet compiled = RuleSets.accept(s, KEYS.getPublic(), 2L, compiler);
            assertThat(compiled.version()).isEqualTo("3");
            assertThat(compiled.rules()).extracting(Rule::name).containsExactly("big"); // "off" is disabled
            assertThat(compiled.evaluate(RuleEngineTest.suspicious()).firedNames()).containsExactly("big");
        }
        assertThat(RuleSets.accept(signed, KEYS.getPublic(), null, compiler).size()).isEqualTo(1);
    }

    @Test
    void unsignedForgedAlteredAndReplayedSetsAreRefused() {
        RuleSet unsigned = set(3, BIG);
        assertRefused(unsigned, 2L, RuleSets.Refusal.UNSIGNED, "rule set default v3 is not signed");

        RuleSet forged = RuleSetSigner.sign(set(3, BIG), SigningKeys.generate().getPrivate(), ISSUED);
        assertRefused(forged, 2L, RuleSets.Refusal.FORGED, "the signature does not verify");

        RuleSet signed = RuleSetSigner.sign(set(3, BIG), KEYS.getPrivate(), ISSUED);
        RuleSet altered = RuleSet.newBuilder(signed).setRules(List.of(rule("big", 10,
                io.fraudstream.avro.RuleAction.SUPPRESS, "amount > 500.0", true))).build();
        assertRefused(altered, 2L, RuleSets.Refusal.FORGED, "changed after signing");
        RuleSet bumped = RuleSet.newBuilder(signed).setVersion(4).build(); // a replay dressed up as newer
        assertRefused(bumped, 3L, RuleSets.Refusal.FORGED, "does not verify");

        assertRefused(signed, 3L, RuleSets.Refusal.REPLAYED, "is not newer than the active v3");
        assertRefused(signed, 7L, RuleSets.Refusal.REPLAYED, "is not newer than the active v7");
    }

    @Test
    void aSignedSetWithAnInvalidRuleIsRefusedNamingTheRuleEvenWhenDisabled() {
        RuleSet bad = RuleSetSigner.sign(set(5, BIG,
                rule("typo", 30, io.fraudstream.avro.RuleAction.TAG, "amout > 1.0", false)), KEYS.getPrivate(), ISSUED);
        assertRefused(bad, 4L, RuleSets.Refusal.INVALID, "rule 'typo': does not compile");
    }

    @Test
    void aRuleSetSignatureIsNeverAValidSignatureOfOtherBytes() {
        RuleSet signed = RuleSetSigner.sign(set(3, BIG), KEYS.getPrivate(), ISSUED);
        assertThat(new String(RuleSetSigner.canonicalBytes(signed), 0, RuleSetSigner.TAG.length(),
                java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(RuleSetSigner.TAG);
        assertThat(io.fraudstream.model.BundleSigner.verify("x".getBytes(), signed.getSignature(), KEYS.getPublic()))
                .isFalse();
    }

    private void assertRefused(RuleSet set, Long active, RuleSets.Refusal reason, String message) {
        assertThatThrownBy(() -> RuleSets.accept(set, KEYS.getPublic(), active, compiler))
                .isInstanceOfSatisfying(RuleSets.RefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(message);
    }
}
