package io.fraudstream.replay;

import io.fraudstream.datasets.BadRows;
import io.fraudstream.datasets.CardTokens;
import io.fraudstream.datasets.ColumnMapping;
import io.fraudstream.datasets.EventTimeRule;
import io.fraudstream.datasets.InputFormat;
import io.fraudstream.datasets.LabelFile;
import io.fraudstream.datasets.TransactionReader;
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.trainer.bootstrap.BootstrapModel;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.replay.backtest.Backtest;
import io.fraudstream.replay.backtest.BacktestReport;
import io.fraudstream.replay.backtest.BacktestReportWriter;
import io.fraudstream.replay.eval.Evaluation;
import io.fraudstream.rules.RuleCompiler;
import io.fraudstream.rules.RuleSetFiles;
import io.fraudstream.rules.RuleSets;
import io.fraudstream.replay.eval.ReportWriter;
import io.fraudstream.replay.eval.ScoreFile;
import io.fraudstream.model.scoring.AlertBudget;
import io.fraudstream.replay.eval.BudgetedAlerts;
import io.fraudstream.replay.eval.ScoredTransaction;
import io.fraudstream.replay.kafka.KafkaRangeReader;
import io.fraudstream.replay.kafka.KafkaReplayer;
import io.fraudstream.schemas.Topics;
import io.fraudstream.replay.run.BoundedScoring;
import io.fraudstream.replay.run.PointOfPurchaseTables;
import io.fraudstream.replay.run.ModelComparison;
import io.fraudstream.replay.run.PinnedModels;
import io.fraudstream.cli.support.Progress;
import io.fraudstream.replay.run.Spool;
import io.fraudstream.replay.run.StateBootstrap;
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
import java.util.concurrent.Callable;
import io.fraudstream.cli.support.Commands;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The replay commands: {@code evaluate}, {@code compare} and {@code replay} (see {@code docs/REPLAY.md}), offered at
 * the top level of the {@code fraudstream} command ({@link #commands}); {@link #main} runs them standalone.
 * Exit status 0 on success, 2 on a bad command line (the message names the option), 1 on a failure.
 */
@Command(name = "replay-tools", mixinStandardHelpOptions = true, description = "Replays, evaluates and compares"
        + " models on historical data (docs/REPLAY.md).")
public final class ReplayMain implements Runnable {

    /** Reading a Kafka topic instead of a file (evaluate, compare). */
    private static final Set<String> TOPIC_INPUT = Set.of("input-topic", "bootstrap-servers", "partitions",
            "from-offset", "to-offset", "from-time", "to-time", "labels-topic");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private ReplayMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs {@code <command> ...}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new ReplayMain());
        for (Object c : commands(out, err)) {
            cl.addSubcommand(c);
        }
        return Commands.configure(cl, out, err).execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: evaluate, compare,"
                + " replay, bootstrap-state or backtest");
    }

    /** The commands, for the top-level {@code fraudstream} command. */
    public static List<Object> commands(PrintStream out, PrintStream err) {
        return List.of(new Evaluate(out, err), new Compare(out, err), new Replay(out, err),
                new BootstrapState(out, err), new BacktestCommand(out, err));
    }

    /** A file input. */
    static final class FileInput {
        @Option(names = "--input", paramLabel = "FILE", description = "Sparkov/Kaggle CSV, mapped CSV or Avro file"
                + " (.gz read as gzip).")
        String input;
        @Option(names = "--format", paramLabel = "sparkov|csv|avro", description = "Default: avro for *.avro, else"
                + " sparkov.")
        String format;
        @Option(names = "--mapping", paramLabel = "FILE", description = "Column mapping (--format csv).")
        String mapping;
        @Option(names = "--labels", paramLabel = "FILE", description = "Fraud labels (transaction id, label).")
        String labels;
        @Option(names = "--time-zone", paramLabel = "home-longitude|UTC|ZONE", description = "Local times of"
                + " --format sparkov (default home-longitude).")
        String timeZone;
        @Option(names = "--card-token-key-file", paramLabel = "FILE", description = "Secret key for card-number"
                + " tokens (else env FRAUDSTREAM_CARD_TOKEN_KEY_FILE; without one, numeric card ids are refused).")
        String cardTokenKeyFile;
    }

    /**
     * Checks the model-source options ({@link ModelSource}) before any input is read: --public-key and --descriptor
     * need --model-store, and the three must exist; --bootstrap-seed is a positive number and only without a store.
     */
    static void checkModelSource(Options o) {
        if (!o.has("model-store") && (o.has("public-key") || o.has("descriptor"))) {
            throw new Options.UsageException("option --model-store is required with --public-key/--descriptor");
        }
        if (o.has("model-store")) {
            o.existingDir("model-store");
            o.existingFile("public-key");
            o.existingFile("descriptor");
            if (o.has("bootstrap-seed")) {
                throw new Options.UsageException("option --bootstrap-seed cannot be combined with --model-store");
            }
        }
        o.positiveLong("bootstrap-seed", 42);
    }

    /** The model the options name (a verified signed bundle, or the bootstrap model built here) and its description. */
    record ModelChoice(ModelRepository.Factory factory, String description) {}

    static ModelChoice modelChoice(Options o, PrintStream err) throws IOException {
        if (o.has("model-store")) {
            return new ModelChoice(PinnedModels.signedStore(o.existingDir("model-store"), o.existingFile("public-key"),
                    o.existingFile("descriptor")), "signed bundle from " + o.required("model-store") + " (descriptor "
                    + o.required("descriptor") + ")");
        }
        long seed = o.positiveLong("bootstrap-seed", 42);
        err.println("training the bootstrap model (seed " + seed + ") ...");
        return new ModelChoice(PinnedModels.inline(BootstrapModel.create(seed)),
                "bootstrap model, seed " + seed + " (unsigned, built in this process)");
    }

    /** The model that scores: a signed bundle (store, public key, descriptor) or the unsigned bootstrap model. */
    static final class ModelSource {
        @Option(names = "--model-store", paramLabel = "DIR", description = "A signed bundle's store (with"
                + " --public-key and --descriptor, as the job is given them); default: the bootstrap model.")
        String modelStore;
        @Option(names = "--public-key", paramLabel = "FILE", description = "The model-signing public key.")
        String publicKey;
        @Option(names = "--descriptor", paramLabel = "FILE", description = "The bundle's descriptor (the job's"
                + " model.initial-descriptor).")
        String descriptor;
        @Option(names = "--bootstrap-seed", paramLabel = "N", description = "Seed of the unsigned bootstrap model"
                + " (default 42).")
        String bootstrapSeed;
    }

    /** A Kafka topic slice as input (evaluate, compare). */
    static final class TopicInput {
        @Option(names = "--input-topic", paramLabel = "NAME", description = "Read this topic instead of a file.")
        String inputTopic;
        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT")
        String bootstrapServers;
        @Option(names = "--partitions", paramLabel = "P,P,..", description = "Default: all.")
        String partitions;
        @Option(names = "--from-offset", paramLabel = "N|P:N,..")
        String fromOffset;
        @Option(names = "--to-offset", paramLabel = "N|P:N,..")
        String toOffset;
        @Option(names = "--from-time", paramLabel = "T", description = "2019-06-01T00:00:00Z or epoch ms.")
        String fromTime;
        @Option(names = "--to-time", paramLabel = "T")
        String toTime;
        @Option(names = "--labels-topic", paramLabel = "NAME", description = "Default: fraud-labels (unless --labels).")
        String labelsTopic;
    }

    /** Shared by the three commands: streams and the parsed options. */
    abstract static class ReplayCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        final PrintStream out;
        final PrintStream err;

        ReplayCommand(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        Options options() {
            return new Options(spec.commandLine().getParseResult());
        }
    }

    @Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Scores a file or topic slice with a model through the job's scoring code and writes a report (HTML, JSON,"
            + " Markdown, charts, scores.csv) to --out; or reports on an existing score file (--scores)."})
    static final class Evaluate extends ReplayCommand {
        @Mixin
        FileInput file;
        @Mixin
        TopicInput topic;
        @Option(names = "--out", paramLabel = "DIR", description = "Report directory (required).")
        String outDir;
        @Option(names = "--scores", paramLabel = "FILE", description = "Report on this score file; no scoring.")
        String scores;
        @Option(names = "--threshold", paramLabel = "T", description = "With --scores: alert threshold in [0, 1].")
        String threshold;
        @Option(names = "--title", paramLabel = "TEXT", description = "With --scores: report title.")
        String title;
        @Mixin
        ModelSource model;
        @Option(names = "--progress-every", paramLabel = "N", description = "Progress line every N records (default"
                + " 50000; also every 5 s).")
        String progressEvery;
        @Option(names = "--parallelism", paramLabel = "N", description = "Default: the machine's cores, at most 64.")
        String parallelism;
        @Option(names = "--point-of-purchase", paramLabel = "true|false", description = "Merchant/terminal features"
                + " (default false; a model trained with them needs true).")
        String pointOfPurchase;
        @Option(names = "--label-delay", paramLabel = "D", description = "Fraud report delay: 7d, 36h, PT36H"
                + " (default 7d).")
        String labelDelay;
        @Option(names = "--evaluate-from", paramLabel = "T", description = "Score everything, report only events at"
                + " or after T (earlier ones only build history).")
        String evaluateFrom;
        @Option(names = "--evaluate-to", paramLabel = "T", description = "Report only events before T (exclusive);"
                + " with --evaluate-from: a test window, e.g. the one a trainer run recorded in its bundle.")
        String evaluateTo;
        @Option(names = "--alert-budget", paramLabel = "SHARE", description = "The alert budget the model's threshold"
                + " was chosen for (the trainer's --alert-budget, e.g. 0.01): the report sets the alert rate against"
                + " it, at the model's threshold and held on live scores as the job's alert.budget holds it.")
        String alertBudget;
        @Option(names = "--budget-window", paramLabel = "D", description = "With --alert-budget: the job's"
                + " alert.budget-window (default 24h).")
        String budgetWindow;
        @Option(names = "--budget-min-alerts", paramLabel = "N", description = "With --alert-budget: the job's"
                + " alert.budget-min-alerts (default 100).")
        String budgetMinAlerts;

        Evaluate(PrintStream out, PrintStream err) {
            super(out, err);
        }

        @Override
        public Integer call() throws Exception {
            evaluate(options(), out, err);
            return 0;
        }
    }

    @Command(name = "backtest", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Backtests candidate analyst rules (a rule-set JSON file, docs/RULES.md) on a file: scores it with the job's"
            + " topology and evaluates the rules with the job's RuleStage, then writes hits per day, precision and"
            + " recall, alerts added and removed and the alert-rate change, with examples (HTML, Markdown, JSON, PNG)"
            + " to --out."})
    static final class BacktestCommand extends ReplayCommand {
        @Option(names = "--rules", paramLabel = "FILE", description = "The candidate rule set (JSON; required).")
        String rules;
        @Mixin
        FileInput file;
        @Option(names = "--out", paramLabel = "DIR", description = "Report directory (required).")
        String outDir;
        @Option(names = "--from", paramLabel = "T", description = "Report only events at or after T"
                + " (2019-06-01T00:00:00Z); earlier ones only build history.")
        String from;
        @Option(names = "--to", paramLabel = "T", description = "Report only events before T (exclusive).")
        String to;
        @Mixin
        ModelSource model;
        @Option(names = "--parallelism", paramLabel = "N", description = "Default: the machine's cores, at most 8.")
        String parallelism;
        @Option(names = "--progress-every", paramLabel = "N", description = "Progress line every N records (default"
                + " 50000; also every 5 s).")
        String progressEvery;

        BacktestCommand(PrintStream out, PrintStream err) {
            super(out, err);
        }

        @Override
        public Integer call() throws Exception {
            backtest(options(), out, err);
            return 0;
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false, description = "Trains and"
            + " scores model variants on one input (a time split) and prints a Markdown table.")
    static final class Compare extends ReplayCommand {
        @Mixin
        FileInput file;
        @Mixin
        TopicInput topic;
        @Option(names = "--models", paramLabel = "k16,k32,..", description = "Variants: kN, dense, none (default"
                + " k16,k32,k64,dense,none).")
        String models;
        @Option(names = "--runs", paramLabel = "N", description = "Seeds per variant (default 3).")
        String runs;
        @Option(names = "--seed", paramLabel = "N", description = "First seed (default 42).")
        String seed;
        @Option(names = "--out", paramLabel = "FILE.md", description = "Also write the table here.")
        String outFile;
        @Option(names = "--graph", paramLabel = "separate|one", description = "One Flink graph per variant, or all"
                + " in one (default separate).")
        String graph;
        @Option(names = "--parallelism", paramLabel = "N")
        String parallelism;

        Compare(PrintStream out, PrintStream err) {
            super(out, err);
        }

        @Override
        public Integer call() throws Exception {
            compare(options(), out, err);
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false, description = "Writes a file's"
            + " transactions to a Kafka topic, at event-time speed times a factor or as fast as possible.")
    static final class Replay extends ReplayCommand {
        @Mixin
        FileInput file;
        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Required.")
        String bootstrapServers;
        @Option(names = "--topic", paramLabel = "NAME", description = "Default: transactions.")
        String topic;
        @Option(names = "--speed", paramLabel = "1|60|max|FACTOR", description = "Default: max.")
        String speed;
        @Option(names = "--progress-every", paramLabel = "N", description = "Default: 50000.")
        String progressEvery;

        Replay(PrintStream out, PrintStream err) {
            super(out, err);
        }

        @Override
        public Integer call() throws Exception {
            replay(options(), out, err);
            return 0;
        }
    }

    @Command(name = "bootstrap-state", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Writes a savepoint of the scoring job's card state from a historical file: every card's last W"
            + " transactions, raw fields only (W: the window of the champion the job starts with). Start the job"
            + " from it (execution.state-recovery.path) and the first day is scored on full histories"
            + " (docs/DEPLOYMENT.md)."})
    static final class BootstrapState extends ReplayCommand {
        @Mixin
        FileInput file;
        @Option(names = "--out", paramLabel = "DIR", description = "Savepoint directory (required; new or empty).")
        String outDir;
        @Mixin
        ModelSource model;
        @Option(names = "--max-parallelism", paramLabel = "N", description = "The job's pipeline.max-parallelism"
                + " (default 128, the job's default).")
        String maxParallelism;
        @Option(names = "--card-ttl", paramLabel = "D", description = "The job's state.card-ttl (default 90d).")
        String cardTtl;
        @Option(names = "--state-backend", paramLabel = "hashmap|rocksdb", description = "While writing: heap or"
                + " local disk (default hashmap); the savepoint restores into either.")
        String stateBackend;
        @Option(names = "--parallelism", paramLabel = "N", description = "Default: the machine's cores, at most 8.")
        String parallelism;
        @Option(names = "--progress-every", paramLabel = "N", description = "Default: 50000.")
        String progressEvery;

        BootstrapState(PrintStream out, PrintStream err) {
            super(out, err);
        }

        @Override
        public Integer call() throws Exception {
            bootstrapState(options(), out, err);
            return 0;
        }
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
            long[] window = evaluationWindow(o);
            List<ScoredTransaction> all = rows;
            rows = inWindow(rows, window, facts);
            alertBudgetFact(o, all, window, threshold, facts);
            Evaluation e = Evaluation.of(o.get("title", "Evaluation"), "(from score file)", threshold, rows, facts);
            ReportWriter.write(e, outDir);
            out.println(ReportWriter.markdown(e).lines().limit(16).reduce("", (a, b) -> a + b + "\n"));
            return;
        }
        long progressEvery = o.positiveLong("progress-every", 50_000);
        checkModelSource(o);
        parallelism(o);
        // The input is read (and every input option validated) before the model is built or trained.
        try (Spool spool = spool(o, err, progressEvery)) {
            ModelChoice chosen = modelChoice(o, err);
            ModelRepository.Factory model = chosen.factory();
            String modelSource = chosen.description();
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
            long[] window = evaluationWindow(o);
            if (o.has("alert-budget")) {
                budgetSettings(o, budget(o));
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
            List<ScoredTransaction> reported = inWindow(r.scores(), window, facts);
            alertBudgetFact(o, r.scores(), window, r.threshold(), facts);
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

    private static void backtest(Options o, PrintStream out, PrintStream err) throws Exception {
        Path outDir = Path.of(o.required("out"));
        RuleSet candidate;
        try {
            candidate = RuleSetFiles.read(o.existingFile("rules"));
        } catch (RuleSetFiles.FormatException e) {
            throw new Options.UsageException("option --rules: " + e.getMessage());
        }
        try {
            RuleSets.compile(candidate, new RuleCompiler());
        } catch (RuleSets.RefusedException e) {
            throw new Options.UsageException("option --rules: " + e.getMessage());
        }
        Path input = o.existingFile("input");
        InputFormat format;
        try {
            format = o.has("format") ? InputFormat.parse(o.get("format", "")) : null;
        } catch (IllegalArgumentException e) {
            throw new Options.UsageException("option --format " + e.getMessage());
        }
        if (format == InputFormat.CSV && !o.has("mapping")) {
            throw new Options.UsageException("option --mapping is required with --format csv");
        }
        if (format != InputFormat.CSV && o.has("mapping")) {
            throw new Options.UsageException("option --mapping applies to --format csv only");
        }
        checkModelSource(o);
        Instant from = o.has("from") ? Instant.ofEpochMilli(instantOption(o, "from")) : null;
        Instant to = o.has("to") ? Instant.ofEpochMilli(instantOption(o, "to")) : null;
        if (from != null && to != null && !from.isBefore(to)) {
            throw new Options.UsageException("option --from must be before --to");
        }
        if (o.has("time-zone") && format != null && format != InputFormat.SPARKOV) {
            throw new Options.UsageException("option --time-zone applies to --format sparkov only");
        }
        if (o.has("time-zone")) {
            try {
                ColumnMapping.sparkov(o.required("time-zone"));
            } catch (IllegalArgumentException e) {
                throw new Options.UsageException("option --time-zone: " + e.getMessage());
            }
        }
        Backtest.Request request = new Backtest.Request(input, format,
                o.has("mapping") ? o.existingFile("mapping") : null, o.has("labels") ? o.existingFile("labels") : null,
                o.get("time-zone", null),
                o.has("card-token-key-file") ? o.existingFile("card-token-key-file") : null, from, to,
                o.has("model-store") ? o.existingDir("model-store") : null,
                o.has("model-store") ? o.existingFile("public-key") : null,
                o.has("model-store") ? o.existingFile("descriptor") : null,
                o.positiveLong("bootstrap-seed", 42), parallelism(o));
        long progressEvery = o.positiveLong("progress-every", 50_000);
        BacktestReport report;
        try {
            report = Backtest.run(candidate, request, new Progress(err, progressEvery, 5_000));
        } catch (IllegalArgumentException e) {
            throw new Options.UsageException(e.getMessage());
        }
        BacktestReportWriter.write(report, outDir);
        out.println(BacktestReportWriter.markdown(report).lines().takeWhile(l -> !l.startsWith("Expressions:"))
                .reduce("", (a, b) -> a + b + "\n"));
        out.println("report: " + outDir.resolve("report.html"));
    }

    /** {@code --evaluate-from}/{@code --evaluate-to} as {from, to} epoch ms (MIN/MAX when absent). */
    static long[] evaluationWindow(Options o) {
        long from = o.has("evaluate-from") ? instantOption(o, "evaluate-from") : Long.MIN_VALUE;
        long to = o.has("evaluate-to") ? instantOption(o, "evaluate-to") : Long.MAX_VALUE;
        if (from >= to) {
            throw new Options.UsageException("option --evaluate-from must be before --evaluate-to");
        }
        return new long[] {from, to};
    }

    private static long instantOption(Options o, String name) {
        try {
            return Instant.parse(o.required(name)).toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            throw new Options.UsageException("option --" + name + " must be an instant like 2025-03-12T00:00:00Z, was '"
                    + o.required(name) + "'");
        }
    }

    /** The rows of the window; says in the facts what was left out. */
    static List<ScoredTransaction> inWindow(List<ScoredTransaction> all, long[] window, Map<String, String> facts) {
        if (window[0] == Long.MIN_VALUE && window[1] == Long.MAX_VALUE) {
            return all;
        }
        List<ScoredTransaction> in = all.stream()
                .filter(x -> x.eventTimeMillis() >= window[0] && x.eventTimeMillis() < window[1]).toList();
        facts.put("Evaluated", "events in [" + (window[0] == Long.MIN_VALUE ? "start" : Instant.ofEpochMilli(window[0]))
                + ", " + (window[1] == Long.MAX_VALUE ? "end" : Instant.ofEpochMilli(window[1])) + ") (" + in.size()
                + " of " + all.size() + " scores; the others only built history)");
        return in;
    }

    private static double budget(Options o) {
        double b = o.probability("alert-budget");
        if (!(b > 0)) {
            throw new Options.UsageException("option --alert-budget must be in (0, 1], was " + o.required("alert-budget"));
        }
        return b;
    }

    /**
     * With {@code --alert-budget}: the share of reported transactions (those of {@code all} inside {@code window}) at or
     * over the model's threshold, against the budget; and the same with the budget held on live scores
     * ({@link BudgetedAlerts}: the job's {@code alert.budget} rule, every earlier score warming it up).
     */
    static void alertBudgetFact(Options o, List<ScoredTransaction> all, long[] window, double threshold,
            Map<String, String> facts) {
        if (!o.has("alert-budget")) {
            for (String needs : new String[] {"budget-window", "budget-min-alerts"}) {
                if (o.has(needs)) {
                    throw new Options.UsageException("option --" + needs + " needs --alert-budget");
                }
            }
            return;
        }
        double budget = budget(o);
        AlertBudget.Settings live = budgetSettings(o, budget);
        java.util.function.Predicate<ScoredTransaction> inWindow =
                x -> x.eventTimeMillis() >= window[0] && x.eventTimeMillis() < window[1];
        List<ScoredTransaction> rows = all.stream().filter(inWindow).toList();
        if (Double.isNaN(threshold) || rows.isEmpty()) {
            facts.put("Alert rate vs budget", "no threshold or no rows; budget " + pct(budget));
            return;
        }
        long alerts = rows.stream().filter(x -> x.score() >= threshold).count();
        double rate = alerts / (double) rows.size();
        facts.put("Alert rate vs budget", String.format(Locale.ROOT, "%s (%,d of %,d transactions) vs budget %s:"
                + " %.2fx the budget", pct(rate), alerts, rows.size(), pct(budget), rate / budget));
        BudgetedAlerts b = BudgetedAlerts.of(all, live, threshold, inWindow);
        facts.put("Alert rate with the budget held on live scores", String.format(Locale.ROOT,
                "%s (%,d of %,d): %.2fx the budget; recall %.3f, precision %.3f; threshold %s..%s, %,d decided at the"
                + " model's own while the window was thin (alert.budget=%s, alert.budget-window=%s,"
                + " alert.budget-min-alerts=%d)", pct(b.alertRate()), b.alerts(), b.rows(), b.alertRate() / budget,
                b.recall(), b.precision(), num(b.minThreshold()), num(b.maxThreshold()), b.onFallback(),
                Double.toString(budget), o.get("budget-window", "24h"), live.minAlerts()));
    }

    private static AlertBudget.Settings budgetSettings(Options o, double budget) {
        if (budget > 0.5) {
            throw new Options.UsageException("option --alert-budget must be at most 0.5 to be held on live scores, was "
                    + o.required("alert-budget"));
        }
        java.time.Duration w = o.duration("budget-window", AlertBudget.Settings.DEFAULT_WINDOW);
        if (w.compareTo(java.time.Duration.ofMinutes(24)) < 0) {
            throw new Options.UsageException("option --budget-window must be at least 24 min, was "
                    + o.required("budget-window"));
        }
        long min = o.positiveLong("budget-min-alerts", AlertBudget.Settings.DEFAULT_MIN_ALERTS);
        return new AlertBudget.Settings(budget, w.toMillis(), (int) Math.min(Integer.MAX_VALUE, min));
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.2f %%", 100 * share);
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

    private static void bootstrapState(Options o, PrintStream out, PrintStream err) throws Exception {
        Path outDir = Path.of(o.required("out"));
        if (Files.isDirectory(outDir)) {
            try (var entries = Files.list(outDir)) {
                if (entries.findAny().isPresent()) {
                    throw new Options.UsageException("option --out: directory is not empty: " + outDir);
                }
            }
        } else if (Files.exists(outDir)) {
            throw new Options.UsageException("option --out: not a directory: " + outDir);
        }
        checkModelSource(o);
        long maxParallelism = o.positiveLong("max-parallelism", 128);
        if (maxParallelism > 32768) {
            throw new Options.UsageException("option --max-parallelism must be at most 32768, was " + maxParallelism);
        }
        java.time.Duration ttl = o.duration("card-ttl", java.time.Duration.ofDays(90));
        if (ttl.isZero() || ttl.isNegative()) {
            throw new Options.UsageException("option --card-ttl must be positive, was '" + o.get("card-ttl", "") + "'");
        }
        String backend = o.get("state-backend", "hashmap");
        if (!backend.equals("hashmap") && !backend.equals("rocksdb")) {
            throw new Options.UsageException("option --state-backend must be hashmap or rocksdb, was '" + backend + "'");
        }
        int parallelism = (int) Math.min(Math.min(64, maxParallelism),
                o.positiveLong("parallelism", BoundedScoring.defaultParallelism()));
        long progressEvery = o.positiveLong("progress-every", 50_000);
        try (Spool spool = spool(o, err, progressEvery)) {
            ModelChoice chosen = modelChoice(o, err);
            ModelRepository.Factory model = chosen.factory();
            String modelSource = chosen.description();
            StateBootstrap.Settings settings = StateBootstrap.Settings.defaults(parallelism)
                    .withMaxParallelism((int) maxParallelism).withStateBackend(backend)
                    .withCardTtlMillis(ttl.toMillis());
            err.println("writing card state of " + spool.records() + " records to " + outDir + " ...");
            StateBootstrap.Result r = StateBootstrap.write(spool, model, settings, outDir);
            out.printf(Locale.ROOT, "savepoint %s: %,d cards, %,d transactions stored (%,d duplicates skipped, %,d"
                    + " refused by validation, %,d bad rows) in %.1f s; champion %s; max parallelism %d%n",
                    outDir.toUri(), r.cards(), r.stored(), r.duplicates(), r.rejected(), spool.badRows().count(),
                    r.nanos() / 1e9, modelSource, maxParallelism);
            for (StateBootstrap.Refusal refusal : r.refusals()) {
                out.println("  refused: " + refusal);
            }
            out.println("start the job from it: --execution.state-recovery.path " + outDir.toUri()
                    + " (with pipeline.max-parallelism " + maxParallelism + ")");
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
