package io.fraudstream.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.simulator.FraudScenario;
import io.fraudstream.simulator.SimulatorConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Issue 9's acceptance: on the simulator with the compromised-merchant scenario and labels reported 7 days after
 * the transaction, a time-split evaluation of the same classifier with and without the point-of-purchase features.
 */
class PointOfPurchaseComparisonIT {

    @Test
    void pointOfPurchaseFeaturesRaiseAveragePrecision() {
        SimulatorConfig sim = SimulatorConfig.builder()
                .seed(9)
                .cards(Integer.getInteger("pop.cards", 400))
                .start(Instant.parse("2025-01-01T00:00:00Z"))
                .duration(Duration.ofDays(Integer.getInteger("pop.days", 100)))
                .labelDelay(Duration.ofDays(7))
                .build();
        LabelledData plain = SimulatorData.load(sim);
        LabelledData withPop = plain.withPointOfPurchase(sim.labelDelay());
        TimeSplit split = TimeSplit.latest(plain.minTime(), plain.maxTime(), null, Duration.ofDays(7),
                Duration.ofDays(30));
        // Seeded extractor weights, one regularization (lambda 100: what the full grid [0.1, 1, 10, 100] picks for
        // both on this data) and a 20,000-row sample of the genuine training rows keep the run short; both models
        // get exactly the same treatment.
        TrainerSettings settings = TrainerSettings.defaults().withLearnAttention(false).withLambdas(new double[] {100})
                .withClassifierNegatives(Integer.getInteger("pop.negatives", 20_000));
        ModelTrainer trainer = new ModelTrainer(settings);
        Instant created = Instant.parse("2026-11-29T00:00:00Z");
        ModelTrainer.Outcome without = trainer.train(plain, split, "20261129T0000Z-nopop", created);
        ModelTrainer.Outcome with = trainer.train(withPop, split, "20261129T0000Z-pop", created);
        double apWithout = without.classifier().validation().averagePrecision();
        double apWith = with.classifier().validation().averagePrecision();
        System.out.printf(Locale.ROOT, "POP-COMPARISON %s: AP without %.4f (AUC %.4f), with %.4f (AUC %.4f)%n", plain,
                apWithout, without.classifier().validation().auc(), apWith, with.classifier().validation().auc());
        assertTrue(with.model().usesPointOfPurchase());
        assertTrue(apWith > apWithout, "AP with point-of-purchase " + apWith + " vs without " + apWithout);
    }
}
