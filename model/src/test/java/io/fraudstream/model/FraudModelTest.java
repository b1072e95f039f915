package io.fraudstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.fraudstream.features.CardHistory;
import io.fraudstream.features.Channel;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.RawTransaction;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import smile.classification.LogisticRegression;

class FraudModelTest {

    @Test
    void scoreEqualsSmilesPosterioriOnStandardizedInputs() {
        ExtractorConfig config = TestModels.SMALL;
        int p = FeatureExtractor.featureNames(config.dim()).length;
        SplittableRandom r = new SplittableRandom(42);
        int n = 2000;
        float[][] raw = new float[n][p];
        int[] y = new int[n];
        double[] trueW = new double[p];
        for (int j = 0; j < p; j++) {
            trueW[j] = r.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            double logit = -1;
            for (int j = 0; j < p; j++) {
                raw[i][j] = (float) (10 * j + r.nextGaussian() * (1 + j));
                logit += trueW[j] * (raw[i][j] - 10 * j) / (1 + j);
            }
            y[i] = r.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
        }
        double[] means = new double[p];
        double[] stds = new double[p];
        for (int j = 0; j < p; j++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += raw[i][j];
            }
            means[j] = s / n;
            double v = 0;
            for (int i = 0; i < n; i++) {
                v += (raw[i][j] - means[j]) * (raw[i][j] - means[j]);
            }
            stds[j] = Math.sqrt(v / (n - 1));
        }
        double[][] z = new double[n][p];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < p; j++) {
                z[i][j] = (raw[i][j] - means[j]) / stds[j];
            }
        }
        LogisticRegression.Binomial smile = LogisticRegression.binomial(z, y, 0.1, 1e-6, 500);
        double[] w = smile.coefficients(); // p weights, then the intercept
        assertThat(w).hasSize(p + 1);
        FraudModel model = TestModels.model("v1", 1).toBuilder()
                .scaler(means, stds)
                .classifier(w[p], Arrays.copyOf(w, p))
                .build();

        double[] posteriori = new double[2];
        double[] contributions = new double[p];
        for (int i = 0; i < n; i += 7) {
            smile.predict(z[i], posteriori);
            assertThat(model.score(raw[i])).isCloseTo(posteriori[1], within(1e-9));
            model.contributions(raw[i], contributions);
            assertThat(model.intercept() + Arrays.stream(contributions).sum())
                    .isCloseTo(model.logit(raw[i]), within(1e-9));
        }
        // and the data were learnable: the fitted direction agrees with the true one
        double dot = 0;
        for (int j = 0; j < p; j++) {
            dot += trueW[j] * w[j];
        }
        assertThat(dot).isPositive();
    }

    @Test
    void extractorFromTheModelProducesItsFeatureNamesAndScoresAHistory() {
        FraudModel model = TestModels.model("v2", 9);
        FeatureExtractor extractor = model.newExtractor();
        assertThat(List.of(extractor.featureNames())).isEqualTo(model.featureNames());
        CardHistory history = CardHistory.create(model.extractorConfig());
        float[] features = new float[model.featureCount()];
        long t = 1_767_225_600_000L;
        for (int i = 0; i < 20; i++) {
            RawTransaction tx = RawTransaction.of("t" + i, t + i * 3_600_000L, 10 + i, "m" + (i % 3), "grocery",
                    Channel.CARD_PRESENT, 48.85, 2.35, 48.86, 2.34);
            extractor.extract(history, tx, features, null);
            double s = model.score(features);
            assertThat(s).isBetween(0.0, 1.0);
            history.add(tx);
        }
        assertThat(model.newExtractor()).isNotSameAs(extractor);
    }

    @Test
    void rejectsInconsistentModels() {
        FraudModel ok = TestModels.model("v3", 3);
        int n = ok.featureCount();
        assertThatThrownBy(() -> ok.toBuilder().classifier(0, new double[n - 1]).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("coefficients has");
        double[] stds = ok.stds();
        stds[2] = -1;
        assertThatThrownBy(() -> ok.toBuilder().scaler(ok.means(), stds).build())
                .hasMessageContaining("stds[2]");
        assertThatThrownBy(() -> ok.toBuilder().threshold(Double.NaN).build()).hasMessageContaining("threshold");
        assertThatThrownBy(() -> ok.toBuilder().version("a/b").build()).hasMessageContaining("model version");
        assertThatThrownBy(() -> ok.score(new float[n - 1])).hasMessageContaining("features has");
    }

    @Test
    void accessorsReturnCopies() {
        FraudModel model = TestModels.model("v4", 4);
        double c0 = model.coefficients()[0];
        model.coefficients()[0] = 1e9;
        model.means()[0] = 1e9;
        assertThat(model.coefficients()[0]).isEqualTo(c0);
        assertThat(model.means()[0]).isNotEqualTo(1e9);
        assertThatThrownBy(() -> model.featureNames().set(0, "x")).isInstanceOf(UnsupportedOperationException.class);
    }

    /** The same model with the point-of-purchase block appended (weight 2 on the merchant's frauds over 7 days). */
    static FraudModel withPointOfPurchase(FraudModel m) {
        int n = m.featureCount();
        int p = io.fraudstream.features.pop.PopFeatures.COUNT;
        java.util.List<String> names = new java.util.ArrayList<>(m.featureNames());
        names.addAll(io.fraudstream.features.pop.PopFeatures.NAMES);
        double[] means = java.util.Arrays.copyOf(m.means(), n + p);
        double[] stds = java.util.Arrays.copyOf(m.stds(), n + p);
        java.util.Arrays.fill(stds, n, n + p, 1.0);
        double[] coef = java.util.Arrays.copyOf(m.coefficients(), n + p);
        coef[n + io.fraudstream.features.pop.PopFeatures.MERCHANT_FRAUDS_7D] = 2.0;
        return m.toBuilder().featureNames(names).scaler(means, stds).classifier(m.intercept(), coef).build();
    }

    @Test
    void thePointOfPurchaseBlockMayFollowTheExtractorsFeaturesAndNothingElseMay() {
        FraudModel plain = TestModels.model("v5", 5);
        FraudModel pop = withPointOfPurchase(plain);
        assertThat(plain.usesPointOfPurchase()).isFalse();
        assertThat(pop.usesPointOfPurchase()).isTrue();
        assertThat(pop.extractorFeatureCount()).isEqualTo(plain.featureCount());
        assertThat(pop.featureCount()).isEqualTo(plain.featureCount() + io.fraudstream.features.pop.PopFeatures.COUNT);
        // Same card features, zero point-of-purchase counts: the same score; 14 frauds at the merchant: higher.
        float[] x = new float[pop.featureCount()];
        java.util.Arrays.fill(x, 0.3f);
        java.util.Arrays.fill(x, plain.featureCount(), x.length, 0f);
        assertThat(pop.logit(x)).isEqualTo(plain.logit(x));
        x[plain.featureCount() + io.fraudstream.features.pop.PopFeatures.MERCHANT_FRAUDS_7D] = (float) Math.log1p(14);
        assertThat(pop.logit(x) - plain.logit(x)).isCloseTo(2 * Math.log1p(14), org.assertj.core.data.Offset.offset(1e-5));

        java.util.List<String> reordered = new java.util.ArrayList<>(pop.featureNames());
        java.util.Collections.swap(reordered, plain.featureCount(), plain.featureCount() + 1);
        assertThatThrownBy(() -> pop.toBuilder().featureNames(reordered).build())
                .hasMessageContaining("point-of-purchase");
    }

    @Test
    void aPointOfPurchaseModelSurvivesTheBundleRoundTrip() throws Exception {
        FraudModel pop = withPointOfPurchase(TestModels.model("v6", 6));
        FraudModel back = ModelBundles.read(ModelBundles.toBytes(pop));
        assertThat(back).isEqualTo(pop);
        assertThat(back.usesPointOfPurchase()).isTrue();
    }
}
