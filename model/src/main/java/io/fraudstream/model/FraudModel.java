package io.fraudstream.model;

import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.TokenEncoder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One fraud model: the sparse-attention extractor's configuration and weights, and a standardized logistic
 * regression over the extractor's features:
 * {@code score(x) = sigmoid(b + sum_i w_i * (x_i - mu_i) / sigma_i)}.
 *
 * <p>Immutable and safe to share read-only across threads (all arrays are private copies). What is not
 * thread-safe is the {@link FeatureExtractor}: take one per thread or subtask with {@link #newExtractor()}.
 * {@link #score} and {@link #contributions} allocate nothing.
 *
 * <p>Every instance is consistent: the feature names are exactly the extractor's for this configuration (optionally
 * followed by {@link FeatureBlock}s, {@link #blocks()}),
 * all arrays have one entry per feature, every number is finite, standard deviations are positive, and the
 * threshold is in [0, 1]. Times are kept to the millisecond (what the bundle stores).
 */
public final class FraudModel {
    private final String version;
    private final Instant createdAt;
    private final TrainingData trainingData;
    private final List<String> featureNames;
    private final ExtractorConfig extractorConfig;
    private final ExtractorWeights extractorWeights;
    private final double[] means;
    private final double[] stds;
    private final double intercept;
    private final double[] coefficients;
    private final double threshold;
    private final Map<String, Double> metrics;
    private final Map<String, String> properties;
    private final Set<FeatureBlock> blocks;

    private FraudModel(Builder b) {
        this.version = ModelVersions.requireValid(b.version);
        this.createdAt = Objects.requireNonNull(b.createdAt, "createdAt").truncatedTo(ChronoUnit.MILLIS);
        this.trainingData = Objects.requireNonNull(b.trainingData, "trainingData");
        this.extractorConfig = Objects.requireNonNull(b.extractorConfig, "extractorConfig");
        this.extractorWeights = Objects.requireNonNull(b.extractorWeights, "extractorWeights");
        ExtractorWeights w = extractorWeights;
        ExtractorConfig c = extractorConfig;
        if (w.dim() != c.dim() || w.heads() != c.heads() || w.tokenWidth() != TokenEncoder.WIDTH) {
            throw new IllegalArgumentException("extractor weights (d=" + w.dim() + ", heads=" + w.heads() + ", F="
                    + w.tokenWidth() + ") do not fit the configuration (d=" + c.dim() + ", heads=" + c.heads()
                    + ", F=" + TokenEncoder.WIDTH + ")");
        }
        List<String> extractorNames = Arrays.asList(FeatureExtractor.featureNames(c.dim()));
        Objects.requireNonNull(b.featureNames, "featureNames");
        this.blocks = FeatureBlock.parse(extractorNames, b.featureNames);
        if (blocks == null) {
            throw new IllegalArgumentException("feature names " + describe(b.featureNames)
                    + " differ from the extractor's " + describe(extractorNames)
                    + " (optionally followed by the feature blocks " + FeatureBlock.known() + " in that order)");
        }
        this.featureNames = List.copyOf(b.featureNames);
        int n = featureNames.size();
        this.means = checkVector("means", b.means, n);
        this.stds = checkVector("stds", b.stds, n);
        for (int i = 0; i < n; i++) {
            if (!(stds[i] > 0)) {
                throw new IllegalArgumentException("stds[" + i + "] (" + featureNames.get(i) + ") must be > 0, was "
                        + stds[i]);
            }
        }
        this.coefficients = checkVector("coefficients", b.coefficients, n);
        if (!Double.isFinite(b.intercept)) {
            throw new IllegalArgumentException("intercept must be finite, was " + b.intercept);
        }
        this.intercept = b.intercept;
        if (!(b.threshold >= 0 && b.threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in [0, 1], was " + b.threshold);
        }
        this.threshold = b.threshold;
        TreeMap<String, Double> m = new TreeMap<>();
        b.metrics.forEach((k, v) -> {
            if (k == null || v == null || Double.isInfinite(v)) {
                throw new IllegalArgumentException("metric " + k + " must be named and not infinite, was " + v);
            }
            m.put(k, v);
        });
        this.metrics = Collections.unmodifiableMap(m);
        TreeMap<String, String> p = new TreeMap<>();
        b.properties.forEach((k, v) -> p.put(Objects.requireNonNull(k, "property name"),
                Objects.requireNonNull(v, "property " + k)));
        this.properties = Collections.unmodifiableMap(p);
    }

    private static double[] checkVector(String name, double[] v, int n) {
        Objects.requireNonNull(v, name);
        if (v.length != n) {
            throw new IllegalArgumentException(name + " has " + v.length + " entries, the model has " + n
                    + " features");
        }
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(v[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] is not finite: " + v[i]);
            }
        }
        return v.clone();
    }

    private static String describe(List<String> names) {
        return names.size() + " names " + (names.size() <= 6 ? names.toString()
                : names.subList(0, 3) + "..." + names.subList(names.size() - 2, names.size()));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this model's values, e.g. to re-tag a retrained classifier. */
    public Builder toBuilder() {
        return builder().version(version).createdAt(createdAt).trainingData(trainingData)
                .featureNames(featureNames).extractor(extractorConfig, extractorWeights).scaler(means, stds)
                .classifier(intercept, coefficients).threshold(threshold).metrics(metrics).properties(properties);
    }

    public String version() { return version; }
    public Instant createdAt() { return createdAt; }
    public TrainingData trainingData() { return trainingData; }
    /** Classifier inputs in order; equal to {@code newExtractor().featureNames()}. */
    public List<String> featureNames() { return featureNames; }
    public int featureCount() { return means.length; }

    /**
     * Whether the model needs the transaction's point-of-purchase counts ({@link FeatureBlock#POINT_OF_PURCHASE},
     * which {@link FeatureBlock#POP_RATIOS} implies): the job must then run with point-of-purchase features on.
     */
    public boolean usesPointOfPurchase() { return blocks.contains(FeatureBlock.POINT_OF_PURCHASE); }

    /** The optional feature blocks after the extractor's features, read off the feature names. */
    public Set<FeatureBlock> blocks() { return blocks; }

    /** How many leading features the extractor computes. */
    public int extractorFeatureCount() { return featureCount() - FeatureBlock.count(blocks); }
    public ExtractorConfig extractorConfig() { return extractorConfig; }
    public ExtractorWeights extractorWeights() { return extractorWeights; }
    public double[] means() { return means.clone(); }
    public double[] stds() { return stds.clone(); }
    public double intercept() { return intercept; }
    public double[] coefficients() { return coefficients.clone(); }
    /** Alert when {@code score >= threshold()}. */
    public double threshold() { return threshold; }
    /** Sorted by name, e.g. {@code validation.auc}. */
    public Map<String, Double> metrics() { return metrics; }
    /** Free-form provenance, sorted by name. */
    public Map<String, String> properties() { return properties; }

    /** A new extractor for this model; thread-confined, so one per thread or subtask. */
    public FeatureExtractor newExtractor() {
        return new FeatureExtractor(extractorConfig, extractorWeights);
    }

    /** The log-odds {@code b + sum_i w_i z_i}; {@code features} holds at least {@link #featureCount()} values. */
    public double logit(float[] features) {
        checkLength(features.length);
        double s = intercept;
        for (int i = 0; i < coefficients.length; i++) {
            s += coefficients[i] * ((features[i] - means[i]) / stds[i]);
        }
        return s;
    }

    /** Fraud probability in [0, 1]; allocation-free. */
    public double score(float[] features) {
        return sigmoid(logit(features));
    }

    public boolean isAlert(double score) {
        return score >= threshold;
    }

    /**
     * Per-feature contributions to the log-odds, {@code out[i] = w_i * z_i}, for explanations; their sum plus
     * {@link #intercept()} is {@link #logit}. Allocation-free.
     */
    public void contributions(float[] features, double[] out) {
        checkLength(features.length);
        if (out.length < coefficients.length) {
            throw new IllegalArgumentException("out has " + out.length + " slots, need " + coefficients.length);
        }
        for (int i = 0; i < coefficients.length; i++) {
            out[i] = coefficients[i] * ((features[i] - means[i]) / stds[i]);
        }
    }

    static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }

    private void checkLength(int length) {
        if (length < coefficients.length) {
            throw new IllegalArgumentException("features has " + length + " values, the model needs "
                    + coefficients.length);
        }
    }

    /** Same version, data, weights and classifier (arrays compared bit for bit). */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FraudModel)) {
            return false;
        }
        FraudModel m = (FraudModel) o;
        return version.equals(m.version) && createdAt.equals(m.createdAt) && trainingData.equals(m.trainingData)
                && extractorConfig.toString().equals(m.extractorConfig.toString())
                && extractorWeights.equals(m.extractorWeights) && Arrays.equals(means, m.means)
                && Arrays.equals(stds, m.stds) && Double.compare(intercept, m.intercept) == 0
                && Arrays.equals(coefficients, m.coefficients) && Double.compare(threshold, m.threshold) == 0
                && metrics.equals(m.metrics) && properties.equals(m.properties);
    }

    @Override
    public int hashCode() {
        return version.hashCode() * 31 + Arrays.hashCode(coefficients);
    }

    @Override
    public String toString() {
        return "FraudModel{" + version + ", " + featureCount() + " features, threshold=" + threshold + ", "
                + extractorConfig + ", weights=" + extractorWeights.modelVersion() + "}";
    }

    /** Builder; every value is required except metrics and properties (empty by default). */
    public static final class Builder {
        private String version;
        private Instant createdAt;
        private TrainingData trainingData;
        private List<String> featureNames;
        private ExtractorConfig extractorConfig;
        private ExtractorWeights extractorWeights;
        private double[] means;
        private double[] stds;
        private double intercept = Double.NaN;
        private double[] coefficients;
        private double threshold = Double.NaN;
        private Map<String, Double> metrics = Map.of();
        private Map<String, String> properties = Map.of();

        private Builder() {}

        public Builder version(String v) { version = v; return this; }
        public Builder createdAt(Instant v) { createdAt = v; return this; }
        public Builder trainingData(TrainingData v) { trainingData = v; return this; }
        public Builder featureNames(List<String> v) { featureNames = v == null ? null : List.copyOf(v); return this; }
        public Builder extractor(ExtractorConfig config, ExtractorWeights weights) {
            extractorConfig = config;
            extractorWeights = weights;
            return this;
        }
        public Builder scaler(double[] means, double[] stds) { this.means = means; this.stds = stds; return this; }
        public Builder classifier(double intercept, double[] coefficients) {
            this.intercept = intercept;
            this.coefficients = coefficients;
            return this;
        }
        public Builder threshold(double v) { threshold = v; return this; }
        public Builder metrics(Map<String, Double> v) { metrics = Objects.requireNonNull(v, "metrics"); return this; }
        public Builder properties(Map<String, String> v) {
            properties = Objects.requireNonNull(v, "properties");
            return this;
        }

        /** Validates (see the class comment); throws {@link IllegalArgumentException} naming the problem. */
        public FraudModel build() {
            return new FraudModel(this);
        }
    }
}
