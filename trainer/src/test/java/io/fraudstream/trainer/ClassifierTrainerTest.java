package io.fraudstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The classifier's row budget: a fit on every fraud row and a sample of the genuine ones recovers the model a fit on
 * all rows finds (known logistic ground truth), including the intercept, which only the sampling-rate correction
 * puts back on scale.
 */
class ClassifierTrainerTest {
    /** Rows of a known model: logit = -3.5 + 2 x0 - 1 x1 + 0 x2, standard normal features (about 6% fraud). */
    static FeatureTable.Rows rows(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] x = new float[n][3];
        boolean[] y = new boolean[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                x[i][j] = (float) gaussian(rnd);
            }
            double logit = -3.5 + 2 * x[i][0] - x[i][1];
            y[i] = rnd.nextDouble() < 1 / (1 + Math.exp(-logit));
        }
        return new FeatureTable.Rows(x, y);
    }

    static double gaussian(SplittableRandom rnd) {
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    /** Coefficient of feature j on the original (unstandardized) scale. */
    static double raw(ClassifierTrainer.Result r, int j) {
        return r.coefficients()[j] / r.stds()[j];
    }

    static double rawIntercept(ClassifierTrainer.Result r) {
        double b = r.intercept();
        for (int j = 0; j < r.coefficients().length; j++) {
            b -= r.coefficients()[j] * r.means()[j] / r.stds()[j];
        }
        return b;
    }

    @Test
    void aSampleOfTheGenuineRowsFindsTheModelOfAllRows() {
        FeatureTable.Rows train = rows(40_000, 1);
        FeatureTable.Rows validation = rows(10_000, 2);
        int negatives = train.size() - train.positives();
        double[] lambdas = {0.01};
        ClassifierTrainer.Result all = new ClassifierTrainer(lambdas, 0.05, 0, 42).fit(train, validation);
        ClassifierTrainer.Result sampled = new ClassifierTrainer(lambdas, 0.05, 8_000, 42).fit(train, validation);

        assertThat(all.fitNegatives()).isEqualTo(negatives);
        assertThat(sampled.fitNegatives()).isEqualTo(8_000);
        // Both recover the true model (-3.5, 2, -1, 0); sampling costs a little precision, not bias. Without the
        // sampling-rate correction the intercept would be off by ln(8000 / negatives), about -1.5.
        for (ClassifierTrainer.Result r : new ClassifierTrainer.Result[] {all, sampled}) {
            assertThat(rawIntercept(r)).isCloseTo(-3.5, within(0.25));
            assertThat(raw(r, 0)).isCloseTo(2.0, within(0.2));
            assertThat(raw(r, 1)).isCloseTo(-1.0, within(0.2));
            assertThat(raw(r, 2)).isCloseTo(0.0, within(0.15));
        }
        assertThat(rawIntercept(sampled)).isCloseTo(rawIntercept(all), within(0.25));
        assertThat(sampled.validation().averagePrecision()).isCloseTo(all.validation().averagePrecision(),
                within(0.02));
    }

    @Test
    void theSampleIsSeededAndTheLambdaChoiceDoesNotDependOnFitOrder() {
        FeatureTable.Rows train = rows(20_000, 3);
        FeatureTable.Rows validation = rows(5_000, 4);
        double[] lambdas = {0.1, 1, 10, 100};
        ClassifierTrainer.Result a = new ClassifierTrainer(lambdas, 0.05, 5_000, 7).fit(train, validation);
        ClassifierTrainer.Result b = new ClassifierTrainer(lambdas, 0.05, 5_000, 7).fit(train, validation);
        ClassifierTrainer.Result c = new ClassifierTrainer(lambdas, 0.05, 5_000, 8).fit(train, validation);

        assertThat(a.coefficients()).containsExactly(b.coefficients());
        assertThat(a.lambda()).isEqualTo(b.lambda());
        assertThat(a.validationApByLambda()).isEqualTo(b.validationApByLambda()).containsOnlyKeys(0.1, 1.0, 10.0,
                100.0);
        assertThat(c.coefficients()).isNotEqualTo(a.coefficients()); // another seed, another sample
    }

    @Test
    void unweightedIsTheDefaultAndBalancedReplicatesTheFraudRowsYetBothRecoverTheSlopes() {
        FeatureTable.Rows train = rows(30_000, 5);
        FeatureTable.Rows validation = rows(5_000, 6);
        double[] lambdas = {0.01};
        ClassifierTrainer.Result plain = new ClassifierTrainer(lambdas, 0.05, 0, 42).fit(train, validation);
        ClassifierTrainer.Result none = new ClassifierTrainer(lambdas, 0.05, 0, 42,
                ClassifierTrainer.ClassWeight.NONE).fit(train, validation);
        ClassifierTrainer.Result balanced = new ClassifierTrainer(lambdas, 0.05, 0, 42,
                ClassifierTrainer.ClassWeight.BALANCED).fit(train, validation);
        assertThat(plain.coefficients()).containsExactly(none.coefficients());
        assertThat(none.replication()).isEqualTo(1);
        int negatives = train.size() - train.positives();
        assertThat(balanced.replication()).isEqualTo(Math.round((float) negatives / train.positives()));
        // the model is well specified, so both weightings find its slopes; the intercept shift puts balanced back
        for (ClassifierTrainer.Result r : new ClassifierTrainer.Result[] {none, balanced}) {
            assertThat(raw(r, 0)).isCloseTo(2.0, within(0.2));
            assertThat(raw(r, 1)).isCloseTo(-1.0, within(0.2));
            assertThat(rawIntercept(r)).isCloseTo(-3.5, within(0.3));
        }
        assertThat(ClassifierTrainer.ClassWeight.parse("--class-weight", " Balanced "))
                .isEqualTo(ClassifierTrainer.ClassWeight.BALANCED);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ClassifierTrainer.ClassWeight.parse("--class-weight",
                "heavy")).hasMessageContaining("--class-weight");
    }
}
