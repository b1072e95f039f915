package io.fraudstream.trainer;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.cli.support.Commands;
import io.fraudstream.cli.support.UsageException;
import io.fraudstream.cli.support.Progress;
import io.fraudstream.datasets.CardTokens;
import io.fraudstream.features.AttentionMode;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.trainer.bootstrap.BootstrapModel;
import io.fraudstream.model.FeatureBlock;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.schemas.Topics;
import io.fraudstream.simulator.SimulatorConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The trainer's commands: {@code train}, {@code loop}, {@code promote}, {@code rollback} ({@link #commands}); the
 * {@code fraudstream} command offers them at its top level, and {@link #main} runs them standalone as
 * {@code trainer <command>} (the compose stack and the Kubernetes CronJob do).
 *
 * <p>Exit status: 0 done, 1 failed, 2 bad command line (the message names the option). Sets
 * {@code ai.djl.offline=true} when the property is absent: DJL must never download anything.
 */
@Command(name = "trainer", mixinStandardHelpOptions = true, description = "Relearns, publishes, promotes and rolls"
        + " back fraud models (docs/TRAINER.md).")
public final class TrainerMain implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerMain.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, Clock.systemUTC()));
    }

    /** Runs {@code trainer <command> ...}; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
        CommandLine cl = new CommandLine(new TrainerMain());
        for (Object c : commands(clock, out)) {
            cl.addSubcommand(c);
        }
        return Commands.configure(cl, out, err).execute(args);
    }

    /** {@code trainer} alone: the list of commands; a usage error (exit 2) as before. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: train, loop, promote"
                + " or rollback");
    }

    /** The commands, for {@code trainer} and for the top-level {@code fraudstream} command. */
    public static List<Object> commands(Clock clock, PrintStream out) {
        return List.of(new Train(clock), new Loop(clock), new Promote(clock, out), new Rollback(clock, out));
    }

    private static void djlOffline() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true"); // never download natives, even when launched bare
        }
    }

    /** Where models live and go: every command has these. */
    static final class StoreOptions {
        @Option(names = "--store", paramLabel = "DIR", required = true, description = "Model store (signed bundles).")
        Path store;

        @Option(names = "--keys", paramLabel = "DIR", required = true, description = "Signing keys (created when"
                + " missing; the private key never leaves this directory).")
        Path keys;

        @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "Publish descriptors to this cluster (and"
                + " read it with --data kafka).")
        String kafka;

        @Option(names = "--topic", paramLabel = "NAME", defaultValue = "model-updates", description = "Descriptor"
                + " topic.")
        String topic;
    }

    /** Options of {@code train} and {@code loop}. */
    static final class TrainOptions {
        @Option(names = "--data", paramLabel = "FILE|simulator|kafka", required = true, description = "Labelled"
                + " history: a Sparkov CSV (.csv[.gz]), the simulator, or the --kafka cluster's topics.")
        String data;

        @Option(names = "--card-token-key-file", paramLabel = "FILE", description = "--data FILE: secret key for"
                + " card-number tokens, the same as replay's and the producers' (else env"
                + " FRAUDSTREAM_CARD_TOKEN_KEY_FILE); files with card numbers need it.")
        String cardTokenKeyFile;

        @Option(names = "--shadow-period", paramLabel = "D", defaultValue = "8h", description = "How long a"
                + " candidate shadows the champion before the gates decide (0: at once).")
        Duration shadowPeriod;

        @Option(names = "--alert-budget", paramLabel = "SHARE", defaultValue = "0.01", description = "Share of"
                + " transactions that may alert; sets the threshold.")
        double alertBudget;

        @Option(names = "--ap-margin", paramLabel = "ABS", defaultValue = "0.02", description = "Average precision"
                + " a candidate may lose against the champion.")
        double apMargin;

        @Option(names = "--min-alert-rate", paramLabel = "SHARE", description = "Lowest acceptable alert rate"
                + " (default: budget / 2).")
        Double minAlertRate;

        @Option(names = "--max-alert-rate", paramLabel = "SHARE", description = "Highest acceptable alert rate"
                + " (default: 2 x budget).")
        Double maxAlertRate;

        @Option(names = "--gap", paramLabel = "D", defaultValue = "7d", description = "Gap between training and"
                + " validation data.")
        Duration gap;

        @Option(names = "--validation", paramLabel = "D", defaultValue = "15d", description = "Validation span (the"
                + " newest data).")
        Duration validation;

        @Option(names = "--train-window", paramLabel = "D", description = "Training span (default: all before the"
                + " gap).")
        Duration trainWindow;

        @Option(names = "--train-from", paramLabel = "DATE|INSTANT", description = "Explicit split (all four of"
                + " --train-from/--train-to/--validation-from/--validation-to, or none).")
        String trainFrom;

        @Option(names = "--train-to", paramLabel = "DATE|INSTANT")
        String trainTo;

        @Option(names = "--validation-from", paramLabel = "DATE|INSTANT")
        String validationFrom;

        @Option(names = "--validation-to", paramLabel = "DATE|INSTANT")
        String validationTo;

        @Option(names = "--test-from", paramLabel = "DATE|INSTANT", description = "A test window (with --test-to),"
                + " at or after the end of validation: scored once after every choice is made, only reported (bundle"
                + " metrics test.*).")
        String testFrom;

        @Option(names = "--test-to", paramLabel = "DATE|INSTANT")
        String testTo;

        @Option(names = "--epochs", paramLabel = "N", defaultValue = "4", description = "Attention training epochs.")
        int epochs;

        @Option(names = "--max-history", paramLabel = "N", defaultValue = "64", description = "History per training"
                + " pair.")
        int maxHistory;

        @Option(names = "--max-pairs", paramLabel = "N", defaultValue = "8192", description = "Training pairs per"
                + " epoch.")
        int maxPairs;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256")
        int batchSize;

        @Option(names = "--learning-rate", paramLabel = "X", defaultValue = "0.01")
        double learningRate;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "42")
        long seed;

        @Option(names = "--lambdas", paramLabel = "A,B,..", defaultValue = "0.001,0.01,0.1,1,10,100", description = "L2"
                + " strengths the classifier tries.")
        String lambdas;

        @Option(names = "--classifier-negatives", paramLabel = "N", defaultValue = "100000", description = "Genuine"
                + " rows the classifier fit samples at most (0 = all).")
        int classifierNegatives;

        @Option(names = "--attention", paramLabel = "MODE", defaultValue = "learned", description = "learned,"
                + " seeded, none, or keep (the champion's extractor and weights version; classifier retrained only).")
        String attention;

        @Option(names = "--dim", paramLabel = "D", defaultValue = "32")
        int dim;

        @Option(names = "--heads", paramLabel = "H", defaultValue = "4")
        int heads;

        @Option(names = "--k", paramLabel = "K", defaultValue = "32", description = "Attended past transactions.")
        int k;

        @Option(names = "--window", paramLabel = "W", defaultValue = "1024", description = "Card history length.")
        int window;

        @Option(names = "--point-of-purchase", paramLabel = "true|false", arity = "1", defaultValue = "false",
                description = "Add merchant/terminal risk features (docs/POINT_OF_PURCHASE.md).")
        boolean pointOfPurchase;

        @Option(names = "--class-weight", paramLabel = "none|balanced", defaultValue = "none", description = "How"
                + " the classifier fit weighs fraud rows: none (every row once) or balanced (fraud replicated until"
                + " the classes weigh the same; better AUC, worse AP).")
        String classWeight;

        @Option(names = "--feature-blocks", paramLabel = "LIST", description = "Further feature blocks,"
                + " comma-separated: card-windows (the amount against the card's 1/7/30-day and category means),"
                + " transaction-fields (category, amount per category, local time of day), amount-bins (the amount"
                + " one-hot over quarter-octave bins), pop-ratios"
                + " (merchant/terminal fraud ratios; needs --point-of-purchase true), or none. Default: card-windows,"
                + "transaction-fields,amount-bins, and pop-ratios with --point-of-purchase true (docs/TRAINER.md).")
        String featureBlocks;

        @Option(names = "--label-delay", paramLabel = "D", description = "When a fraud was reported, for files"
                + " without report times (default 7d; with --point-of-purchase true).")
        Duration labelDelay;

        @Option(names = "--sim-cards", paramLabel = "N", description = "--data simulator: cards (default 300).")
        Integer simCards;

        @Option(names = "--sim-days", paramLabel = "N", description = "--data simulator: days (default 60).")
        Integer simDays;

        @Option(names = "--sim-seed", paramLabel = "N", description = "--data simulator: seed (default 42).")
        Long simSeed;

        @Option(names = "--sim-start", paramLabel = "DATE|INSTANT", description = "--data simulator: first day"
                + " (default 2025-01-01).")
        String simStart;

        @Option(names = "--sim-transactions", paramLabel = "N", description = "--data simulator: first N"
                + " transactions only (default all).")
        Integer simTransactions;

        @Option(names = "--from-time", paramLabel = "DATE|INSTANT|D", description = "--data kafka (required): start,"
                + " or a duration before --to-time.")
        String fromTime;

        @Option(names = "--to-time", paramLabel = "DATE|INSTANT|now", description = "--data kafka: end (default"
                + " now, each cycle's start).")
        String toTime;

        @Option(names = "--transactions-topic", paramLabel = "NAME", description = "--data kafka (default"
                + " transactions).")
        String transactionsTopic;

        @Option(names = "--labels-topic", paramLabel = "NAME", description = "--data kafka (default fraud-labels).")
        String labelsTopic;
    }

    /** {@code train}: one cycle. */
    @Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
            description = "Trains a candidate, publishes it as a shadow (or decides at once with --shadow-period 0)"
                    + " and applies the promote/rollback gates to the pending shadow.")
    static class Train implements Callable<Integer> {
        @Mixin
        StoreOptions store = new StoreOptions();
        @Mixin
        TrainOptions train = new TrainOptions();
        final Clock clock;

        Train(Clock clock) {
            this.clock = clock;
        }

        Duration every() {
            return null;
        }

        @Override
        public Integer call() throws Exception {
            djlOffline();
            return TrainerMain.train(store, train, clock, every());
        }
    }

    /** {@code loop}: a cycle every {@code --every} until stopped. */
    @Command(name = "loop", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
            description = "Runs train's cycle every --every until stopped; a failed cycle is logged and retried on"
                    + " the next one.")
    static final class Loop extends Train {
        @Option(names = "--every", paramLabel = "D", required = true, description = "Time between cycles, e.g. 8h.")
        Duration every;

        Loop(Clock clock) {
            super(clock);
        }

        @Override
        Duration every() {
            if (every.isZero()) {
                throw new UsageException("--every must be a positive duration, e.g. 8h");
            }
            return every;
        }
    }

    /** {@code promote <version>}. */
    @Command(name = "promote", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Makes a stored version the champion (publishes its descriptor).")
    static final class Promote implements Callable<Integer> {
        @Parameters(paramLabel = "VERSION", description = "The model version to promote.")
        String version;
        @Mixin
        StoreOptions store = new StoreOptions();
        final Clock clock;
        final PrintStream out;

        Promote(Clock clock, PrintStream out) {
            this.clock = clock;
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            try (Env env = env(store, clock)) {
                ModelDescriptor d = env.registry.promote(version, "manual promote", Map.of());
                out.println("champion is now " + d.getModelVersion());
                return 0;
            }
        }
    }

    /** {@code rollback}. */
    @Command(name = "rollback", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Retires the pending shadow; without one, restores the previous champion. Exit 1 when"
                    + " there is nothing to roll back.")
    static final class Rollback implements Callable<Integer> {
        @Mixin
        StoreOptions store = new StoreOptions();
        final Clock clock;
        final PrintStream out;

        Rollback(Clock clock, PrintStream out) {
            this.clock = clock;
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            try (Env env = env(store, clock)) {
                // The same call as the console's model page (one rollback path).
                ModelRegistry.Rollback r = env.registry.rollback("manual rollback");
                switch (r.action()) {
                    case "RETIRED_SHADOW" -> out.println("retired shadow " + r.descriptor().get().getModelVersion());
                    case "RESTORED_CHAMPION" -> out.println("champion is now " + r.descriptor().get().getModelVersion()
                            + " (the previous champion's model)");
                    default -> {
                        out.println("nothing to roll back: no shadow and no previous champion");
                        return 1;
                    }
                }
                return 0;
            }
        }
    }

    /** One cycle, or (with {@code every}) cycles until stopped. */
    private static int train(StoreOptions store, TrainOptions o, Clock clock, Duration every) throws Exception {
        boolean loop = every != null;
        ModelCycle.DataSource source = withPointOfPurchase(o, dataSource(o, store.kafka, clock));
        TrainerSettings settings = trainerSettings(o);
        Gates gates = gates(o, settings.alertBudget());
        TimeSplit fixed = split(o);
        TestWindow test = testWindow(o, fixed);
        ModelCycle.Settings cycle = new ModelCycle.Settings(fixed, o.trainWindow, o.gap, o.validation,
                o.shadowPeriod, gates, 42L);
        try (Env env = env(store, clock)) {
            // A bar per stage on a terminal; off one, a line every 5 s and one per finished stage.
            ModelTrainer trainer = new ModelTrainer(settings, new Progress(System.err, Long.MAX_VALUE, 5_000));
            ModelRegistry registry = env.registry;
            // keep: each cycle retrains the classifier over the extractor of the champion of that moment.
            ModelCycle.CandidateTrainer candidates = "keep".equals(o.attention)
                    ? (d, s, v, at) -> trainer.trainClassifierOnly(d, s, v, at, championModel(registry))
                    : trainer::train;
            if (test != null) {
                candidates = test.around(candidates, settings.alertBudget());
            }
            ModelCycle c = new ModelCycle(source, candidates, env.registry, cycle, clock);
            while (true) {
                try {
                    ModelCycle.Report r = c.runOnce();
                    LOG.info("Cycle done in {} ms: candidate {}; {}; champion {}", r.millis(), r.candidate(),
                            r.decision().orElse("no decision yet (shadow period running)"), r.championEvaluation());
                } catch (Exception e) {
                    if (!loop) {
                        throw e;
                    }
                    LOG.error("Cycle failed; the next one runs in {}", every, e);
                }
                if (!loop) {
                    return 0;
                }
                Thread.sleep(every.toMillis());
            }
        }
    }

    /** The registry's champion, loaded and verified; before any promotion the bootstrap model the job starts with. */
    static FraudModel championModel(ModelRegistry registry) {
        try {
            Optional<ModelDescriptor> champion = registry.champion();
            return champion.isPresent() ? registry.load(champion.get()) : BootstrapModel.create(42L);
        } catch (Exception e) {
            throw new IllegalStateException("--attention keep: cannot load the champion's extractor: " + e, e);
        }
    }

    /** Store, keys, sink and registry, closed together. */
    private static final class Env implements AutoCloseable {
        final DescriptorSink sink;
        final ModelRegistry registry;

        Env(DescriptorSink sink, ModelRegistry registry) {
            this.sink = sink;
            this.registry = registry;
        }

        @Override
        public void close() {
            sink.close();
        }
    }

    private static Env env(StoreOptions o, Clock clock) throws Exception {
        if (Files.exists(o.store) && !Files.isDirectory(o.store)) {
            throw new UsageException("--store " + o.store + " is not a directory");
        }
        if (Files.exists(o.keys) && !Files.isDirectory(o.keys)) {
            throw new UsageException("--keys " + o.keys + " is not a directory");
        }
        if (o.topic.isBlank()) {
            throw new UsageException("--topic must not be empty");
        }
        KeyPair pair = SigningKeys.loadOrCreate(o.keys);
        DescriptorSink sink = o.kafka != null
                ? new KafkaDescriptorSink(o.kafka, o.topic, Duration.ofSeconds(60)) : DescriptorSink.NONE;
        try {
            return new Env(sink, new ModelRegistry(new ModelStore(o.store), pair, sink, clock));
        } catch (Exception e) {
            sink.close();
            throw e;
        }
    }

    /** The feature blocks a model gets unless --feature-blocks says otherwise (docs/TRAINER.md, issue 16). */
    static final String DEFAULT_BLOCKS = "card-windows,transaction-fields,amount-bins";

    /**
     * {@code --point-of-purchase true}: the data's transactions and frauds counted per merchant and terminal, frauds
     * from their report time (the simulator's and the fraud-labels topic's own; {@code --label-delay} after the
     * transaction for files, which carry only a fraud flag).
     */
    static ModelCycle.DataSource withPointOfPurchase(TrainOptions o, ModelCycle.DataSource source) {
        if (!o.pointOfPurchase) {
            if (o.labelDelay != null) {
                throw new UsageException("--label-delay only applies with --point-of-purchase true");
            }
            return source;
        }
        Duration delay = o.labelDelay != null ? o.labelDelay : Duration.ofDays(7);
        return () -> source.load().withPointOfPurchase(delay);
    }

    private static ModelCycle.DataSource dataSource(TrainOptions o, String kafka, Clock clock) {
        String data = o.data;
        if (data.equals("kafka")) {
            return kafkaSource(o, kafka, clock);
        }
        Map<String, Object> kafkaOnly = new java.util.LinkedHashMap<>();
        kafkaOnly.put("from-time", o.fromTime);
        kafkaOnly.put("to-time", o.toTime);
        kafkaOnly.put("transactions-topic", o.transactionsTopic);
        kafkaOnly.put("labels-topic", o.labelsTopic);
        kafkaOnly.forEach((k, v) -> {
            if (v != null) {
                throw new UsageException("--" + k + " only applies to --data kafka");
            }
        });
        if (data.equals("simulator")) {
            int cards = atLeast("--sim-cards", o.simCards, 300, 1);
            int days = atLeast("--sim-days", o.simDays, 60, 1);
            long seed = o.simSeed != null ? o.simSeed : 42;
            Instant start = o.simStart != null ? instant("--sim-start", o.simStart)
                    : Instant.parse("2025-01-01T00:00:00Z");
            long max = o.simTransactions != null ? atLeast("--sim-transactions", o.simTransactions, 0, 1)
                    : Long.MAX_VALUE;
            SimulatorConfig config;
            try {
                config = SimulatorConfig.builder().seed(seed).cards(cards).start(start)
                        .duration(Duration.ofDays(days)).maxTransactions(max).build();
            } catch (IllegalArgumentException e) {
                throw new UsageException("--sim-*: " + e.getMessage());
            }
            return () -> SimulatorData.load(config);
        }
        if (o.simCards != null || o.simDays != null || o.simSeed != null || o.simStart != null
                || o.simTransactions != null) {
            throw new UsageException("--sim-* options only apply to --data simulator");
        }
        Path file = Path.of(data);
        if (!Files.isRegularFile(file)) {
            throw new UsageException("--data " + data + " is neither 'simulator', 'kafka' nor a readable file");
        }
        CardTokens tokens = CardTokens.fromOptionOrEnvironment(o.cardTokenKeyFile, System.getenv());
        return () -> SparkovData.read(file, tokens);
    }

    /**
     * {@code --data kafka}: the {@code --kafka} cluster's transactions and labels over [from, to); {@code to}
     * defaults to the cycle's start ("now", so each loop cycle reads up to its own start) and {@code from} may be a
     * duration before it.
     */
    private static ModelCycle.DataSource kafkaSource(TrainOptions o, String bootstrap, Clock clock) {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new UsageException("--data kafka reads the cluster named by --kafka <host:port>; it is missing");
        }
        if (o.fromTime == null || o.fromTime.isBlank()) {
            throw new UsageException("--from-time is required with --data kafka");
        }
        String fromText = o.fromTime;
        String toText = o.toTime != null ? o.toTime : "now";
        Instant fixedTo = toText.equals("now") ? null : instant("--to-time", toText);
        Duration back = null;
        Instant fixedFrom = null;
        boolean looksLikeDuration = fromText.startsWith("P") || fromText.startsWith("p")
                || Character.isDigit(fromText.charAt(0)) && !fromText.contains("-");
        if (looksLikeDuration) {
            try {
                back = io.fraudstream.cli.support.DurationConverter.parse(fromText);
            } catch (CommandLine.TypeConversionException e) {
                throw new UsageException("--from-time must be a date, an instant or a duration: " + e.getMessage());
            }
            if (back.isZero()) {
                throw new UsageException("--from-time must be a positive duration before --to-time, was 0");
            }
        } else {
            fixedFrom = instant("--from-time", fromText);
        }
        if (fixedFrom != null && fixedTo != null && !fixedFrom.isBefore(fixedTo)) {
            throw new UsageException("--from-time " + fixedFrom + " must be before --to-time " + fixedTo);
        }
        KafkaLabelledHistory.Source source = new KafkaLabelledHistory.Source(bootstrap, Map.of(),
                topicName("--transactions-topic", o.transactionsTopic, Topics.TRANSACTIONS.name()),
                topicName("--labels-topic", o.labelsTopic, Topics.FRAUD_LABELS.name()), Duration.ofMinutes(30));
        Duration backFinal = back;
        Instant fromFinal = fixedFrom;
        return () -> {
            Instant to = fixedTo != null ? fixedTo : clock.instant();
            Instant from = fromFinal != null ? fromFinal : to.minus(backFinal);
            return KafkaLabelledHistory.read(source, from, to).data();
        };
    }

    private static String topicName(String option, String value, String def) {
        String v = value != null ? value : def;
        if (v.isBlank()) {
            throw new UsageException(option + " must not be empty");
        }
        return v;
    }

    static TrainerSettings trainerSettings(TrainOptions o) {
        try {
            AttentionMode mode = AttentionMode.SPARSE_TOP_K;
            boolean learn = true;
            switch (o.attention) {
                case "learned" -> { }
                case "seeded", "keep" -> learn = false;
                case "none" -> mode = AttentionMode.NONE;
                default -> throw new UsageException("--attention must be learned, seeded, none or keep, was '"
                        + o.attention + "'");
            }
            ExtractorConfig extractor = ExtractorConfig.builder().window(atLeast("--window", o.window, 1))
                    .k(atLeast("--k", o.k, 1)).heads(atLeast("--heads", o.heads, 1)).dim(atLeast("--dim", o.dim, 1))
                    .mode(mode).build();
            AttentionSettings a = new AttentionSettings(atLeast("--epochs", o.epochs, 1),
                    atLeast("--batch-size", o.batchSize, 1), (float) o.learningRate,
                    atLeast("--max-history", o.maxHistory, 1), atLeast("--max-pairs", o.maxPairs, 2), o.seed);
            String[] parts = o.lambdas.split(",");
            double[] lambdas = new double[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    lambdas[i] = Double.parseDouble(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new UsageException("--lambdas must be numbers separated by commas, was '" + o.lambdas
                            + "'");
                }
            }
            double budget = o.alertBudget;
            if (!(budget > 0 && budget < 1)) {
                throw new UsageException("--alert-budget must be in (0, 1), was " + budget);
            }
            // validates the lambdas
            new ClassifierTrainer(lambdas, budget);
            String blocks = o.featureBlocks != null ? o.featureBlocks
                    : o.pointOfPurchase ? DEFAULT_BLOCKS + ",pop-ratios" : DEFAULT_BLOCKS;
            // checked here so a bad list is a usage error before any data loads; the counts the ratios need come
            // with --point-of-purchase (the data), so the settings keep the list's blocks only (blocksFor adds them)
            java.util.EnumSet<FeatureBlock> extra = java.util.EnumSet.noneOf(FeatureBlock.class);
            extra.addAll(FeatureBlock.parseList("--feature-blocks", blocks, o.pointOfPurchase));
            extra.remove(FeatureBlock.POINT_OF_PURCHASE);
            return new TrainerSettings(extractor, a, learn, lambdas, budget,
                    atLeast("--classifier-negatives", o.classifierNegatives, 0),
                    ClassifierTrainer.ClassWeight.parse("--class-weight", o.classWeight), extra);
        } catch (UsageException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new UsageException(optionName(e.getMessage()));
        }
    }

    private static Gates gates(TrainOptions o, double budget) {
        double min = o.minAlertRate != null ? o.minAlertRate : budget / 2;
        double max = o.maxAlertRate != null ? o.maxAlertRate : Math.min(1, budget * 2);
        try {
            return new Gates(o.apMargin, min, max);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--ap-margin/--min-alert-rate/--max-alert-rate: " + e.getMessage());
        }
    }

    private static TimeSplit split(TrainOptions o) {
        Map<String, String> given = new java.util.LinkedHashMap<>();
        given.put("--train-from", o.trainFrom);
        given.put("--train-to", o.trainTo);
        given.put("--validation-from", o.validationFrom);
        given.put("--validation-to", o.validationTo);
        List<String> missing = new ArrayList<>();
        given.forEach((k, v) -> {
            if (v == null) {
                missing.add(k);
            }
        });
        if (missing.size() == 4) {
            return null;
        }
        if (!missing.isEmpty()) {
            throw new UsageException("--train-from, --train-to, --validation-from and --validation-to go together;"
                    + " missing " + missing);
        }
        try {
            return new TimeSplit(instant("--train-from", o.trainFrom), instant("--train-to", o.trainTo),
                    instant("--validation-from", o.validationFrom), instant("--validation-to", o.validationTo));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--train-*/--validation-*: " + e.getMessage());
        }
    }

    /** The test window, or null; it needs the explicit split and must start at or after the end of validation. */
    static TestWindow testWindow(TrainOptions o, TimeSplit split) {
        if (o.testFrom == null && o.testTo == null) {
            return null;
        }
        if (o.testFrom == null || o.testTo == null) {
            throw new UsageException("--test-from and --test-to go together; missing "
                    + (o.testFrom == null ? "--test-from" : "--test-to"));
        }
        if (split == null) {
            throw new UsageException("--test-from/--test-to need the explicit split (--train-from, --train-to,"
                    + " --validation-from, --validation-to)");
        }
        TestWindow w;
        try {
            w = new TestWindow(instant("--test-from", o.testFrom), instant("--test-to", o.testTo));
            w.requireAfter(split);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--test-from/--test-to: " + e.getMessage());
        }
        return w;
    }

    /** Maps a setting name in a library message (trainer.attention.epochs) to the option (--epochs). */
    private static String optionName(String message) {
        return message.replace("trainer.attention.", "--").replace("extractor.", "--").replace("trainer.", "--");
    }

    private static int atLeast(String option, Integer value, int def, int min) {
        return value == null ? def : atLeast(option, value.intValue(), min);
    }

    private static int atLeast(String option, int value, int min) {
        if (value < min) {
            throw new UsageException(option + " must be >= " + min + ", was " + value);
        }
        return value;
    }

    private static Instant instant(String option, String v) {
        try {
            return v.length() == 10 ? LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new UsageException(option + " must be a date (2019-01-01) or an instant"
                    + " (2019-01-01T00:00:00Z), was '" + v + "'");
        }
    }
}
