package io.fraudstream.model;

import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.features.FeatureExtractor;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/** Small hand-made models for tests: bootstrap extractor weights and a seeded random classifier. */
final class TestModels {
    static final ExtractorConfig SMALL = ExtractorConfig.builder().window(64).k(8).heads(2).dim(8).build();

    private TestModels() {}

    static FraudModel model(String version, long seed) {
        return model(version, seed, SMALL);
    }

    static FraudModel model(String version, long seed, ExtractorConfig config) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = FeatureExtractor.featureNames(config.dim()).length;
        double[] means = new double[n];
        double[] stds = new double[n];
        double[] coef = new double[n];
        for (int i = 0; i < n; i++) {
            means[i] = r.nextDouble(-3, 3);
            stds[i] = r.nextDouble(0.1, 5);
            coef[i] = r.nextGaussian() * 0.5;
        }
        return FraudModel.builder()
                .version(version)
                .createdAt(Instant.parse("2026-11-29T10:30:00.123Z"))
                .trainingData(new TrainingData("test seed " + seed, Instant.parse("2026-09-01T00:00:00Z"),
                        Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-11-08T00:00:00Z"),
                        Instant.parse("2026-11-22T00:00:00Z")))
                .featureNames(Arrays.asList(FeatureExtractor.featureNames(config.dim())))
                .extractor(config, ExtractorWeights.bootstrap(config, seed))
                .scaler(means, stds)
                .classifier(r.nextGaussian(), coef)
                .threshold(0.8)
                .metrics(Map.of("validation.auc", 0.91, "validation.averagePrecision", 0.42))
                .properties(Map.of("trainer", "test"))
                .build();
    }
}
