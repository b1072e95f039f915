package io.fraudstream.trainer;

import io.fraudstream.model.FraudModel;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The third window of the honest protocol: train (fit), validation (every choice: λ, threshold, epochs, ...) and a
 * <strong>test window</strong> whose figures are only reported, never used to choose anything. It starts at or
 * after the end of validation. The trained model is scored on it once, after everything is chosen, and the bundle
 * records the window ({@code properties.testWindow}, {@code properties.testFrom/testTo}) and its figures
 * ({@code metrics.test.*}, with {@code test.alertRateOverBudget}: the test alert rate divided by the alert budget
 * the threshold was chosen for). The train and validation windows stay in the bundle's {@code trainingData}
 * (docs/MODEL_BUNDLE.md).
 *
 * @param from first instant of the test window
 * @param to end of the test window (exclusive)
 */
public record TestWindow(Instant from, Instant to) {
    private static final Logger LOG = LoggerFactory.getLogger(TestWindow.class);

    public TestWindow {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("test window is empty: " + from + " .. " + to);
        }
    }

    /** Refuses a test window that starts before validation ends (it would share rows with the choices). */
    public void requireAfter(TimeSplit split) {
        if (from.isBefore(split.validationTo())) {
            throw new IllegalArgumentException("the test window (from " + from + ") must not start before validation"
                    + " ends (" + split.validationTo() + ")");
        }
    }

    /**
     * Wraps a candidate trainer: each candidate, once trained and chosen on validation, is scored on this window
     * and its bundle gets the window and the figures.
     */
    public ModelCycle.CandidateTrainer around(ModelCycle.CandidateTrainer inner, double alertBudget) {
        return (data, split, version, createdAt) -> {
            requireAfter(split);
            return report(inner.train(data, split, version, createdAt), data, split, alertBudget);
        };
    }

    /** The outcome with its model's test figures and window recorded (a new model; the old one is unchanged). */
    public ModelTrainer.Outcome report(ModelTrainer.Outcome outcome, LabelledData data, TimeSplit split,
            double alertBudget) {
        FraudModel model = outcome.model();
        // The test rows are computed like validation rows: every transaction still enters its card's history in
        // time order; only the rows of [from, to) are scored.
        Evaluation test = Evaluation.of(model, data, new TimeSplit(split.trainFrom(), split.trainTo(), from, to));
        Map<String, Double> metrics = new LinkedHashMap<>(model.metrics());
        Map<String, String> props = new LinkedHashMap<>(model.properties());
        props.put("testWindow", "[" + from + ", " + to + ")");
        props.put("testFrom", from.toString());
        props.put("testTo", to.toString());
        if (test.figures().isPresent()) {
            Metrics.Figures f = test.figures().get();
            metrics.put("test.rows", (double) f.rows());
            metrics.put("test.frauds", (double) f.frauds());
            metrics.put("test.auc", nanIfInfinite(f.auc()));
            metrics.put("test.averagePrecision", nanIfInfinite(f.averagePrecision()));
            metrics.put("test.alertRate", f.alertRate());
            metrics.put("test.alertRateOverBudget", alertBudget > 0 ? f.alertRate() / alertBudget : Double.NaN);
            metrics.put("test.recallAtThreshold", nanIfInfinite(f.recallAtThreshold()));
            metrics.put("test.precisionAtThreshold", nanIfInfinite(f.precisionAtThreshold()));
            metrics.put("test.fprAt80Recall", nanIfInfinite(f.fprAt80Recall()));
            LOG.info("Test window [{}, {}) (reported only, nothing chosen on it): {} rows, {} fraud, AUC {} AP {},"
                    + " alert rate {} ({}x the budget {})", from, to, f.rows(), f.frauds(), ModelTrainer.fmt(f.auc()),
                    ModelTrainer.fmt(f.averagePrecision()), ModelTrainer.fmt(f.alertRate()),
                    ModelTrainer.fmt(f.alertRate() / alertBudget), alertBudget);
        } else {
            props.put("testError", test.error().orElse("unknown"));
            LOG.warn("Test window [{}, {}) not scored: {}", from, to, test.error().orElse("unknown"));
        }
        FraudModel withTest = model.toBuilder().metrics(metrics).properties(props).build();
        return new ModelTrainer.Outcome(withTest, outcome.attention(), outcome.classifier(), outcome.featureMillis(),
                outcome.totalMillis());
    }

    private static double nanIfInfinite(double v) {
        return Double.isInfinite(v) ? Double.NaN : v;
    }
}
