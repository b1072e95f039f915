package io.fraudstream.job.scoring;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelRejectedException;
import io.fraudstream.model.TrainingData;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Small deterministic models for operator tests: bootstrap extractor weights and a hand-set
 * classifier that rises with amount and night time. A descriptor whose location starts with
 * "pop:" is a model with point-of-purchase features ({@link #model(String, double, int, boolean)}); an initial
 * version starting with "pop-" is one too;
 * "forged:" is a descriptor whose decision signature does not verify;
 * "refuse:" is refused with the reason that follows, as the real loader would refuse a tampered bundle;
 * "seed:N" is a model whose extractor weights are the bootstrap weights of seed N (new weights, which the card
 * histories need nothing recomputed for: they hold model-independent tokens), where the others share seed 7.
 */
public final class TestModels {

    private TestModels() {}

    public static FraudModel model(String version, double threshold, int window) {
        return model(version, threshold, window, false);
    }

    /**
     * With {@code pointOfPurchase}, the feature vector ends with the point-of-purchase block and the merchant's
     * frauds over 7 days weigh heavily (3 per log1p of the count).
     */
    public static FraudModel model(String version, double threshold, int window, boolean pointOfPurchase) {
        return model(version, threshold, window, pointOfPurchase, 7);
    }

    /** As {@link #model(String, double, int, boolean)}, with the bootstrap extractor weights of {@code seed}. */
    public static FraudModel model(String version, double threshold, int window, boolean pointOfPurchase,
            long seed) {
        Map<String, Double> weights = new java.util.LinkedHashMap<>(Map.of("log1p_amount", 1.5, "night_time", 2.0));
        if (pointOfPurchase) {
            weights.put("pop_merchant_frauds_7d", 3.0);
        }
        return model(version, threshold, window, seed, pointOfPurchase
                ? io.fraudstream.model.FeatureBlock.of(io.fraudstream.model.FeatureBlock.POINT_OF_PURCHASE)
                : io.fraudstream.model.FeatureBlock.none(), weights);
    }

    /** A model of {@code blocks} whose coefficients are {@code weights} by feature name, 0 elsewhere. */
    static FraudModel model(String version, double threshold, int window, long seed,
            java.util.Set<io.fraudstream.model.FeatureBlock> blocks, Map<String, Double> weights) {
        ExtractorConfig config = ExtractorConfig.builder().window(window).build();
        List<String> list = io.fraudstream.model.FeatureBlock.featureNames(
                Arrays.asList(FeatureExtractor.featureNames(config.dim())), blocks);
        double[] means = new double[list.size()];
        double[] stds = new double[list.size()];
        Arrays.fill(stds, 1.0);
        double[] coef = new double[list.size()];
        weights.forEach((name, w) -> coef[list.indexOf(name)] = w);
        ExtractorWeights extractorWeights = ExtractorWeights.bootstrap(config, seed);
        return FraudModel.builder()
                .version(version)
                .createdAt(Instant.parse("2026-11-29T00:00:00Z"))
                .trainingData(new TrainingData("test", Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH))
                .featureNames(list)
                .extractor(config, extractorWeights)
                .scaler(means, stds)
                .classifier(-9.0, coef)
                .threshold(threshold)
                .metrics(Map.of())
                .properties(Map.of())
                .build();
    }

    /**
     * A model with every optional block (point-of-purchase counts, fraud ratios, card windows): amount 1.5 per
     * log1p, night 2, the merchant's 7-day fraud ratio 2, the amount over the card's 30-day mean 1 per unit.
     */
    public static FraudModel withAllBlocks(String version, double threshold, int window) {
        return model(version, threshold, window, 7,
                io.fraudstream.model.FeatureBlock.of(io.fraudstream.model.FeatureBlock.values()),
                Map.of("log1p_amount", 1.5, "night_time", 2.0, "pop_merchant_fraud_ratio_7d", 2.0,
                        "card_amount_over_mean_30d", 1.0));
    }

    public static ModelDescriptor descriptor(String version, ModelRole role) {
        return descriptor(version, role, "test:" + version);
    }

    /** Each descriptor is issued after the one before, as a registry would issue them. */
    private static final java.util.concurrent.atomic.AtomicLong ISSUED =
            new java.util.concurrent.atomic.AtomicLong(Instant.parse("2026-11-29T00:00:00Z").toEpochMilli());

    /**
     * A descriptor issued now (after every descriptor made before); the fake repository accepts its decision unless
     * the location starts with "forged:".
     */
    public static ModelDescriptor descriptor(String version, ModelRole role, String location) {
        return ModelDescriptor.newBuilder()
                .setIssuedAt(Instant.ofEpochMilli(ISSUED.incrementAndGet()))
                .setDecisionSignature("test")
                .setModelVersion(version)
                .setLocation(location)
                .setSha256("00")
                .setSignature("AA==")
                .setRole(role)
                .setCreatedAt(Instant.parse("2026-11-29T00:00:00Z"))
                .build();
    }

    /** Builds models from their descriptors; no files involved. */
    public record Factory(String initialVersion, double threshold, int window) implements ModelRepository.Factory {
        @Override
        public ModelRepository open() {
            return new ModelRepository() {
                @Override
                public ModelDescriptor initialChampion() {
                    return initialVersion.startsWith("pop-")
                            ? descriptor(initialVersion, ModelRole.CHAMPION, "pop:" + initialVersion)
                            : initialVersion.startsWith("blocks-")
                            ? descriptor(initialVersion, ModelRole.CHAMPION, "blocks:" + initialVersion)
                            : descriptor(initialVersion, ModelRole.CHAMPION);
                }

                @Override
                public void verifyDecision(ModelDescriptor d) throws ModelRejectedException {
                    if (d.getLocation().startsWith("forged:")) {
                        throw new ModelRejectedException(ModelRejectedException.Reason.DECISION_SIGNATURE,
                                "test forgery");
                    }
                }

                @Override
                public FraudModel load(ModelDescriptor d) throws ModelRejectedException {
                    if (d.getLocation().startsWith("refuse:")) {
                        throw new ModelRejectedException(
                                ModelRejectedException.Reason.valueOf(d.getLocation().substring(7)), "test refusal");
                    }
                    if (d.getLocation().startsWith("seed:")) {
                        return model(d.getModelVersion(), threshold, window, false,
                                Long.parseLong(d.getLocation().substring(5)));
                    }
                    if (d.getLocation().startsWith("blocks:")) {
                        return withAllBlocks(d.getModelVersion(), threshold, window);
                    }
                    return model(d.getModelVersion(), threshold, window, d.getLocation().startsWith("pop:"));
                }
            };
        }
    }
}
