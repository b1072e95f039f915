package io.fraudstream.trainer.bootstrap;


import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelBundles;
import io.fraudstream.model.TrainingData;
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
    void alertRateOnAFreshSimulatorSeedIsNearTheBudget() {
        // Traffic the model never saw: another seed, a later period (docs/MODEL_BUNDLE.md has the full-size numbers).
        BootstrapEvaluation.Result r = BootstrapEvaluation.evaluate(model, 2027, 1_000, 30);
        System.out.println("bootstrap model on simulator seed 2027: " + r);
        assertThat(r.transactions()).isGreaterThan(50_000);
        assertThat(r.frauds()).isPositive();
        assertThat(r.alertRate()).isBetween(0.003, 0.03);
        assertThat(r.auc()).isGreaterThan(0.8);
    }

    @Test
    void trainsOnTheSimulatorWithATimeSplit() {
        TrainingData d = model.trainingData();
        assertThat(d.source()).contains("io.fraudstream.simulator");
        assertThat(d.trainTo()).isEqualTo(d.validationFrom()).isAfter(d.trainFrom());
        assertThat(model.metrics().get("train.rows") + model.metrics().get("validation.rows")).isGreaterThan(40_000);
    }
}
