package io.fraudstream.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BootstrapModelTest {
    private static FraudModel model;
    private static long millis;

    @BeforeAll
    static void build() {
        long t0 = System.nanoTime();
        model = BootstrapModel.create(42);
        millis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("bootstrap model built in " + millis + " ms: " + model.metrics());
    }

    @Test
    void learnsToRankSimulatedFraud() {
        assertThat(model.metrics().get("validation.auc")).isGreaterThan(0.8);
        assertThat(model.metrics().get("validation.frauds")).isPositive();
        assertThat(model.metrics().get("validation.alertRate")).isBetween(0.005, 0.011);
        assertThat(model.threshold()).isBetween(0.0, 1.0);
    }

    @Test
    void sameSeedGivesTheSameBundleBytes() throws Exception {
        byte[] first = ModelBundles.toBytes(model);
        byte[] again = ModelBundles.toBytes(BootstrapModel.create(42));
        assertThat(again).isEqualTo(first);
        assertThat(ModelBundles.read(first)).isEqualTo(model);
        assertThat(model.version()).isEqualTo("20260302T0000Z-bootstrap-s42");
        assertThat(model.createdAt()).isEqualTo(model.trainingData().validationTo());
    }

    @Test
    void differentSeedGivesADifferentModel() {
        FraudModel other = BootstrapModel.create(7);
        assertThat(other.extractorWeights()).isNotEqualTo(model.extractorWeights());
        assertThat(other.version()).isNotEqualTo(model.version());
    }

    @Test
    void isFastEnough() {
        assertThat(millis).isLessThan(30_000);
    }
}
