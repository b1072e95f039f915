package io.fraudstream.trainer;

import io.fraudstream.model.FraudModel;
import java.util.Optional;

/**
 * A model's figures on the validation slice of a split: its own extractor computes the features (each model
 * sees the data through its own weights and configuration), its own threshold decides alerts. Any failure
 * while scoring (an exception, a non-finite score) is captured as an error, never thrown: the gates treat it as
 * a failed model.
 *
 * @param version the model evaluated
 * @param figures the figures, empty when scoring failed
 * @param scores the validation scores in {@link FeatureTable} row order (empty on error)
 * @param error what went wrong, empty when scoring succeeded
 */
public record Evaluation(String version, Optional<Metrics.Figures> figures, double[] scores, Optional<String> error) {

    public static Evaluation of(FraudModel model, LabelledData data, TimeSplit split) {
        if (model.usesPointOfPurchase() && data.pointOfPurchase() == null) {
            // A model trained with point-of-purchase features cannot be judged on data without them.
            return failed(model.version(), "the model uses point-of-purchase features; the data carries none");
        }
        try {
            // Each model's own feature blocks, on the same rows (the same transactions in the same order).
            FeatureTable.Rows rows = FeatureTable.compute(data, split, model.extractorConfig(),
                    model.extractorWeights(), model.blocks()).validation();
            double[] scores = new double[rows.size()];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = model.score(rows.x()[i]);
                if (!Double.isFinite(scores[i])) {
                    return failed(model.version(), "non-finite score " + scores[i] + " at validation row " + i);
                }
            }
            return new Evaluation(model.version(), Optional.of(Metrics.figures(scores, rows.y(), model.threshold())),
                    scores, Optional.empty());
        } catch (RuntimeException e) {
            return failed(model.version(), "scoring failed: " + e);
        }
    }

    public static Evaluation failed(String version, String error) {
        return new Evaluation(version, Optional.empty(), new double[0], Optional.of(error));
    }

    public boolean ok() {
        return error.isEmpty();
    }

    public double averagePrecision() {
        return figures.map(Metrics.Figures::averagePrecision).orElse(Double.NaN);
    }

    public double alertRate() {
        return figures.map(Metrics.Figures::alertRate).orElse(Double.NaN);
    }

    @Override
    public String toString() {
        return error.map(e -> version + ": ERROR " + e).orElseGet(() -> {
            Metrics.Figures f = figures.get();
            return version + ": AUC " + ModelTrainer.fmt(f.auc()) + ", AP " + ModelTrainer.fmt(f.averagePrecision())
                    + ", alert rate " + ModelTrainer.fmt(f.alertRate()) + ", recall " + ModelTrainer.fmt(
                    f.recallAtThreshold()) + ", FPR@80%recall " + ModelTrainer.fmt(f.fprAt80Recall()) + " ("
                    + f.frauds() + " fraud in " + f.rows() + ")";
        });
    }
}
