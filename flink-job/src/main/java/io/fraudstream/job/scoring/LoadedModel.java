package io.fraudstream.job.scoring;

import io.fraudstream.features.Explanation;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.scoring.CardScorer;

/**
 * A verified model with its thread-confined extractor and scratch buffers. Used by the task thread only (built on
 * the loader thread, then handed over through a {@code Future}).
 */
final class LoadedModel {
    final FraudModel model;
    /** The per-event rules and buffers every scoring path shares (the extractor and features below are its). */
    final CardScorer scorer;
    final FeatureExtractor extractor;
    final float[] features;
    final Explanation explanation;
    final AlertExplainer explainer;

    LoadedModel(FraudModel model, ScoringSettings settings) {
        this.model = model;
        // The shared per-event rules (CardScorer): its extractor reads the history's tokens, derived from the raw
        // fields the card state stores, so a card scores the same cached or read from state, and the same as in
        // training.
        this.scorer = CardScorer.of(model, settings.cardTtlMillis());
        this.extractor = scorer.extractor();
        this.features = scorer.features();
        this.explanation = new Explanation(Math.max(1, settings.topAttended()));
        this.explainer = new AlertExplainer(model, settings.topAttended(), settings.topContributions());
    }

    String version() {
        return model.version();
    }
}
