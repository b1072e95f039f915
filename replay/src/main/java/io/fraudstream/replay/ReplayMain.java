package io.fraudstream.replay;

import io.fraudstream.datasets.BadRows;
import io.fraudstream.datasets.CardTokens;
import io.fraudstream.datasets.ColumnMapping;
import io.fraudstream.datasets.EventTimeRule;
import io.fraudstream.datasets.InputFormat;
import io.fraudstream.datasets.LabelFile;
import io.fraudstream.datasets.TransactionReader;
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.model.BootstrapModel;
import io.fraudstream.model.FraudModel;
import io.fraudstream.replay.eval.Evaluation;
import io.fraudstream.replay.eval.ReportWriter;
import io.fraudstream.replay.eval.ScoreFile;
import io.fraudstream.replay.eval.ScoredTransaction;
import io.fraudstream.replay.kafka.KafkaReplayer;
import io.fraudstream.replay.run.BoundedScoring;
import io.fraudstream.replay.run.ModelComparison;
import io.fraudstream.replay.run.PinnedModels;
import io.fraudstream.replay.run.Progress;
import io.fraudstream.replay.run.Spool;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The replay command line: {@code evaluate}, {@code compare} and {@code replay} (see {@code docs/REPLAY.md}).
 * Exit status 0 on success, 2 on a bad command line (the message names the option), 1 on a failure.
 */
public final class ReplayMain {

    private static final Set<String> INPUT = Set.of("input", "format", "mapping", "labels", "time-zone", "token-salt");
    private static final String USAGE = """
            usage: replay evaluate --input FILE --out DIR [input options] [model options] [--progress-every N]
                   replay evaluate --scores FILE --out DIR [--threshold T] [--title TEXT]
                   replay compare  --input FILE [input options] [--models k16,k32,k64,dense,none] [--runs 3]
                                   [--seed 42] [--out FILE.md]
                   replay replay   --input FILE [input options] --bootstrap-servers HOST:PORT [--topic transactions]
                                   [--speed 1|60|max|<factor>]
            input options: --format sparkov|csv|avro (default: avro for *.avro, else sparkov)
                           --mapping FILE (csv) --labels FILE --time-zone home-longitude|UTC|<zone> (sparkov)
                           --token-salt TEXT
            model options: --model-store DIR --public-key FILE --descriptor FILE   (a signed bundle)
                           --bootstrap-seed N                                      (default 42; unsigned)
            """;

    private ReplayMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            err.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try {
            switch (args[0]) {
                case "evaluate" -> evaluate(new Options(args, 1, union(INPUT, "out", "scores", "threshold", "title",
                        "model-store", "public-key", "descriptor", "bootstrap-seed", "progress-every")), out, err);
                case "compare" -> compare(new Options(args, 1, union(INPUT, "models", "runs", "seed", "out")), out, err);
                case "replay" -> replay(new Options(args, 1, union(INPUT, "bootstrap-servers", "topic", "speed",
                        "progress-every")), out, err);
                default -> throw new Options.UsageException("unknown command '" + args[0]
                        + "' (evaluate, compare or replay)");
            }
            return 0;
        } catch (Options.UsageException e) {
            err.println("replay: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (Exception e) {
            err.println("replay: failed: " + e);
            return 1;
        }
    }

    private static Set<String> union(Set<String> base, String... more) {
        Set<String> s = new java.util.HashSet<>(base);
        s.addAll(Arrays.asList(more));
        return s;
    }

    /** Opens the input named by the options; bad option values are usage errors naming the option. */
    static TransactionReader openInput(Options o, BadRows labelBadRows) throws IOException {
        return openInput(o, labelBadRows, new java.util.HashMap<>());
    }

    /** As above; {@code labelsOut} receives the labels of {@code --labels}, if given. */
    static TransactionReader openInput(Options o, BadRows labelBadRows, Map<String, Boolean> labelsOut)
            throws IOException {
        Path input = o.existingFile("input");
        InputFormat format;
        try {
            format = o.has("format") ? InputFormat.parse(o.get("format", ""))
                    : input.getFileName().toString().endsWith(".avro") ? InputFormat.AVRO : InputFormat.SPARKOV;
        } catch (IllegalArgumentException e) {
            throw new Options.UsageException("option --format " + e.getMessage());
        }
        ColumnMapping mapping = null;
        if (format == InputFormat.CSV) {
            try {
                mapping = ColumnMapping.read(o.existingFile("mapping"));
            } catch (IllegalArgumentException e) {
                throw new Options.UsageException("option --mapping: " + e.getMessage());
            }
        } else if (o.has("mapping")) {
            throw new Options.UsageException("option --mapping applies to --format csv only");
        }
        String zone = o.get("time-zone", EventTimeRule.HOME_LONGITUDE);
        if (format == InputFormat.SPARKOV) {
            try {
                ColumnMapping.sparkov(zone);
            } catch (IllegalArgumentException e) {
                throw new Options.UsageException("option --time-zone: " + e.getMessage());
            }
        } else if (o.has("time-zone")) {
            throw new Options.UsageException("option --time-zone applies to --format sparkov only (csv: mapping file)");
        }
        Map<String, Boolean> labels = o.has("labels") ? LabelFile.read(o.existingFile("labels"), labelBadRows) : Map.of();
        labelsOut.putAll(labels);
        return format.open(input, new InputFormat.Options(mapping, zone, labels, o.get("token-salt", CardTokens.DEFAULT_SALT)));
    }

    private static Spool spool(Options o, PrintStream err, long progressEvery) throws IOException {
        BadRows labelBadRows = new BadRows();
        Map<String, Boolean> extraLabels = new java.util.HashMap<>();
        try (TransactionReader reader = openInput(o, labelBadRows, extraLabels)) {
            labelBadRows.print(err, "labels", 20);
            Path input = Path.of(o.required("input"));
            Path spoolFile = Files.createTempFile("replay-", ".spool");
            spoolFile.toFile().deleteOnExit();
            Spool spool = Spool.write(reader, 0, input.getFileName().toString(), spoolFile, extraLabels,
                    new Progress(err, progressEvery, 5_000));
            spool.badRows().print(err, input.toString(), 20);
            return spool;
        }
    }

    private static void evaluate(Options o, PrintStream out, PrintStream err) throws Exception {
        Path outDir = Path.of(o.required("out"));
        if (o.has("scores")) {
            for (String illegal : new String[] {"input", "model-store", "bootstrap-seed"}) {
                if (o.has(illegal)) {
                    throw new Options.UsageException("option --" + illegal + " cannot be combined with --scores");
                }
            }
            double threshold = o.has("threshold") ? o.probability("threshold") : Double.NaN;
            BadRows bad = new BadRows();
            List<ScoredTransaction> rows = ScoreFile.read(o.existingFile("scores"), bad);
            bad.print(err, o.required("scores"), 20);
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("Score file", o.required("scores"));
            facts.put("Bad rows in the score file", Long.toString(bad.count()));
            Evaluation e = Evaluation.of(o.get("title", "Evaluation"), "(from score file)", threshold, rows, facts);
            ReportWriter.write(e, outDir);
            out.println(ReportWriter.markdown(e).lines().limit(16).reduce("", (a, b) -> a + b + "\n"));
            return;
        }
        long progressEvery = o.positiveLong("progress-every", 50_000);
        if (!o.has("model-store") && (o.has("public-key") || o.has("descriptor"))) {
            throw new Options.UsageException("option --model-store is required with --public-key/--descriptor");
        }
        if (o.has("model-store")) {
            o.existingDir("model-store");
            o.existingFile("public-key");
            o.existingFile("descriptor");
        }
        o.positiveLong("bootstrap-seed", 42);
        // The input is read (and every input option validated) before the model is built or trained.
        try (Spool spool = spool(o, err, progressEvery)) {
            ModelRepository.Factory model;
            String modelSource;
            if (o.has("model-store")) {
                model = PinnedModels.signedStore(o.existingDir("model-store"), o.existingFile("public-key"),
                        o.existingFile("descriptor"));
                modelSource = "signed bundle from " + o.required("model-store") + " (descriptor " + o.required("descriptor") + ")";
            } else {
                long seed = o.positiveLong("bootstrap-seed", 42);
                err.println("training the bootstrap model (seed " + seed + ") ...");
                FraudModel bootstrap = BootstrapModel.create(seed);
                model = PinnedModels.inline(bootstrap);
                modelSource = "bootstrap model, seed " + seed + " (unsigned, built in this process)";
            }
            BoundedScoring.Result r = BoundedScoring.run(spool, model, BoundedScoring.Settings.replayDefaults(),
                    new Progress(err, progressEvery, 5_000));
            Path scores = outDir.resolve("scores.csv");
            ScoreFile.write(scores, r.scores());
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("Input", o.required("input") + " (" + spool.rowsRead() + " rows)");
            facts.put("Model", modelSource);
            facts.put("Bad input rows (skipped)", Long.toString(spool.badRows().count()));
            facts.put("Refused by the job's validation (dead letters)", Long.toString(r.rejected().size()));
            facts.put("Scoring throughput", String.format(Locale.ROOT,
                    "%,.0f events/s (first to last result, parallelism 1); job %.1f s including Flink start-up",
                    r.eventsPerSecond(), r.jobNanos() / 1e9));
            facts.put("Pipeline latency under full replay load (p50 / p99 / max)", latency(r.latencyMicros()));
            facts.put("Score file", scores.toString());
            Evaluation e = Evaluation.of("Evaluation of " + Path.of(o.required("input")).getFileName(), r.modelVersion(),
                    r.threshold(), r.scores(), facts);
            ReportWriter.write(e, outDir);
            if (!r.rejected().isEmpty()) {
                try (PrintStream dl = new PrintStream(Files.newOutputStream(outDir.resolve("dead-letters.txt")), true,
                        StandardCharsets.UTF_8)) {
                    for (BoundedScoring.Rejected x : r.rejected()) {
                        dl.println("line " + x.line() + ": " + x.reason() + ": " + x.message());
                    }
                }
            }
            out.println(ReportWriter.markdown(e).lines().limit(22).reduce("", (a, b) -> a + b + "\n"));
            out.println("report: " + outDir.resolve("report.html"));
        }
    }

    static String latency(long[] micros) {
        if (micros.length == 0) {
            return "n/a";
        }
        long[] v = micros.clone();
        Arrays.sort(v);
        return String.format(Locale.ROOT, "%.2f / %.2f / %.2f ms", v[v.length / 2] / 1000.0,
                v[(int) Math.min(v.length - 1, Math.ceil(v.length * 0.99) - 1)] / 1000.0, v[v.length - 1] / 1000.0);
    }

    private static void compare(Options o, PrintStream out, PrintStream err) throws Exception {
        List<ModelComparison.Variant> variants = new ArrayList<>();
        for (String name : o.get("models", "k16,k32,k64,dense,none").split(",")) {
            try {
                variants.add(ModelComparison.Variant.parse(name));
            } catch (IllegalArgumentException e) {
                throw new Options.UsageException("option --models: " + e.getMessage());
            }
        }
        int runs = (int) Math.min(50, o.positiveLong("runs", 3));
        long seed = o.positiveLong("seed", 42);
        try (Spool spool = spool(o, err, 100_000)) {
            List<ModelComparison.Row> rows = ModelComparison.run(spool, variants, seed, runs, err);
            String table = ModelComparison.markdown(rows);
            if (o.has("out")) {
                Files.writeString(Path.of(o.required("out")), table, StandardCharsets.UTF_8);
            }
            out.print(table);
        }
    }

    private static void replay(Options o, PrintStream out, PrintStream err) throws Exception {
        String speedValue = o.get("speed", "max");
        double speed;
        if (speedValue.equalsIgnoreCase("max")) {
            speed = 0;
        } else {
            try {
                speed = Double.parseDouble(speedValue.toLowerCase(Locale.ROOT).replace("x", ""));
                if (!(speed > 0) || Double.isInfinite(speed)) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new Options.UsageException("option --speed must be max or a positive factor (1, 60, ...), was '"
                        + speedValue + "'");
            }
        }
        String bootstrap = o.required("bootstrap-servers");
        long progressEvery = o.positiveLong("progress-every", 50_000);
        try (TransactionReader reader = openInput(o, new BadRows())) {
            KafkaReplayer.Summary s = new KafkaReplayer(bootstrap, Map.of(), o.get("topic", "transactions"), speed)
                    .replay(reader, new Progress(err, progressEvery, 5_000));
            reader.badRows().print(err, o.required("input"), 20);
            out.println("sent " + s.sent() + " transactions in " + s.wallMillis() + " ms (event-time span "
                    + s.eventSpanMillis() + " ms)");
        }
    }
}
