package io.fraudstream.trainer.bootstrap;

import smile.math.BFGS;
import smile.math.DifferentiableMultivariateFunction;

/**
 * Weighted, L2-regularised binomial logistic regression, minimised by Smile's L-BFGS ({@link BFGS}, memory 5,
 * the optimiser {@code LogisticRegression.binomial} uses) over an objective computed here.
 *
 * <p>Why not {@code LogisticRegression.binomial} itself: it sums the loss over a parallel stream, whose split
 * (and so the floating-point summation order) depends on the common pool's parallelism, i.e. the machine's
 * core count. Here the loss and gradient are plain sequential loops and use {@link StrictMath}, and L-BFGS is
 * sequential, so the same rows give bit-identical coefficients on any machine and JVM. The objective is
 * Smile's (intercept not penalised), with a weight per row instead of replicated rows:
 * {@code sum_i w_i [log(1 + e^eta_i) - y_i eta_i] + lambda/2 |beta|^2}, {@code eta_i = beta . x_i + b}.
 */
final class LogisticFit {
    private LogisticFit() {}

    /**
     * @param x rows of p standardized features
     * @param y 0 or 1 per row
     * @param weight per row, > 0
     * @return p coefficients, then the intercept
     */
    static double[] fit(double[][] x, int[] y, double[] weight, double lambda, double tolerance, int maxIterations) {
        if (x.length == 0 || x.length != y.length || x.length != weight.length) {
            throw new IllegalArgumentException("need as many labels and weights as rows, and at least one row");
        }
        double[] w = new double[x[0].length + 1];
        BFGS.minimize(new Objective(x, y, weight, lambda), 5, w, tolerance, maxIterations);
        return w;
    }

    static final class Objective implements DifferentiableMultivariateFunction {
        private static final long serialVersionUID = 1L;
        private final double[][] x;
        private final int[] y;
        private final double[] weight;
        private final double lambda;
        private final int p;

        Objective(double[][] x, int[] y, double[] weight, double lambda) {
            this.x = x;
            this.y = y;
            this.weight = weight;
            this.lambda = lambda;
            this.p = x[0].length;
        }

        @Override
        public double f(double[] w) {
            double f = 0;
            for (int i = 0; i < x.length; i++) {
                double eta = eta(x[i], w);
                f += weight[i] * (log1pe(eta) - y[i] * eta);
            }
            return f + penalty(w);
        }

        @Override
        public double g(double[] w, double[] gradient) {
            java.util.Arrays.fill(gradient, 0.0);
            double f = 0;
            for (int i = 0; i < x.length; i++) {
                double[] xi = x[i];
                double eta = eta(xi, w);
                f += weight[i] * (log1pe(eta) - y[i] * eta);
                double err = weight[i] * (sigmoid(eta) - y[i]);
                for (int j = 0; j < p; j++) {
                    gradient[j] += err * xi[j];
                }
                gradient[p] += err;
            }
            for (int j = 0; j < p; j++) {
                gradient[j] += lambda * w[j];
            }
            return f + penalty(w);
        }

        private double eta(double[] xi, double[] w) {
            double s = w[p];
            for (int j = 0; j < p; j++) {
                s += w[j] * xi[j];
            }
            return s;
        }

        private double penalty(double[] w) {
            double s = 0;
            for (int j = 0; j < p; j++) {
                s += w[j] * w[j];
            }
            return 0.5 * lambda * s;
        }
    }

    /** log(1 + e^eta) without overflow. */
    static double log1pe(double eta) {
        return eta > 0 ? eta + StrictMath.log1p(StrictMath.exp(-eta)) : StrictMath.log1p(StrictMath.exp(eta));
    }

    static double sigmoid(double eta) {
        if (eta >= 0) {
            return 1.0 / (1.0 + StrictMath.exp(-eta));
        }
        double e = StrictMath.exp(eta);
        return e / (1.0 + e);
    }
}
