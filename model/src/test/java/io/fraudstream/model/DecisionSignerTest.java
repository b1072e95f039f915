package io.fraudstream.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import java.security.KeyPair;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The descriptor's decision signature covers every field of the decision and nothing verifies without it. */
class DecisionSignerTest {

    private static final KeyPair KEYS = SigningKeys.generate();
    private static final Instant ISSUED = Instant.parse("2026-12-01T08:00:00Z");

    private static ModelDescriptor signed() {
        return DecisionSigner.sign(ModelDescriptor.newBuilder().setModelVersion("v000002").setLocation("v000002.bundle")
                .setSha256("ab".repeat(32)).setSignature("c2ln").setRole(ModelRole.SHADOW)
                .setCreatedAt(Instant.parse("2026-11-29T00:00:00Z")).build(), KEYS.getPrivate(), ISSUED);
    }

    @Test
    void aSignedDecisionVerifiesAndCarriesItsIssuedAt() {
        ModelDescriptor d = signed();
        assertThat(d.getIssuedAt()).isEqualTo(ISSUED);
        assertThat(DecisionSigner.verify(d, KEYS.getPublic())).isTrue();
    }

    @Test
    void changingAnyFieldOfTheDecisionBreaksTheSignature() {
        ModelDescriptor d = signed();
        for (ModelDescriptor changed : new ModelDescriptor[] {
                ModelDescriptor.newBuilder(d).setModelVersion("v000003").build(),
                ModelDescriptor.newBuilder(d).setRole(ModelRole.CHAMPION).build(),
                ModelDescriptor.newBuilder(d).setRole(ModelRole.RETIRED).build(),
                ModelDescriptor.newBuilder(d).setSha256("cd".repeat(32)).build(),
                ModelDescriptor.newBuilder(d).setLocation("other.bundle").build(),
                ModelDescriptor.newBuilder(d).setSignature("b3RoZXI=").build(),
                ModelDescriptor.newBuilder(d).setCreatedAt(Instant.parse("2026-11-30T00:00:00Z")).build(),
                ModelDescriptor.newBuilder(d).setIssuedAt(ISSUED.plusSeconds(1)).build()}) {
            assertThat(DecisionSigner.verify(changed, KEYS.getPublic())).as("%s", changed).isFalse();
        }
    }

    @Test
    void unsignedMalformedOrForeignDecisionsDoNotVerify() {
        ModelDescriptor d = signed();
        assertThat(DecisionSigner.verify(ModelDescriptor.newBuilder(d).setDecisionSignature(null).build(),
                KEYS.getPublic())).isFalse();
        assertThat(DecisionSigner.verify(ModelDescriptor.newBuilder(d).setIssuedAt(null).build(),
                KEYS.getPublic())).isFalse();
        assertThat(DecisionSigner.verify(ModelDescriptor.newBuilder(d).setDecisionSignature("%%%").build(),
                KEYS.getPublic())).isFalse();
        assertThat(DecisionSigner.verify(d, SigningKeys.generate().getPublic())).isFalse();
        // The same bytes signed as a bundle are not a decision signature (domain separation by the tag).
        String bundleStyle = new BundleSigner(KEYS.getPrivate()).sign(
                java.util.Arrays.copyOfRange(DecisionSigner.decisionBytes(d), DecisionSigner.TAG.length(),
                        DecisionSigner.decisionBytes(d).length)).signatureBase64();
        assertThat(DecisionSigner.verify(ModelDescriptor.newBuilder(d).setDecisionSignature(bundleStyle).build(),
                KEYS.getPublic())).isFalse();
    }
}
