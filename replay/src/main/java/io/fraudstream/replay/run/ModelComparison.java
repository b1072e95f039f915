package io.fraudstream.replay.run;

import io.fraudstream.cli.support.Progress;
import io.fraudstream.features.AttentionMode;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.trainer.bootstrap.BootstrapModel;
import io.fraudstream.model.FraudModel;
import io.fraudstream.replay.eval.Evaluation;
import io.fraudstream.replay.eval.ScoredTransaction;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Several extractor variants side by side on the same spool: sparse top-k attention at several k, dense
 * attention and no attention, each as a bootstrap model ({@link BootstrapModel#create(long, ExtractorConfig)},
 * same seed, so only the attention differs). Each variant is scored {@code runs} times in this process
 * through the bounded job; throughput is the median, quality comes from the first run (the runs are
 * deterministic and checked to agree).
 */
public final class ModelComparison {

    /** A variant: a name and its extractor configuration. */
    public record Variant(String name, ExtractorConfig config) {
        /** k16, k32, k64, ... (sparse top-k), dense, none. */
        public static Variant parse(String name) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            if (n.equals("dense")) {
                return new Variant("dense", ExtractorConfig.builder().mode(AttentionMode.DENSE).build());
            }
            if (n.equals("none")) {
                return new Variant("none", ExtractorConfig.builder().mode(AttentionMode.NONE).build());
            }
            if (n.matches("k[0-9]{1,5}")) {
                int k = Integer.parseInt(n.substring(1));
                return new Variant("top-k k=" + k, ExtractorConfig.builder().mode(AttentionMode.SPARSE_TOP_K).k(k).build());
            }
            throw new IllegalArgumentException("model variants are k<number>, dense or none; was " + name);
        }
    }

    /** One row of the table. */
    public record Row(String variant, String modelVersion, Evaluation evaluation, double[] eventsPerSecond,
            double[] jobSeconds, long trainMillis) {
        public double medianEventsPerSecond() {
            return median(eventsPerSecond);
        }

        public double medianJobSeconds() {
            return median(jobSeconds);
        }
    }

    private ModelComparison() {}

    /**
     * Each variant in its own job, {@code runs} times: per-variant throughput. Quality from run 1; the runs are
     * checked to agree.
     */
    public static List<Row> run(Spool spool, List<Variant> variants, long seed, int runs, int parallelism,
            PrintStream log) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (Variant v : variants) {
            long t0 = System.nanoTime();
            FraudModel model = BootstrapModel.create(seed, v.config());
            long trainMillis = (System.nanoTime() - t0) / 1_000_000;
            double[] eps = new double[runs];
            double[] job = new double[runs];
            List<ScoredTransaction> first = null;
            for (int r = 0; r < runs; r++) {
                BoundedScoring.Result result = BoundedScoring.run(spool, List.of(PinnedModels.inline(model)),
                        BoundedScoring.Settings.replayDefaults(), parallelism, Progress.silent()).get(0);
                eps[r] = result.eventsPerSecond();
                job[r] = result.jobNanos() / 1e9;
                if (first == null) {
                    first = result.scores();
                } else if (!first.equals(result.scores())) {
                    throw new IllegalStateException(v.name() + ": run " + (r + 1) + " scored differently from run 1");
                }
                log.println(String.format(Locale.ROOT, "%s run %d/%d: %,.0f events/s (job %.1f s)", v.name(), r + 1,
                        runs, eps[r], job[r]));
            }
            Evaluation e = Evaluation.of(v.name(), model.version(), model.threshold(), first, Map.of());
            rows.add(new Row(v.name(), model.version(), e, eps, job, trainMillis));
        }
        return rows;
    }

    /**
     * All variants in one job per run (one pass over the input, one scoring branch per variant). The
     * throughput column is then the whole graph's: input transactions per second with every variant scoring
     * each of them, the same figure on every row.
     */
    public static List<Row> runInOneGraph(Spool spool, List<Variant> variants, long seed, int runs, int parallelism,
            PrintStream log) throws Exception {
        List<FraudModel> models = new ArrayList<>();
        List<io.fraudstream.job.model.ModelRepository.Factory> factories = new ArrayList<>();
        long[] trainMillis = new long[variants.size()];
        for (int i = 0; i < variants.size(); i++) {
            long t0 = System.nanoTime();
            models.add(BootstrapModel.create(seed, variants.get(i).config()));
            trainMillis[i] = (System.nanoTime() - t0) / 1_000_000;
            factories.add(PinnedModels.inline(models.get(i)));
        }
        double[] eps = new double[runs];
        double[] job = new double[runs];
        List<BoundedScoring.Result> first = null;
        for (int r = 0; r < runs; r++) {
            List<BoundedScoring.Result> results = BoundedScoring.run(spool, factories,
                    BoundedScoring.Settings.replayDefaults(), parallelism, Progress.silent());
            eps[r] = results.get(0).eventsPerSecond();
            job[r] = results.get(0).jobNanos() / 1e9;
            if (first == null) {
                first = results;
            } else {
                for (int i = 0; i < variants.size(); i++) {
                    if (!first.get(i).scores().equals(results.get(i).scores())) {
                        throw new IllegalStateException(variants.get(i).name() + ": run " + (r + 1)
                                + " scored differently from run 1");
                    }
                }
            }
            log.println(String.format(Locale.ROOT, "%d variants in one graph, run %d/%d: %,.0f events/s (job %.1f s)",
                    variants.size(), r + 1, runs, eps[r], job[r]));
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            FraudModel model = models.get(i);
            Evaluation e = Evaluation.of(variants.get(i).name(), model.version(), model.threshold(),
                    first.get(i).scores(), Map.of());
            rows.add(new Row(variants.get(i).name(), model.version(), e, eps, job, trainMillis[i]));
        }
        return rows;
    }

    /** The comparison as a Markdown table. */
    public static String markdown(List<Row> rows) {
        StringBuilder s = new StringBuilder();
        s.append("| Extractor | AP | AUC-ROC | Card precision@100 | Recall at 1% FPR | Alert rate at threshold "
                + "| Throughput, median (events/s) | Job time, median (s) |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            Evaluation e = r.evaluation();
            s.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %,.0f | %.1f |%n", r.variant(),
                    e.averagePrecision(), e.auc(), e.meanCardPrecision100(), e.recallAtFpr001(),
                    e.atThreshold().alertRate(), r.medianEventsPerSecond(), r.medianJobSeconds()));
        }
        return s.toString();
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
