package io.fraudstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.trainer.bootstrap.BootstrapModel;
import io.fraudstream.model.FraudModel;
import io.fraudstream.simulator.SimulatorConfig;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@code --attention keep}: a classifier-only retraining keeps the champion's extractor, weights version included;
 * only the classifier is learned again. (A swap is cheap either way: card histories hold model-independent tokens,
 * so the job recomputes nothing per card for new weights or kept ones.)
 */
class KeepExtractorTest {
    @Test
    void theNewModelCarriesTheChampionsExtractorAndItsOwnClassifier() {
        LabelledData data = SimulatorData.load(SimulatorConfig.builder().seed(3).cards(60)
                .start(Instant.parse("2025-01-01T00:00:00Z")).duration(Duration.ofDays(40)).fraudRate(0.02).build());
        TimeSplit split = TimeSplit.latest(data.minTime(), data.maxTime(), null, Duration.ofDays(5),
                Duration.ofDays(10));
        FraudModel champion = BootstrapModel.create(42);

        FraudModel m = new ModelTrainer(TrainerSettings.defaults().withLambdas(new double[] {1, 10}))
                .trainClassifierOnly(data, split, "20261129T0800Z-trained", Instant.parse("2026-11-29T08:00:00Z"),
                        champion).model();

        assertThat(m.version()).isEqualTo("20261129T0800Z-trained");
        assertThat(m.extractorWeights().modelVersion()).isEqualTo(champion.extractorWeights().modelVersion());
        assertThat(m.extractorConfig()).isEqualTo(champion.extractorConfig());
        assertThat(m.extractorWeights().queryWeights()).containsExactly(champion.extractorWeights().queryWeights());
        assertThat(m.extractorWeights().keyWeights()).containsExactly(champion.extractorWeights().keyWeights());
        assertThat(m.extractorWeights().valueWeights()).containsExactly(champion.extractorWeights().valueWeights());
        assertThat(m.extractorWeights().alpha()).containsExactly(champion.extractorWeights().alpha());
        assertThat(m.extractorWeights().beta()).containsExactly(champion.extractorWeights().beta());
        // The classifier is this data's, not the champion's.
        assertThat(m.coefficients()).isNotEqualTo(champion.coefficients());
        assertThat(m.metrics()).containsKey("validation.averagePrecision").doesNotContainKey("attention.lossBefore");
        assertThat(m.properties().get("attention")).contains("kept from model " + champion.version());
    }
}
