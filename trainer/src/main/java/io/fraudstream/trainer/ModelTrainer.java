package io.fraudstream.trainer;

import io.fraudstream.cli.support.Progress;
import io.fraudstream.features.AttentionMode;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.model.FeatureBlock;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelVersions;
import io.fraudstream.model.TrainingData;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run: extractor weights with DJL ({@link AttentionTrainer}), then the full feature vector of every
 * training and validation transaction with the JVM kernel and those weights ({@link FeatureTable}), then the
 * Smile classifier ({@link ClassifierTrainer}); the result is a complete {@link FraudModel} whose metrics and
 * properties record how it was made. Pure computation: publishing is {@link ModelRegistry}'s job.
 */
public final class ModelTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(ModelTrainer.class);

    /** The model and what it took to make it. */
    public record Outcome(FraudModel model, AttentionTrainer.Result attention, ClassifierTrainer.Result classifier,
            long featureMillis, long totalMillis) {}

    private final TrainerSettings settings;
    private final Progress progress;

    public ModelTrainer(TrainerSettings settings) {
        this(settings, Progress.silent());
    }

    /**
     * @param progress reports the long stages (attention epochs, feature-table cards, classifier lambdas): a bar
     *     on a terminal, plain lines otherwise
     */
    public ModelTrainer(TrainerSettings settings, Progress progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public TrainerSettings settings() {
        return settings;
    }

    /**
     * Trains a model named {@code version} (also its extractor weights' version, the name of its weights) on
     * {@code data} with the protocol {@code split}.
     */
    public Outcome train(LabelledData data, TimeSplit split, String version, Instant createdAt) {
        return train(data, split, version, createdAt, null);
    }

    /**
     * Retrains only the classifier over the extractor of {@code keep} (its configuration and weights, weights
     * version included). The attention is not relearned. (The job swaps any new model in without recomputing
     * anything per card: card histories hold tokens that depend on no model's weights.)
     */
    public Outcome trainClassifierOnly(LabelledData data, TimeSplit split, String version, Instant createdAt,
            FraudModel keep) {
        return train(data, split, version, createdAt, keep);
    }

    private Outcome train(LabelledData data, TimeSplit split, String version, Instant createdAt, FraudModel keep) {
        ModelVersions.requireValid(version);
        long t0 = System.nanoTime();
        ExtractorConfig config = keep != null ? keep.extractorConfig() : settings.extractor();
        LOG.info("Training {} on {} ({})", version, data, split);
        AttentionTrainer.Result attention = null;
        ExtractorWeights weights;
        if (keep != null) {
            weights = keep.extractorWeights();
            LOG.info("Extractor kept from {} (weights version {}): classifier only", keep.version(),
                    weights.modelVersion());
        } else if (config.mode() != AttentionMode.NONE && settings.learnAttention()) {
            attention = new AttentionTrainer(config, settings.attention()).train(data, split, version, progress);
            weights = attention.weights();
        } else {
            ExtractorWeights seeded = ExtractorWeights.bootstrap(config, settings.attention().seed());
            weights = new ExtractorWeights(version, seeded.tokenWidth(), seeded.queryWeights(), seeded.keyWeights(),
                    seeded.valueWeights(), seeded.alpha(), seeded.beta());
        }
        long tf = System.nanoTime();
        Set<FeatureBlock> blocks = settings.blocksFor(data);
        FeatureTable.Split rows = FeatureTable.compute(data, split, config, weights, blocks, progress);
        long featureMillis = (System.nanoTime() - tf) / 1_000_000;
        LOG.info("Features: {} training rows ({} fraud), {} validation rows ({} fraud) in {} ms", rows.train().size(),
                rows.train().positives(), rows.validation().size(), rows.validation().positives(), featureMillis);
        ClassifierTrainer.Result c = new ClassifierTrainer(settings.lambdas(), settings.alertBudget(),
                settings.classifierNegatives(), settings.attention().seed(), settings.classWeight())
                .fit(rows.train(), rows.validation(), progress);

        Map<String, Double> metrics = new LinkedHashMap<>();
        put(metrics, "train", c.train());
        put(metrics, "validation", c.validation());
        metrics.put("classifier.lambda", c.lambda());
        c.validationApByLambda().forEach((l, ap) -> metrics.put("validation.averagePrecision.lambda." + l, ap));
        if (attention != null) {
            metrics.put("attention.lossBefore", attention.initialLoss());
            for (int e = 0; e < attention.epochLoss().length; e++) {
                metrics.put("attention.lossEpoch" + (e + 1), attention.epochLoss()[e]);
            }
            metrics.put("attention.millis", (double) attention.millis());
        }
        metrics.put("features.millis", (double) featureMillis);
        metrics.put("classifier.millis", (double) c.millis());
        metrics.put("classifier.fitNegatives", (double) c.fitNegatives());
        Map<String, String> props = new LinkedHashMap<>();
        props.put("trainer", ModelTrainer.class.getName());
        props.put("seed", Long.toString(settings.attention().seed()));
        props.put("attention", keep != null ? "kept from model " + keep.version() + " (weights version "
                + weights.modelVersion() + ", not relearned)"
                : attention == null ? (config.mode() == AttentionMode.NONE ? "none"
                : "seeded bootstrap projections (not learned)") : String.format(Locale.ROOT,
                "DJL PyTorch, %d epochs, batch %d, lr %s, history <= %d, %d pairs/epoch", settings.attention().epochs(),
                settings.attention().batchSize(), settings.attention().learningRate(), settings.attention().maxHistory(),
                attention.pairsPerEpoch()));
        props.put("classifier", "smile-core LogisticRegression.binomial, lambda " + c.lambda() + " of "
                + Arrays.toString(settings.lambdas()) + " (best validation AP), fit on every fraud row and "
                + c.fitNegatives() + " of " + (c.train().rows() - c.train().frauds()) + " genuine rows (seeded sample),"
                + " class weights " + settings.classWeight().name().toLowerCase(Locale.ROOT) + " (positives"
                + " replicated x" + c.replication() + "), intercept shifted by -ln(replication / genuine sampling rate)");
        props.put("alertBudget", Double.toString(settings.alertBudget()));
        props.put("featureBlocks", FeatureBlock.describe(blocks));
        FraudModel model = FraudModel.builder()
                .version(version)
                .createdAt(createdAt)
                .trainingData(new TrainingData(data.source(), split.trainFrom(), split.trainTo(), split.validationFrom(),
                        split.validationTo()))
                .featureNames(FeatureBlock.featureNames(Arrays.asList(FeatureExtractor.featureNames(config.dim())), blocks))
                .extractor(config, weights)
                .scaler(c.means(), c.stds())
                .classifier(c.intercept(), c.coefficients())
                .threshold(c.threshold())
                .metrics(finite(metrics))
                .properties(props)
                .build();
        long total = (System.nanoTime() - t0) / 1_000_000;
        LOG.info("Trained {}: validation AUC {} AP {} alert rate {} recall {} (lambda {}) in {} ms", version,
                fmt(c.validation().auc()), fmt(c.validation().averagePrecision()), fmt(c.validation().alertRate()),
                fmt(c.validation().recallAtThreshold()), c.lambda(), total);
        return new Outcome(model, attention, c, featureMillis, total);
    }

    private static void put(Map<String, Double> m, String prefix, Metrics.Figures f) {
        m.put(prefix + ".rows", (double) f.rows());
        m.put(prefix + ".frauds", (double) f.frauds());
        m.put(prefix + ".auc", f.auc());
        m.put(prefix + ".averagePrecision", f.averagePrecision());
        m.put(prefix + ".alertRate", f.alertRate());
        m.put(prefix + ".recallAtThreshold", f.recallAtThreshold());
        m.put(prefix + ".precisionAtThreshold", f.precisionAtThreshold());
        m.put(prefix + ".fprAt80Recall", f.fprAt80Recall());
    }

    /** The bundle refuses infinite metrics; NaN (undefined, e.g. precision with no alert) is kept. */
    private static Map<String, Double> finite(Map<String, Double> m) {
        Map<String, Double> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, Double.isInfinite(v) ? Double.NaN : v));
        return out;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
