package io.fraudstream.trainer;

import io.fraudstream.datasets.CardTokens;
import io.fraudstream.model.FeatureBlock;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.RankingMetrics;
import io.fraudstream.model.scoring.CardScorer;
import io.fraudstream.simulator.HandbookData;
import io.fraudstream.simulator.HandbookSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * fraudstream on the Fraud Detection Handbook's protocol (docs/TRAINER.md), feature block by feature block, over
 * seeds. Per seed: the handbook's data set ({@link HandbookSimulator}), cut to {@code --from}..2018-08-15 and read
 * back through the trainer's own Sparkov-layout reader with point-of-purchase counts (7-day label delay); the
 * handbook's LR baseline on the same data; then one model per block configuration, all sharing one learned extractor
 * (attention is trained once, with the first configuration, then {@link ModelTrainer#trainClassifierOnly} keeps it):
 * <ul>
 *   <li>train 2018-07-25..31 (the handbook's training week);</li>
 *   <li>validation 2018-08-01..07 (the handbook's unused delay week): the threshold for the alert budget, nothing
 *       else; λ is fixed beforehand ({@code --lambda}, default 1), no configuration is chosen on it;</li>
 *   <li>test 2018-08-08..14 with the known-compromised cards left out, exactly the baseline's rows
 *       ({@link HandbookBaseline#testRows}): AUC, AP, card precision@100 and the alert rate at the validation
 *       threshold, on those rows and on every transaction of the window (what the analysts would see). Reported
 *       only.</li>
 * </ul>
 *
 * <pre>
 * java -Xmx6g -cp ... io.fraudstream.trainer.HandbookQuality --seeds 1,2,3 --work DIR
 *     [--configs "point-of-purchase;point-of-purchase,pop-ratios,card-windows"] [--from 2018-06-01] [--lambda 1]
 *     [--epochs 4] [--attention learned|none] [--class-weight none|balanced] [--lambdas 1] [--feature-ap true]
 * </pre>
 */
public final class HandbookQuality {
    static final Instant TRAIN_FROM = Instant.parse("2018-07-25T00:00:00Z");
    static final Instant VALIDATION_FROM = Instant.parse("2018-08-01T00:00:00Z");
    static final Instant TEST_FROM = Instant.parse("2018-08-08T00:00:00Z");
    static final Instant TEST_TO = Instant.parse("2018-08-15T00:00:00Z");

    private HandbookQuality() {}

    /** One model's figures on the test rows. */
    record Figures(String config, double auc, double ap, double cp100, double alertRate, double windowAlertRate,
            double validationAp,
            double[] scenarioAp, String lambda) {}

    /** Per fraud scenario (1 amount, 2 terminal, 3 customer): AP of that scenario's frauds against the genuine rows. */
    static double[] scenarioAp(double[] score, boolean[] label, int[] scenario) {
        double[] out = new double[3];
        for (int k = 1; k <= 3; k++) {
            List<Double> s = new ArrayList<>();
            List<Boolean> y = new ArrayList<>();
            for (int i = 0; i < score.length; i++) {
                if (!label[i] || scenario[i] == k) {
                    s.add(score[i]);
                    y.add(label[i]);
                }
            }
            double[] ss = new double[s.size()];
            boolean[] yy = new boolean[y.size()];
            for (int i = 0; i < ss.length; i++) {
                ss[i] = s.get(i);
                yy[i] = y.get(i);
            }
            out[k - 1] = RankingMetrics.averagePrecision(ss, yy);
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        long[] seeds = {1, 2, 3};
        String configs = "point-of-purchase;point-of-purchase,card-windows;point-of-purchase,pop-ratios;"
                + "point-of-purchase,pop-ratios,card-windows";
        Path work = Path.of("target/handbook-quality");
        LocalDate from = LocalDate.of(2018, 6, 1);
        double[] lambdas = {1};
        String attention = "learned";
        boolean featureAp = false;
        ClassifierTrainer.ClassWeight classWeight = ClassifierTrainer.ClassWeight.NONE;
        int epochs = AttentionSettings.DEFAULTS.epochs();
        for (int a = 0; a < args.length; a += 2) {
            String v = args[a + 1];
            switch (args[a]) {
                case "--seeds" -> seeds = java.util.Arrays.stream(v.split(",")).mapToLong(Long::parseLong).toArray();
                case "--configs" -> configs = v;
                case "--work" -> work = Path.of(v);
                case "--from" -> from = LocalDate.parse(v);
                case "--lambdas" -> lambdas = java.util.Arrays.stream(v.split(",")).mapToDouble(Double::parseDouble)
                        .toArray();
                case "--attention" -> attention = v;
                case "--feature-ap" -> featureAp = Boolean.parseBoolean(v);
                case "--class-weight" -> classWeight = ClassifierTrainer.ClassWeight.parse("--class-weight", v);
                case "--epochs" -> epochs = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[a]
                        + " (--seeds, --configs, --work, --from, --lambdas, --attention, --epochs, --feature-ap, --class-weight)");
            }
        }
        List<Set<FeatureBlock>> blocks = new ArrayList<>();
        for (String c : configs.split(";")) {
            blocks.add(FeatureBlock.parseList("--configs", c));
        }
        Files.createDirectories(work);
        Map<String, List<Figures>> all = new LinkedHashMap<>();
        for (long seed : seeds) {
            for (Figures f : seed(seed, work, from, blocks, lambdas, attention, epochs, featureAp, classWeight)) {
                all.computeIfAbsent(f.config(), k -> new ArrayList<>()).add(f);
            }
        }
        System.out.printf(Locale.ROOT, "%nmean ± sd over seeds %s (test rows, known-compromised cards removed)%n",
                java.util.Arrays.toString(seeds));
        System.out.printf(Locale.ROOT, "%-48s %-15s %-15s %-15s %-15s %-15s %-15s%n", "model", "AUC", "AP",
                "CP@100", "alert rate", "window alerts", "validation AP");
        all.forEach((config, fs) -> System.out.printf(Locale.ROOT, "%-48s %-15s %-15s %-15s %-15s %-15s %-15s%n",
                config, ms(fs, Figures::auc), ms(fs, Figures::ap), ms(fs, Figures::cp100), ms(fs, Figures::alertRate),
                ms(fs, Figures::windowAlertRate), ms(fs, Figures::validationAp)));
    }

    static List<Figures> seed(long seed, Path work, LocalDate from, List<Set<FeatureBlock>> configs, double[] lambdas,
            String attention, int epochs, boolean featureAp, ClassifierTrainer.ClassWeight classWeight)
            throws Exception {
        long t0 = System.nanoTime();
        HandbookData d = new HandbookSimulator(HandbookSimulator.Config.handbook(seed)).generate();
        Path csv = work.resolve("handbook-seed" + seed + "-from-" + from + ".csv.gz");
        if (!Files.exists(csv)) { // written whole, then renamed: an interrupted run leaves no partial file
            Path partial = work.resolve(csv.getFileName() + ".partial.gz");
            d.writeSparkovCsv(partial, from.atStartOfDay(ZoneOffset.UTC).toInstant(), TEST_TO);
            Files.move(partial, csv, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        LabelledData plain = SparkovData.read(csv, CardTokens.publicTestKey("HandbookQuality"));
        LabelledData withPop = plain.withPointOfPurchase(Duration.ofDays(7));
        System.out.printf(Locale.ROOT, "seed %d: %s (%.0f s)%n", seed, withPop, (System.nanoTime() - t0) / 1e9);

        // the test rows: the handbook baseline's, by transaction id, with day and card for CP@100
        HandbookBaseline.Rows rows = HandbookBaseline.Rows.of(d);
        HandbookBaseline.Protocol protocol = HandbookBaseline.Protocol.handbook();
        int[] test = HandbookBaseline.testRows(rows, protocol);
        Map<String, Integer> testIndex = new HashMap<>();
        for (int a = 0; a < test.length; a++) {
            testIndex.put(d.transactionId(test[a]), a);
        }
        boolean[] label = new boolean[test.length];
        int[] day = new int[test.length];
        int[] card = new int[test.length];
        int[] scenario = new int[test.length];
        for (int a = 0; a < test.length; a++) {
            scenario[a] = d.scenarioNumber(test[a]);
            label[a] = rows.fraud()[test[a]];
            day[a] = rows.day(test[a]);
            card[a] = rows.customer()[test[a]];
        }
        List<Figures> out = new ArrayList<>();
        HandbookBaseline.Result base = HandbookBaseline.run(rows, protocol, 1.0); // scikit-learn's default C = 1
        out.add(new Figures("handbook LR baseline (15 features)", base.auc(), base.averagePrecision(),
                base.cardPrecisionAt100(), Double.NaN, Double.NaN, Double.NaN,
                scenarioAp(base.testScores(), label, scenario), "1"));
        print(seed, out.get(0), test.length);
        if (featureAp) {
            double[][] bx = HandbookBaseline.features(rows, test);
            for (int j = 0; j < HandbookBaseline.FEATURES.size(); j++) {
                int col = j;
                printFeatureAp(HandbookBaseline.FEATURES.get(j), i -> bx[i][col], test.length, label, scenario, "");
            }
        }

        TimeSplit split = new TimeSplit(TRAIN_FROM, VALIDATION_FROM, VALIDATION_FROM, TEST_FROM);
        TrainerSettings base0 = TrainerSettings.defaults().withLambdas(lambdas).withClassWeight(classWeight)
                .withAttention(AttentionSettings.DEFAULTS.withEpochs(epochs));
        switch (attention) {
            case "learned" -> { }
            case "none" -> base0 = base0.withoutAttention();
            default -> throw new IllegalArgumentException("--attention learned|none, was " + attention);
        }
        FraudModel extractorOf = null;
        Instant created = Instant.parse("2018-08-08T00:00:00Z");
        for (Set<FeatureBlock> blocks : configs) {
            java.util.EnumSet<FeatureBlock> extra = java.util.EnumSet.noneOf(FeatureBlock.class);
            extra.addAll(blocks);
            extra.remove(FeatureBlock.POINT_OF_PURCHASE);
            LabelledData data = blocks.contains(FeatureBlock.POINT_OF_PURCHASE) ? withPop : plain;
            ModelTrainer trainer = new ModelTrainer(base0.withExtraBlocks(extra));
            String version = String.format(Locale.ROOT, "20180808T0000Z-hb%d-%d", seed, out.size());
            ModelTrainer.Outcome o = extractorOf == null ? trainer.train(data, split, version, created)
                    : trainer.trainClassifierOnly(data, split, version, created, extractorOf);
            FraudModel model = o.model();
            if (extractorOf == null) {
                extractorOf = model;
            }
            double[] score = new double[test.length];
            java.util.Arrays.fill(score, Double.NaN);
            float[][] x = new float[test.length][];
            long[] window = new long[2]; // every transaction of the test window: rows, alerts
            long testFrom = TEST_FROM.toEpochMilli();
            long testTo = TEST_TO.toEpochMilli();
            CardScorer scorer = CardScorer.of(model, CardScorer.DEFAULT_CARD_TTL.toMillis());
            FeatureTable.forEach(data, model.extractorConfig(), model.extractorWeights(), model.blocks(),
                    CardScorer.DEFAULT_CARD_TTL.toMillis(), (t, f) -> {
                        long time = t.tx().eventTimeMillis();
                        if (time >= testFrom && time < testTo) {
                            window[0]++;
                            window[1] += model.score(f) >= model.threshold() ? 1 : 0;
                        }
                        Integer a = testIndex.get(t.tx().transactionId());
                        if (a != null) {
                            score[a] = model.score(f);
                            x[a] = featureAp ? f.clone() : null;
                        }
                    });
            for (int a = 0; a < score.length; a++) {
                if (Double.isNaN(score[a])) {
                    throw new IllegalStateException("test row " + d.transactionId(test[a]) + " was not scored");
                }
            }
            Figures f = new Figures(FeatureBlock.describe(blocks), RankingMetrics.auc(score, label),
                    RankingMetrics.averagePrecision(score, label),
                    HandbookBaseline.cardPrecisionAtK(day, card, score, label, 100),
                    RankingMetrics.atThreshold(score, label, model.threshold()).alertRate(),
                    (double) window[1] / window[0],
                    model.metrics().getOrDefault("validation.averagePrecision", Double.NaN),
                    scenarioAp(score, label, scenario), String.valueOf(model.metrics().get("classifier.lambda")));
            out.add(f);
            print(seed, f, test.length);
            if (featureAp) {
                printFeatureAp(model, x, label, scenario);
            }
            if (scorer.featureCount() != model.featureCount()) {
                throw new IllegalStateException("scorer and model disagree on the feature count");
            }
        }
        if (out.size() != 1 + configs.size()) { // the baseline and one model per configuration, every seed
            throw new IllegalStateException("seed " + seed + " produced " + out.size() + " rows for "
                    + configs.size() + " configurations");
        }
        return out;
    }

    /** Each feature alone (the better of its two signs): AP overall and per scenario on the test rows. */
    private static void printFeatureAp(FraudModel model, float[][] x, boolean[] label, int[] scenario) {
        for (int j = 0; j < model.featureCount(); j++) {
            int col = j;
            printFeatureAp(model.featureNames().get(j), i -> x[i][col], x.length, label, scenario,
                    String.format(Locale.ROOT, "  coef %.3f", model.coefficients()[j]));
        }
    }

    private static void printFeatureAp(String name, java.util.function.IntToDoubleFunction value, int rows,
            boolean[] label, int[] scenario, String suffix) {
        double[] v = new double[rows];
        double[] neg = new double[rows];
        for (int i = 0; i < rows; i++) {
            v[i] = value.applyAsDouble(i);
            neg[i] = -v[i];
        }
        double up = RankingMetrics.averagePrecision(v, label);
        double down = RankingMetrics.averagePrecision(neg, label);
        double[] sc = scenarioAp(up >= down ? v : neg, label, scenario);
        System.out.printf(Locale.ROOT, "    %-36s %s AP %.3f  by scenario %.3f/%.3f/%.3f%s%n", name,
                up >= down ? "+" : "-", Math.max(up, down), sc[0], sc[1], sc[2], suffix);
    }

    private static void print(long seed, Figures f, int rows) {
        System.out.printf(Locale.ROOT, "  seed %d  %-48s AUC %.4f  AP %.4f  CP@100 %.4f  alert rate %.4f"
                + " (whole window %.4f)  validation AP %.4f  (%,d test rows)  AP by scenario %.3f/%.3f/%.3f"
                + "  lambda %s%n", seed,
                f.config(), f.auc(), f.ap(), f.cp100(), f.alertRate(), f.windowAlertRate(), f.validationAp(), rows, f.scenarioAp()[0],
                f.scenarioAp()[1], f.scenarioAp()[2], f.lambda());
    }

    private static String ms(List<Figures> fs, java.util.function.ToDoubleFunction<Figures> g) {
        double mean = 0;
        for (Figures f : fs) {
            mean += g.applyAsDouble(f);
        }
        mean /= fs.size();
        double var = 0;
        for (Figures f : fs) {
            var += Math.pow(g.applyAsDouble(f) - mean, 2);
        }
        double sd = fs.size() > 1 ? Math.sqrt(var / (fs.size() - 1)) : 0;
        return String.format(Locale.ROOT, "%.3f ± %.3f", mean, sd);
    }
}
