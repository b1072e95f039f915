package io.fraudstream.trainer.bootstrap;

import io.fraudstream.model.FeatureBlock;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.features.RawTransaction;
import io.fraudstream.simulator.Cardholder;
import io.fraudstream.simulator.SimulatedTransaction;
import io.fraudstream.simulator.Simulator;
import io.fraudstream.simulator.SimulatorConfig;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.RankingMetrics;
import io.fraudstream.model.Standardization;
import io.fraudstream.model.TrainingData;
import io.fraudstream.model.scoring.CardScorer;
import io.fraudstream.model.scoring.WireTransactions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deterministic model the pipeline starts with before any labelled data exists: seeded extractor weights
 * ({@link ExtractorWeights#bootstrap}) and a logistic regression (Smile's L-BFGS, {@link LogisticFit}) trained
 * on the features the extractor computes over the project's simulator ({@link Simulator}, same seed).
 *
 * <p>Protocol: {@value #CARDS} simulated cards over {@value #TRAIN_DAYS} + {@value #VALIDATION_DAYS} days from
 * {@link #SIMULATION_START}. Each card's transactions are processed in time order, feature extraction first
 * and then appending to the card's history (a score never sees its own transaction). The split is by time,
 * never random: transactions before day {@value #TRAIN_DAYS} train the classifier: standardization fitted on
 * them, positives weighted to balance the classes (the intercept is then shifted back by the log of the
 * weight so scores stay roughly calibrated), L2 {@code lambda} {@value #LAMBDA}. The threshold is the score
 * that alerts on {@value #ALERT_BUDGET} of the later (validation) transactions.
 *
 * <p>Reproducible: the version ({@code yyyyMMdd'T'HHmm'Z'-bootstrap-s<seed>}) and creation time are derived
 * from the simulated data's end, not the wall clock; the simulator is deterministic and the fit is sequential
 * with {@link StrictMath} ({@link LogisticFit}), so the same seed gives the same bundle bytes whatever the core
 * count. Takes a few seconds on one core.
 */
public final class BootstrapModel {
    public static final Instant SIMULATION_START = Instant.parse("2026-01-01T00:00:00Z");
    static final int CARDS = 400;
    static final int TRAIN_DAYS = 45;
    static final int VALIDATION_DAYS = 15;
    static final double LAMBDA = 10.0;
    static final double ALERT_BUDGET = 0.01;
    private static final long DAY = 86_400_000L;
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapModel.class);
    private static final DateTimeFormatter VERSION_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'").withZone(ZoneOffset.UTC);

    private BootstrapModel() {}

    /** The bootstrap model with the default extractor configuration. */
    public static FraudModel create(long seed) {
        return create(seed, ExtractorConfig.defaults());
    }

    public static FraudModel create(long seed, ExtractorConfig config) {
        long t0 = System.nanoTime();
        ExtractorWeights weights = ExtractorWeights.bootstrap(config, seed);
        // The job's per-event rules (TTL, duplicates, extract then append).
        CardScorer scorer = CardScorer.features(config, weights, FeatureBlock.none(), CardScorer.DEFAULT_CARD_TTL.toMillis());
        int p = scorer.featureCount();
        long start = SIMULATION_START.toEpochMilli();
        // The simulator emits instants in [start, end): a time split on the instant.
        long trainEnd = start + TRAIN_DAYS * DAY;
        long end = trainEnd + VALIDATION_DAYS * DAY;

        List<float[]> trainX = new ArrayList<>();
        List<Boolean> trainY = new ArrayList<>();
        List<float[]> validX = new ArrayList<>();
        List<Boolean> validY = new ArrayList<>();
        for (List<Labelled> card : simulate(seed, CARDS, SIMULATION_START, TRAIN_DAYS + VALIDATION_DAYS)) {
            CardScorer.Card history = scorer.newCard();
            for (Labelled l : card) {
                if (scorer.next(history, l.tx(), null, null) == CardScorer.Outcome.DUPLICATE) {
                    continue;
                }
                boolean train = l.tx().eventTimeMillis() < trainEnd;
                (train ? trainX : validX).add(scorer.features().clone());
                (train ? trainY : validY).add(l.fraud());
            }
        }

        long tExtracted = System.nanoTime();
        double[] means = new double[p];
        double[] stds = new double[p];
        Standardization.fit(trainX, means, stds);
        int positives = (int) trainY.stream().filter(b -> b).count();
        int negatives = trainY.size() - positives;
        if (positives == 0) {
            throw new IllegalStateException("simulated training data has no fraud; seed " + seed);
        }
        int replicate = Math.max(1, (int) Math.round((double) negatives / positives));
        double[][] z = new double[trainX.size()][];
        int[] y = new int[z.length];
        double[] rowWeight = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = standardize(trainX.get(i), means, stds);
            y[i] = trainY.get(i) ? 1 : 0;
            rowWeight[i] = trainY.get(i) ? replicate : 1; // the same objective as replicating the positives
        }
        double[] w = LogisticFit.fit(z, y, rowWeight, LAMBDA, 1e-5, 300); // p weights, then the intercept
        double intercept = w[p] - Math.log(replicate);
        LOG.info("Bootstrap model: features of {} transactions in {} ms, classifier on {} rows in {} ms",
                trainX.size() + validX.size(), (tExtracted - t0) / 1_000_000, z.length,
                (System.nanoTime() - tExtracted) / 1_000_000);

        FraudModel.Builder b = FraudModel.builder()
                .createdAt(Instant.ofEpochMilli(end))
                .version(VERSION_TIME.format(Instant.ofEpochMilli(end)) + "-bootstrap-s" + Long.toUnsignedString(seed))
                .trainingData(new TrainingData("bootstrap: io.fraudstream.simulator, seed " + Long.toUnsignedString(seed)
                        + ", " + CARDS + " cards", Instant.ofEpochMilli(start), Instant.ofEpochMilli(trainEnd),
                        Instant.ofEpochMilli(trainEnd), Instant.ofEpochMilli(end)))
                .featureNames(Arrays.asList(scorer.extractor().featureNames()))
                .extractor(config, weights)
                .scaler(means, stds)
                .classifier(intercept, Arrays.copyOf(w, p))
                .threshold(0.5);
        FraudModel provisional = b.build();

        double[] trainScores = scores(provisional, trainX);
        double[] validScores = scores(provisional, validX);
        boolean[] trainLabels = labels(trainY);
        boolean[] validLabels = labels(validY);
        double threshold = RankingMetrics.thresholdForBudget(validScores, ALERT_BUDGET);
        RankingMetrics.AtThreshold at = RankingMetrics.atThreshold(validScores, validLabels, threshold);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("train.rows", (double) trainX.size());
        metrics.put("train.frauds", (double) positives);
        metrics.put("train.auc", RankingMetrics.auc(trainScores, trainLabels));
        metrics.put("train.averagePrecision", RankingMetrics.averagePrecision(trainScores, trainLabels));
        metrics.put("validation.rows", (double) validX.size());
        metrics.put("validation.frauds", (double) at.frauds());
        metrics.put("validation.auc", RankingMetrics.auc(validScores, validLabels));
        metrics.put("validation.averagePrecision", RankingMetrics.averagePrecision(validScores, validLabels));
        metrics.put("validation.alertRate", at.alertRate());
        metrics.put("validation.recallAtThreshold", at.recall());
        metrics.put("validation.precisionAtThreshold", at.precision());
        Map<String, String> props = new LinkedHashMap<>();
        props.put("trainer", BootstrapModel.class.getName());
        props.put("seed", Long.toUnsignedString(seed));
        props.put("classifier", "logistic regression (smile-math L-BFGS, sequential), lambda " + LAMBDA
                + ", positives weighted x" + replicate + ", intercept shifted by -ln(" + replicate + ")");
        props.put("data", "io.fraudstream.simulator.Simulator seed " + Long.toUnsignedString(seed) + ", " + CARDS
                + " cards, " + (TRAIN_DAYS + VALIDATION_DAYS) + " days from " + SIMULATION_START + ", time split");
        props.put("alertBudget", Double.toString(ALERT_BUDGET));
        return b.threshold(threshold).metrics(metrics).properties(props).build();
    }

    /** One simulated transaction as the extractor sees it, with its label and scenario (null when genuine). */
    record Labelled(RawTransaction tx, boolean fraud, String scenario) {}

    /**
     * Simulator output grouped by card: cards in index order, each card's transactions in event-time order
     * (the simulator's global order restricted to the card).
     */
    static List<List<Labelled>> simulate(long seed, int cards, Instant start, int days) {
        Simulator sim = new Simulator(SimulatorConfig.builder().seed(seed).cards(cards).start(start)
                .duration(Duration.ofDays(days)).build());
        List<List<Labelled>> byCard = new ArrayList<>(cards);
        Map<String, List<Labelled>> index = new HashMap<>(cards * 2);
        for (Cardholder h : sim.cardholders()) {
            List<Labelled> list = new ArrayList<>();
            byCard.add(list);
            index.put(h.cardId(), list);
        }
        WireTransactions wire = new WireTransactions();
        long invalid = 0;
        Iterator<SimulatedTransaction> it = sim.transactionIterator();
        while (it.hasNext()) {
            SimulatedTransaction t = it.next();
            // The job's rules: what it would dead-letter (say, a currency without minor units) is skipped and counted.
            if (wire.check(t.tx(), WireTransactions.DEFAULT_MAX_AMOUNT_MINOR) != null) {
                invalid++;
                continue;
            }
            index.get(t.tx().getCardId()).add(new Labelled(wire.toRaw(t.tx()), t.fraud(), t.scenario()));
        }
        if (invalid > 0) {
            LOG.warn("Simulator seed {}: {} transactions the job would refuse, skipped", seed, invalid);
        }
        return byCard;
    }

    private static double[] standardize(float[] x, double[] means, double[] stds) {
        double[] z = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            z[j] = (x[j] - means[j]) / stds[j];
        }
        return z;
    }

    private static double[] scores(FraudModel model, List<float[]> rows) {
        double[] s = new double[rows.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = model.score(rows.get(i));
        }
        return s;
    }

    private static boolean[] labels(List<Boolean> y) {
        boolean[] out = new boolean[y.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = y.get(i);
        }
        return out;
    }
}
