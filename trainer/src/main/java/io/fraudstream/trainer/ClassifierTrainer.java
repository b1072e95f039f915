package io.fraudstream.trainer;

import io.fraudstream.model.RankingMetrics;
import io.fraudstream.model.Standardization;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import smile.classification.LogisticRegression;

/**
 * The final classifier: a Smile {@code LogisticRegression.binomial} over the full feature vector, standardized
 * with means and standard deviations fitted on the training rows. Class imbalance: positives replicated to
 * balance the classes (Smile 2.x has no sample weights for logistic regression), then the intercept is shifted
 * back by {@code -ln(replication)} so scores stay roughly calibrated. The L2 {@code lambda} is the one of the
 * grid with the best validation average precision (ties: the larger lambda); the threshold alerts on the alert
 * budget of the validation rows.
 *
 * <p>Honest caveat: lambda, threshold and the reported validation figures all come from the same validation
 * window, so those figures are slightly optimistic; the gates compare models on that same slice, which is fair
 * between them.
 */
public final class ClassifierTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(ClassifierTrainer.class);

    /** The fitted classifier and its figures. */
    public record Result(double[] means, double[] stds, double intercept, double[] coefficients, double lambda,
            int replication, double threshold, Metrics.Figures train, Metrics.Figures validation,
            Map<Double, Double> validationApByLambda, long millis) {}

    private final double[] lambdas;
    private final double alertBudget;

    public ClassifierTrainer(double[] lambdas, double alertBudget) {
        if (lambdas.length == 0) {
            throw new IllegalArgumentException("trainer.lambdas must name at least one lambda");
        }
        for (double l : lambdas) {
            if (!(l >= 0) || Double.isInfinite(l)) {
                throw new IllegalArgumentException("trainer.lambdas must be finite and >= 0, was " + l);
            }
        }
        if (!(alertBudget > 0 && alertBudget < 1)) {
            throw new IllegalArgumentException("trainer.alert-budget must be in (0, 1), was " + alertBudget);
        }
        this.lambdas = lambdas.clone();
        this.alertBudget = alertBudget;
    }

    public Result fit(FeatureTable.Rows train, FeatureTable.Rows validation) {
        long t0 = System.nanoTime();
        int p = train.x().length == 0 ? 0 : train.x()[0].length;
        int positives = train.positives();
        int negatives = train.size() - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalStateException("training rows need both classes; have " + positives + " fraud and "
                    + negatives + " genuine");
        }
        if (validation.positives() == 0) {
            throw new IllegalStateException("validation rows have no fraud: AP is undefined and lambda cannot be"
                    + " chosen; widen the validation window");
        }
        double[] means = new double[p];
        double[] stds = new double[p];
        Standardization.fit(Arrays.asList(train.x()), means, stds);
        int replicate = Math.max(1, (int) Math.round((double) negatives / positives));
        double[][] z = new double[negatives + positives * replicate][];
        int[] y = new int[z.length];
        int row = 0;
        for (int i = 0; i < train.size(); i++) {
            double[] zi = standardize(train.x()[i], means, stds);
            int copies = train.y()[i] ? replicate : 1;
            for (int c = 0; c < copies; c++) {
                z[row] = zi;
                y[row++] = train.y()[i] ? 1 : 0;
            }
        }
        double[][] zValid = new double[validation.size()][];
        for (int i = 0; i < zValid.length; i++) {
            zValid[i] = standardize(validation.x()[i], means, stds);
        }
        Map<Double, Double> apByLambda = new LinkedHashMap<>();
        double bestAp = Double.NEGATIVE_INFINITY;
        double bestLambda = Double.NaN;
        double[] best = null;
        double[] sortedLambdas = lambdas.clone();
        Arrays.sort(sortedLambdas);
        for (int li = sortedLambdas.length - 1; li >= 0; li--) { // largest first: ties keep the larger
            double lambda = sortedLambdas[li];
            double[] w = LogisticRegression.binomial(z, y, lambda, 1e-5, 500).coefficients();
            double[] s = scores(zValid, w, p, -Math.log(replicate));
            double ap = RankingMetrics.averagePrecision(s, validation.y());
            apByLambda.put(lambda, ap);
            LOG.info("Classifier lambda {}: validation AP {}", lambda, String.format(Locale.ROOT, "%.4f", ap));
            if (ap > bestAp) {
                bestAp = ap;
                bestLambda = lambda;
                best = w;
            }
        }
        double intercept = best[p] - Math.log(replicate);
        double[] coefficients = Arrays.copyOf(best, p);
        double[] validScores = scores(zValid, best, p, -Math.log(replicate));
        double threshold = RankingMetrics.thresholdForBudget(validScores, alertBudget);
        double[][] zTrain = new double[train.size()][];
        for (int i = 0; i < zTrain.length; i++) {
            zTrain[i] = standardize(train.x()[i], means, stds);
        }
        double[] trainScores = scores(zTrain, best, p, -Math.log(replicate));
        return new Result(means, stds, intercept, coefficients, bestLambda, replicate, threshold,
                Metrics.figures(trainScores, train.y(), threshold), Metrics.figures(validScores, validation.y(),
                        threshold), apByLambda, (System.nanoTime() - t0) / 1_000_000);
    }

    private static double[] scores(double[][] z, double[] w, int p, double shift) {
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            double s = w[p] + shift;
            for (int j = 0; j < p; j++) {
                s += w[j] * z[i][j];
            }
            out[i] = 1.0 / (1.0 + Math.exp(-s));
        }
        return out;
    }

    /** (x - mean) / std, computed as {@code FraudModel.logit} does (float input widened, then double). */
    static double[] standardize(float[] x, double[] means, double[] stds) {
        double[] z = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            z[j] = (x[j] - means[j]) / stds[j];
        }
        return z;
    }
}
