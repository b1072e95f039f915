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
import io.fraudstream.replay.kafka.KafkaRangeReader;
import io.fraudstream.replay.kafka.KafkaReplayer;
import io.fraudstream.schemas.Topics;
import io.fraudstream.replay.run.BoundedScoring;
import io.fraudstream.replay.run.PointOfPurchaseTables;
import io.fraudstream.replay.run.ModelComparison;
import io.fraudstream.replay.run.PinnedModels;
import io.fraudstream.replay.run.Progress;
import io.fraudstream.replay.run.Spool;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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

    private static final Set<String> INPUT = Set.of("input", "format", "mapping", "labels", "time-zone", "card-token-key-file");
    /** Reading a Kafka topic instead of a file (evaluate, compare). */
    private static final Set<String> TOPIC_INPUT = Set.of("input-topic", "bootstrap-servers", "partitions",
            "from-offset", "to-offset", "from-time", "to-time", "labels-topic");
    private static final String USAGE = """
            usage: replay evaluate --input FILE --out DIR [input options] [model options] [--progress-every N]
                                   [--parallelism N]
                   replay evaluate --scores FILE --out DIR [--threshold T] [--title TEXT]
                   replay compare  --input FILE [input options] [--models k16,k32,k64,dense,none] [--runs 3]
                                   [--seed 42] [--out FILE.md] [--graph separate|one] [--parallelism N]
                   replay replay   --input FILE [input options] --bootstrap-servers HOST:PORT [--topic transactions]
                                   [--speed 1|60|max|<factor>]
            topic input:   --input-topic NAME --bootstrap-servers HOST:PORT [--partitions 0,1]
                           [--from-offset N|P:N,.. | --from-time T] [--to-offset N|P:N,.. | --to-time T]
                           [--labels FILE | --labels-topic fraud-labels]   (T: 2019-06-01T00:00:00Z or epoch ms)
            input options: --format sparkov|csv|avro (default: avro for *.avro, else sparkov)
                           --mapping FILE (csv) --labels FILE --time-zone home-longitude|UTC|<zone> (sparkov)
                           --card-token-key-file FILE  secret key for card-number tokens (else env
                           FRAUDSTREAM_CARD_TOKEN_KEY_FILE; without one, numeric card ids are refused)
            model options: --model-store DIR --public-key FILE --descriptor FILE   (a signed bundle)
                           --bootstrap-seed N                                      (default 42; unsigned)
                           --point-of-purchase true|false  merchant/terminal features (default false; a model
                           trained with them needs true) --label-delay D  fraud report delay: 7d, 36h, PT36H (default 7d)
            evaluate:      --evaluate-from T  score everything, report only events at or after T (a time split:
                           earlier events only build card histories and point-of-purchase counts)
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
                case "evaluate" -> evaluate(new Options(args, 1, union(union(INPUT, TOPIC_INPUT), "out", "scores", "threshold", "title",
                        "model-store", "public-key", "descriptor", "bootstrap-seed", "progress-every", "parallelism",
                        "point-of-purchase", "label-delay", "evaluate-from")), out, err);
                case "compare" -> compare(new Options(args, 1, union(union(INPUT, TOPIC_INPUT), "models", "runs", "seed", "out", "parallelism", "graph")), out, err);
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

    private static Set<String> union(Set<String> base, Set<String> more) {
        return union(base, more.toArray(String[]::new));
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
        return format.open(input, new InputFormat.Options(mapping, zone, labels, CardTokens.fromOptionOrEnvironment(
                o.get("card-token-key-file", null), System.getenv())));
    }

    private static Spool spool(Options o, PrintStream err, long progressEvery) throws IOException {
        if (o.has("input-topic")) {
            return topicSpool(o, err, progressEvery);
        }
        for (String name : TOPIC_INPUT) {
            if (o.has(name)) {
                throw new Options.UsageException("option --" + name + " applies to --input-topic only");
            }
        }
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

    /** The slice of a Kafka topic named by the options, with labels from a file or a labels topic. */
    private static Spool topicSpool(Options o, PrintStream err, long progressEvery) throws IOException {
        for (String illegal : new String[] {"input", "format", "mapping", "time-zone", "card-token-key-file"}) {
            if (o.has(illegal)) {
                throw new Options.UsageException("option --" + illegal + " cannot be combined with --input-topic");
            }
        }
        if (o.has("labels") && o.has("labels-topic")) {
            throw new Options.UsageException("option --labels cannot be combined with --labels-topic");
        }
        String topic = o.required("input-topic");
        String bootstrap = o.required("bootstrap-servers");
        KafkaRangeReader.Position from = position(o, "from-offset", "from-time");
        KafkaRangeReader.Position to = position(o, "to-offset", "to-time");
        Set<Integer> partitions = new java.util.TreeSet<>();
        if (o.has("partitions")) {
            for (String p : o.required("partitions").split(",")) {
                partitions.add((int) parseNonNegative("partitions", p.trim()));
            }
        }
        KafkaRangeReader reader = new KafkaRangeReader(bootstrap, Map.of(), java.time.Duration.ofSeconds(60));
        Map<String, Boolean> labels;
        BadRows labelBadRows = new BadRows();
        if (o.has("labels")) {
            labels = LabelFile.read(o.existingFile("labels"), labelBadRows);
            labelBadRows.print(err, "labels", 20);
        } else {
            String labelsTopic = o.get("labels-topic", Topics.FRAUD_LABELS.name());
            labels = reader.readLabels(labelsTopic, labelBadRows);
            err.println("labels: " + labels.size() + " from topic " + labelsTopic);
            if (labelBadRows.count() > 0) {
                err.println("labels topic " + labelsTopic + ": " + labelBadRows.count() + " bad record(s) skipped");
                labelBadRows.first().stream().limit(20).forEach(b -> err.println("  offset " + b.line() + ", " + b.reason()));
            }
        }
        Path spoolFile = Files.createTempFile("replay-", ".spool");
        spoolFile.toFile().deleteOnExit();
        KafkaRangeReader.Read read = reader.read(topic, partitions, from, to, labels, spoolFile,
                new Progress(err, progressEvery, 5_000));
        KafkaRangeReader.Summary s = read.summary();
        s.ranges().forEach((p, r) -> err.println("topic " + topic + " partition " + p + ": offsets [" + r[0] + ", " + r[1] + ")"));
        err.println("read " + s.records() + " transactions, " + s.badCount() + " bad record(s) skipped");
        for (KafkaRangeReader.BadRecord b : s.badRecords()) {
            err.println("  partition " + b.partition() + ", offset " + b.offset() + ": " + b.reason());
        }
        if (s.badCount() > s.badRecords().size()) {
            err.println("  ... " + (s.badCount() - s.badRecords().size()) + " more");
        }
        return read.spool();
    }

    /** --x-offset N (every partition) or P:N,P:N (per partition), or --x-time ISO-8601 instant / epoch millis. */
    private static KafkaRangeReader.Position position(Options o, String offsetOption, String timeOption) {
        if (o.has(offsetOption) && o.has(timeOption)) {
            throw new Options.UsageException("option --" + offsetOption + " cannot be combined with --" + timeOption);
        }
        if (o.has(timeOption)) {
            String v = o.required(timeOption);
            try {
                return KafkaRangeReader.Position.time(v.matches("-?[0-9]+") ? Long.parseLong(v)
                        : java.time.Instant.parse(v).toEpochMilli());
            } catch (RuntimeException e) {
                throw new Options.UsageException("option --" + timeOption
                        + " must be an ISO-8601 instant (2019-06-01T00:00:00Z) or epoch milliseconds, was '" + v + "'");
            }
        }
        if (!o.has(offsetOption)) {
            return KafkaRangeReader.Position.BEGINNING;
        }
        String v = o.required(offsetOption);
        if (!v.contains(":")) {
            return KafkaRangeReader.Position.offset(parseNonNegative(offsetOption, v));
        }
        Map<Integer, Long> perPartition = new java.util.TreeMap<>();
        for (String item : v.split(",")) {
            String[] pv = item.trim().split(":");
            if (pv.length != 2) {
                throw new Options.UsageException("option --" + offsetOption
                        + " must be an offset or partition:offset pairs (0:100,1:250), was '" + v + "'");
            }
            perPartition.put((int) parseNonNegative(offsetOption, pv[0].trim()), parseNonNegative(offsetOption, pv[1].trim()));
        }
        return KafkaRangeReader.Position.offsets(perPartition);
    }

    private static long parseNonNegative(String option, String v) {
        try {
            long n = Long.parseLong(v);
            if (n < 0 || n > Integer.MAX_VALUE && option.equals("partitions")) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new Options.UsageException("option --" + option + ": not a non-negative integer: '" + v + "'");
        }
    }

    private static void evaluate(Options o, PrintStream out, PrintStream err) throws Exception {
        Path outDir = Path.of(o.required("out"));
        if (o.has("scores")) {
            for (String illegal : new String[] {"input", "input-topic", "model-store", "bootstrap-seed"}) {
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
        parallelism(o);
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
            BoundedScoring.Settings settings = BoundedScoring.Settings.replayDefaults();
            String pop = o.get("point-of-purchase", "false");
            if (!pop.equals("true") && !pop.equals("false")) {
                throw new Options.UsageException("option --point-of-purchase must be true or false, was '" + pop + "'");
            }
            java.time.Duration labelDelay = o.duration("label-delay", java.time.Duration.ofDays(7));
            if (o.has("label-delay") && pop.equals("false")) {
                throw new Options.UsageException("option --label-delay only applies with --point-of-purchase true");
            }
            if (pop.equals("true")) {
                settings = settings.withPointOfPurchase(PointOfPurchaseTables.fromSpool(spool, labelDelay));
            }
            long evaluateFrom = Long.MIN_VALUE;
            if (o.has("evaluate-from")) {
                try {
                    evaluateFrom = Instant.parse(o.required("evaluate-from")).toEpochMilli();
                } catch (java.time.format.DateTimeParseException e) {
                    throw new Options.UsageException("option --evaluate-from must be an instant like "
                            + "2025-03-12T00:00:00Z, was '" + o.required("evaluate-from") + "'");
                }
            }
            BoundedScoring.Result r = BoundedScoring.run(spool, List.of(model),
                    settings, parallelism(o), new Progress(err, progressEvery, 5_000)).get(0);
            Path scores = outDir.resolve("scores.csv");
            ScoreFile.write(scores, r.scores());
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("Input", (o.has("input-topic") ? "Kafka topic " + o.required("input-topic") : o.required("input"))
                    + " (" + spool.rowsRead() + " records read)");
            facts.put("Model", modelSource);
            facts.put("Bad input rows (skipped)", Long.toString(spool.badRows().count()));
            facts.put("Refused by the job's validation (dead letters)", Long.toString(r.rejected().size()));
            facts.put("Scoring throughput", String.format(Locale.ROOT,
                    "%,.0f events/s (first to last result, parallelism %d; process CPU %.1f µs per event); job %.1f s"
                    + " including Flink start-up. This JVM's first run: includes JIT compilation (steady state:"
                    + " docs/BENCHMARKS.md, \"Bounded replay throughput\")", r.eventsPerSecond(), r.parallelism(),
                    r.cpuMicrosPerEvent(), r.jobNanos() / 1e9));
            facts.put("Pipeline latency under full replay load (p50 / p99 / max)", latency(r.latencyMicros()));
            facts.put("Score file", scores.toString());
            String inputName = o.has("input-topic") ? "topic " + o.required("input-topic")
                    : Path.of(o.required("input")).getFileName().toString();
            List<ScoredTransaction> reported = r.scores();
            if (evaluateFrom != Long.MIN_VALUE) {
                long from = evaluateFrom;
                reported = reported.stream().filter(x -> x.eventTimeMillis() >= from).toList();
                facts.put("Evaluated", "events at or after " + Instant.ofEpochMilli(from) + " (" + reported.size()
                        + " of " + r.scores().size() + " scores; earlier ones only built history)");
            }
            if (pop.equals("true")) {
                facts.put("Point-of-purchase features", "on: counts from the whole input, frauds reported "
                        + labelDelay.toDays() + " d " + labelDelay.toHoursPart() + " h after the transaction");
            }
            Evaluation e = Evaluation.of("Evaluation of " + inputName, r.modelVersion(),
                    r.threshold(), reported, facts);
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

    private static int parallelism(Options o) {
        return (int) Math.min(64, o.positiveLong("parallelism", BoundedScoring.defaultParallelism()));
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
        String graph = o.get("graph", "separate");
        if (!graph.equals("separate") && !graph.equals("one")) {
            throw new Options.UsageException("option --graph must be separate or one, was '" + graph + "'");
        }
        boolean oneGraph = graph.equals("one");
        parallelism(o);
        try (Spool spool = spool(o, err, 100_000)) {
            List<ModelComparison.Row> rows = oneGraph
                    ? ModelComparison.runInOneGraph(spool, variants, seed, runs, parallelism(o), err)
                    : ModelComparison.run(spool, variants, seed, runs, parallelism(o), err);
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
