package io.fraudstream.trainer;

import io.fraudstream.features.AttentionMode;
import io.fraudstream.features.ExtractorConfig;
import java.util.Objects;

/**
 * What a training run does.
 *
 * @param extractor the extractor configuration of the trained model (window, k, heads, d, mode)
 * @param attention DJL training settings; ignored when {@code extractor.mode()} is NONE
 * @param learnAttention false keeps the seeded bootstrap projections (a baseline to measure the learning against)
 * @param lambdas L2 grid for the classifier, chosen on validation average precision
 * @param alertBudget share of validation transactions the threshold alerts on
 * @param classifierNegatives genuine training rows the classifier fit sees at most (seeded sample, see
 *     {@link ClassifierTrainer}); 0 = all
 */
public record TrainerSettings(ExtractorConfig extractor, AttentionSettings attention, boolean learnAttention,
        double[] lambdas, double alertBudget, int classifierNegatives) {
    public static final double[] DEFAULT_LAMBDAS = {0.1, 1, 10, 100};
    public static final double DEFAULT_ALERT_BUDGET = 0.01;

    public TrainerSettings {
        Objects.requireNonNull(extractor, "extractor");
        Objects.requireNonNull(attention, "attention");
        lambdas = lambdas.clone();
        if (classifierNegatives < 0) {
            throw new IllegalArgumentException("trainer.classifier-negatives must be >= 0, was " + classifierNegatives);
        }
    }

    /** With the default classifier row budget ({@link ClassifierTrainer#DEFAULT_MAX_NEGATIVES}). */
    public TrainerSettings(ExtractorConfig extractor, AttentionSettings attention, boolean learnAttention,
            double[] lambdas, double alertBudget) {
        this(extractor, attention, learnAttention, lambdas, alertBudget, ClassifierTrainer.DEFAULT_MAX_NEGATIVES);
    }

    public static TrainerSettings defaults() {
        return new TrainerSettings(ExtractorConfig.defaults(), AttentionSettings.DEFAULTS, true, DEFAULT_LAMBDAS,
                DEFAULT_ALERT_BUDGET);
    }

    @Override
    public double[] lambdas() {
        return lambdas.clone();
    }

    public TrainerSettings withExtractor(ExtractorConfig v) {
        return new TrainerSettings(v, attention, learnAttention, lambdas, alertBudget, classifierNegatives);
    }

    public TrainerSettings withAttention(AttentionSettings v) {
        return new TrainerSettings(extractor, v, learnAttention, lambdas, alertBudget, classifierNegatives);
    }

    public TrainerSettings withLearnAttention(boolean v) {
        return new TrainerSettings(extractor, attention, v, lambdas, alertBudget, classifierNegatives);
    }

    public TrainerSettings withLambdas(double[] v) {
        return new TrainerSettings(extractor, attention, learnAttention, v, alertBudget, classifierNegatives);
    }

    public TrainerSettings withAlertBudget(double v) {
        return new TrainerSettings(extractor, attention, learnAttention, lambdas, v, classifierNegatives);
    }

    public TrainerSettings withClassifierNegatives(int v) {
        return new TrainerSettings(extractor, attention, learnAttention, lambdas, alertBudget, v);
    }

    /** The same settings without attention (the "no attention" baseline of the quality criterion). */
    public TrainerSettings withoutAttention() {
        return withExtractor(extractor.toBuilder().mode(AttentionMode.NONE).build());
    }
}
