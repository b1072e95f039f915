package io.fraudstream.trainer;

import io.fraudstream.cli.support.Progress;
import io.fraudstream.model.RankingMetrics;
import io.fraudstream.model.Standardization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import smile.classification.LogisticRegression;

/**
 * The final classifier: a Smile {@code LogisticRegression.binomial} over the full feature vector, standardized
 * with means and standard deviations fitted on the training rows. Class weights ({@link ClassWeight}): by default
 * every row counts once ({@link ClassWeight#NONE}, the plain maximum-likelihood fit); {@link ClassWeight#BALANCED}
 * replicates positives to balance the classes (Smile 2.x has no sample weights for logistic regression) and shifts
 * the intercept back by {@code -ln(replication)} so scores stay roughly calibrated. Balancing fits the bulk of the
 * fraud well (AUC) but ranks the top of the list worse (AP, card precision): on the Handbook protocol it cost 0.06
 * to 0.09 AP (docs/TRAINER.md), so it is off by default. The L2 {@code lambda} is the one of the
 * grid with the best validation average precision (ties: the larger lambda); the threshold alerts on the alert
 * budget of the validation rows.
 *
 * <p>Row budget: when the training rows hold more than {@code maxNegatives} genuine rows, the fit sees every fraud
 * row and a seeded uniform sample of {@code maxNegatives} genuine ones (negative subsampling: the sampling rate
 * {@code r} enters the intercept correction, {@code -ln(replication / r)}, so the scores keep the scale of a fit on
 * all rows; ranking, AP and the threshold do not depend on it). The grid's lambdas are fitted in parallel, one
 * per core. Standardization, validation figures and the threshold always use every row.
 *
 * <p>Honest caveat: lambda, threshold and the reported validation figures all come from the same validation
 * window, so those figures are slightly optimistic; the gates compare models on that same slice, which is fair
 * between them.
 */
public final class ClassifierTrainer {
    /** The progress stage of the lambda grid. */
    public static final String LAMBDAS_TASK = "classifier lambdas";
    private static final Logger LOG = LoggerFactory.getLogger(ClassifierTrainer.class);

    /** The fitted classifier and its figures. */
    public record Result(double[] means, double[] stds, double intercept, double[] coefficients, double lambda,
            int replication, double threshold, Metrics.Figures train, Metrics.Figures validation,
            Map<Double, Double> validationApByLambda, long millis, int fitNegatives, long fitMillis,
            long thresholdMillis) {}

    /** Genuine training rows the fit sees at most (see the class comment); 0 = all. */
    public static final int DEFAULT_MAX_NEGATIVES = 100_000;

    private final double[] lambdas;
    private final double alertBudget;
    private final int maxNegatives;
    private final long seed;
    private final ClassWeight classWeight;

    /** How the fit weighs fraud rows against genuine ones. */
    public enum ClassWeight {
        /** Every row once (plain maximum likelihood). */
        NONE,
        /** Fraud rows replicated until the classes weigh the same. */
        BALANCED;

        /** From a command-line value ({@code none} or {@code balanced}); names the setting when it is neither. */
        public static ClassWeight parse(String setting, String value) {
            for (ClassWeight w : values()) {
                if (w.name().equalsIgnoreCase(value == null ? "" : value.trim())) {
                    return w;
                }
            }
            throw new IllegalArgumentException(setting + " must be none or balanced, was '" + value + "'");
        }
    }

    public ClassifierTrainer(double[] lambdas, double alertBudget) {
        this(lambdas, alertBudget, DEFAULT_MAX_NEGATIVES, 42L);
    }

    /** With the default class weights ({@link ClassWeight#NONE}). */
    public ClassifierTrainer(double[] lambdas, double alertBudget, int maxNegatives, long seed) {
        this(lambdas, alertBudget, maxNegatives, seed, ClassWeight.NONE);
    }

    /**
     * @param maxNegatives genuine rows the fit sees at most (seeded sample); 0 fits on every row
     * @param seed the sample's seed
     * @param classWeight how fraud rows weigh against genuine ones
     */
    public ClassifierTrainer(double[] lambdas, double alertBudget, int maxNegatives, long seed,
            ClassWeight classWeight) {
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
        if (maxNegatives < 0) {
            throw new IllegalArgumentException("trainer.classifier-negatives must be >= 0, was " + maxNegatives);
        }
        this.lambdas = lambdas.clone();
        this.alertBudget = alertBudget;
        this.maxNegatives = maxNegatives;
        this.seed = seed;
        this.classWeight = java.util.Objects.requireNonNull(classWeight, "classWeight");
    }

    public Result fit(FeatureTable.Rows train, FeatureTable.Rows validation) {
        return fit(train, validation, Progress.silent());
    }

    /** As {@link #fit(FeatureTable.Rows, FeatureTable.Rows)}, reporting each lambda fitted and scored. */
    public Result fit(FeatureTable.Rows train, FeatureTable.Rows validation, Progress progress) {
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
        boolean[] keep = sampleNegatives(train.y(), negatives);
        int fitNegatives = maxNegatives > 0 && negatives > maxNegatives ? maxNegatives : negatives;
        double rate = (double) fitNegatives / negatives;
        int replicate = classWeight == ClassWeight.NONE ? 1
                : Math.max(1, (int) Math.round((double) fitNegatives / positives));
        double shift = -Math.log(replicate / rate);
        double[][] z = new double[fitNegatives + positives * replicate][];
        int[] y = new int[z.length];
        int row = 0;
        for (int i = 0; i < train.size(); i++) {
            if (!train.y()[i] && !keep[i]) {
                continue;
            }
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
        long tFit = System.nanoTime();
        LOG.info("Classifier: fitting {} lambdas on {} rows ({} of {} genuine, {} fraud x{}), {} features", lambdas.length,
                z.length, fitNegatives, negatives, positives, replicate, p);
        // Independent fits on read-only arrays: one per core. Results are taken in grid order, so the choice
        // does not depend on which fit finishes first.
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(sortedLambdas.length,
                Runtime.getRuntime().availableProcessors())), r -> {
                    Thread t = new Thread(r, "classifier-fit");
                    t.setDaemon(true);
                    return t;
                });
        List<Future<double[]>> fits = new ArrayList<>();
        try {
            for (int li = sortedLambdas.length - 1; li >= 0; li--) { // largest first: ties keep the larger
                double lambda = sortedLambdas[li];
                fits.add(pool.submit(() -> {
                    long t = System.nanoTime();
                    double[] w = LogisticRegression.binomial(z, y, lambda, 1e-5, 500).coefficients();
                    LOG.info("Classifier lambda {} fitted in {} ms", lambda, (System.nanoTime() - t) / 1_000_000);
                    return w;
                }));
            }
            for (int i = 0; i < fits.size(); i++) {
                double lambda = sortedLambdas[sortedLambdas.length - 1 - i];
                double[] w = get(fits.get(i));
                double[] s = scores(zValid, w, p, shift);
                double ap = RankingMetrics.averagePrecision(s, validation.y());
                apByLambda.put(lambda, ap);
                LOG.info("Classifier lambda {}: validation AP {}", lambda, String.format(Locale.ROOT, "%.4f", ap));
                progress.tick(LAMBDAS_TASK, i + 1, fits.size());
                if (ap > bestAp) {
                    bestAp = ap;
                    bestLambda = lambda;
                    best = w;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        progress.done(LAMBDAS_TASK, fits.size());
        long fitMillis = (System.nanoTime() - tFit) / 1_000_000;
        long tThreshold = System.nanoTime();
        double intercept = best[p] + shift;
        double[] coefficients = Arrays.copyOf(best, p);
        double[] validScores = scores(zValid, best, p, shift);
        double threshold = RankingMetrics.thresholdForBudget(validScores, alertBudget);
        long thresholdMillis = (System.nanoTime() - tThreshold) / 1_000_000;
        double[][] zTrain = new double[train.size()][];
        for (int i = 0; i < zTrain.length; i++) {
            zTrain[i] = standardize(train.x()[i], means, stds);
        }
        double[] trainScores = scores(zTrain, best, p, shift);
        LOG.info("Classifier: fits {} ms, threshold {} ms", fitMillis, thresholdMillis);
        return new Result(means, stds, intercept, coefficients, bestLambda, replicate, threshold,
                Metrics.figures(trainScores, train.y(), threshold), Metrics.figures(validScores, validation.y(),
                        threshold), apByLambda, (System.nanoTime() - t0) / 1_000_000, fitNegatives, fitMillis,
                thresholdMillis);
    }

    /** Which genuine rows the fit keeps: all within the budget, else a seeded uniform sample of exactly the budget. */
    private boolean[] sampleNegatives(boolean[] fraud, int negatives) {
        boolean[] keep = new boolean[fraud.length];
        int[] idx = new int[negatives];
        int n = 0;
        for (int i = 0; i < fraud.length; i++) {
            if (!fraud[i]) {
                idx[n++] = i;
            }
        }
        int take = maxNegatives > 0 && negatives > maxNegatives ? maxNegatives : negatives;
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < take; i++) { // partial Fisher-Yates: the first `take` are a uniform sample
            int j = i + rnd.nextInt(negatives - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            keep[idx[i]] = true;
        }
        return keep;
    }

    private static double[] get(Future<double[]> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fitting the classifier", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("classifier fit failed", e.getCause());
        }
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
