package io.fraudstream.console.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.Decision;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelRole;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ShadowComparisonTest {

    private static FraudScore score(String tx, String version, double s, ModelRole role) {
        return FraudScore.newBuilder().setTransactionId(tx).setCardId("c").setScore(s).setThreshold(0.5)
                .setDecision(s >= 0.5 ? Decision.ALERT : Decision.PASS).setModelVersion(version).setModelRole(role)
                .setEventTime(Instant.EPOCH).setScoredAt(Instant.EPOCH).setProcessingLatencyMicros(1).build();
    }

    @Test
    void pairsScoresOfTheSameTransactionInEitherOrder() {
        ShadowComparison c = new ShadowComparison();
        c.champion(score("a", "v1", 0.9, ModelRole.CHAMPION));
        c.shadow(score("a", "v2", 0.7, ModelRole.SHADOW));
        c.shadow(score("b", "v2", 0.6, ModelRole.SHADOW));
        c.champion(score("b", "v1", 0.2, ModelRole.CHAMPION));
        c.champion(score("unpaired", "v1", 0.99, ModelRole.CHAMPION));
        var s = c.snapshot();
        assertThat(s).containsEntry("pairs", 2L).containsEntry("championAlerts", 1L).containsEntry("shadowAlerts", 2L)
                .containsEntry("shadowVersion", "v2").containsEntry("championVersion", "v1");
        assertThat((double) s.get("meanAbsDiff")).isCloseTo((0.2 + 0.4) / 2, org.assertj.core.data.Offset.offset(1e-12));
        assertThat((double) s.get("decisionAgreement")).isEqualTo(0.5);
    }

    @Test
    void startsOverWhenTheShadowChanges() {
        ShadowComparison c = new ShadowComparison();
        c.champion(score("a", "v1", 0.9, ModelRole.CHAMPION));
        c.shadow(score("a", "v2", 0.7, ModelRole.SHADOW));
        c.shadow(score("b", "v3", 0.7, ModelRole.SHADOW));
        assertThat(c.snapshot()).containsEntry("pairs", 0L).containsEntry("shadowVersion", "v3");
    }
}
