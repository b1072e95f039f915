package io.fraudstream.trainer;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.features.AttentionMode;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.model.BootstrapModel;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer command.
 *
 * <pre>
 * train    --data &lt;csv|simulator&gt; --store &lt;dir&gt; --keys &lt;dir&gt; [--kafka &lt;bootstrap&gt;] [options]
 * loop     --every 8h (and the train options)
 * promote  &lt;version&gt; --store &lt;dir&gt; --keys &lt;dir&gt; [--kafka &lt;bootstrap&gt;]
 * rollback --store &lt;dir&gt; --keys &lt;dir&gt; [--kafka &lt;bootstrap&gt;]
 * </pre>
 *
 * Exit status: 0 done, 1 failed, 2 bad command line (the message names the option). Run with
 * {@code -Dai.djl.offline=true} (the launcher does): DJL must never download anything.
 */
public final class TrainerMain {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerMain.class);
    static final String USAGE = String.join("\n",
            "usage: trainer <command> [options]",
            "  train     --data <file.csv[.gz]|simulator|kafka> --store <dir> --keys <dir> [--kafka <host:port>]",
            "  loop      --every <duration> (plus every train option); retrains until stopped",
            "  promote   <version> --store <dir> --keys <dir> [--kafka <host:port>]",
            "  rollback  --store <dir> --keys <dir> [--kafka <host:port>]",
            "             retires the pending shadow; without one, restores the previous champion",
            "train/loop options (defaults in brackets):",
            "  --topic <name> [model-updates]      --shadow-period <duration> [8h; 0 decides at once]",
            "  --alert-budget <share> [0.01]        --ap-margin <abs> [0.02]",
            "  --min-alert-rate / --max-alert-rate <share> [budget/2, 2 x budget]",
            "  --gap <duration> [7d]  --validation <duration> [15d]  --train-window <duration> [all before the gap]",
            "  --train-from/--train-to/--validation-from/--validation-to <yyyy-mm-dd|instant> (all four, or none)",
            "  --epochs <n> [4]  --max-history <n> [64]  --max-pairs <n> [8192]  --batch-size <n> [256]",
            "  --learning-rate <x> [0.01]  --seed <n> [42]  --lambdas <a,b,..> [0.1,1,10,100]",
            "  --classifier-negatives <n> [100000; 0 = all]  genuine rows the classifier fit samples at most",
            "  --attention <learned|seeded|none|keep> [learned]  --dim <d> [32]  --heads <h> [4]  --k <k> [32]",
            "             keep: the champion's extractor (weights version too), classifier retrained only",
            "  --window <W> [1024]",
            "  --point-of-purchase <true|false> [false]  add merchant/terminal risk features (docs/POINT_OF_PURCHASE.md)",
            "  --label-delay <duration> [7d]  when a fraud was reported, for files without report times",
            "  --sim-cards <n> [300]  --sim-days <n> [60]  --sim-seed <n> [42]  --sim-start <date> [2025-01-01]",
            "  --sim-transactions <n> [all]  (first n simulated transactions only)",
            "--data kafka (reads the --kafka cluster): --from-time <date|instant|duration before to> (required)",
            "  --to-time <date|instant|now> [now]  --transactions-topic [transactions]  --labels-topic [fraud-labels]",
            "durations: 30s, 15m, 8h, 7d, or ISO-8601 (PT8H)");

    private static final Set<String> COMMON = Set.of("store", "keys", "kafka", "topic");
    private static final Set<String> TRAIN = Set.of("data", "store", "keys", "kafka", "topic", "shadow-period",
            "alert-budget", "ap-margin", "min-alert-rate", "max-alert-rate", "gap", "validation", "train-window",
            "train-from", "train-to", "validation-from", "validation-to", "epochs", "max-history", "max-pairs",
            "batch-size", "learning-rate", "seed", "lambdas", "attention", "dim", "heads", "k", "window",
            "sim-cards", "sim-days", "sim-seed", "sim-start", "sim-transactions", "every", "classifier-negatives",
            "from-time", "to-time", "transactions-topic", "labels-topic", "point-of-purchase", "label-delay");

    private TrainerMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, Clock.systemUTC()));
    }

    /** Runs a command; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true"); // never download natives, even when launched bare
        }
        try {
            if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
                out.println(USAGE);
                return args.length == 0 ? 2 : 0;
            }
            String command = args[0];
            List<String> positional = new ArrayList<>();
            Map<String, String> opts = parse(args, positional);
            return switch (command) {
                case "train" -> train(opts, positional, clock, false);
                case "loop" -> train(opts, positional, clock, true);
                case "promote" -> promote(opts, positional, clock, out);
                case "rollback" -> rollback(opts, positional, clock, out);
                default -> throw new UsageException("unknown command '" + command + "' (train, loop, promote,"
                        + " rollback)");
            };
        } catch (UsageException e) {
            err.println("trainer: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (Exception e) {
            LOG.error("trainer failed", e);
            err.println("trainer: failed: " + e);
            return 1;
        }
    }

    static Map<String, String> parse(String[] args, List<String> positional) throws UsageException {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else {
                    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = args[++i];
                }
                if (opts.put(name, value) != null) {
                    throw new UsageException("--" + name + " is given twice");
                }
            } else {
                positional.add(a);
            }
        }
        return opts;
    }

    private static int train(Map<String, String> o, List<String> positional, Clock clock, boolean loop)
            throws Exception {
        allowOnly(o, TRAIN, loop ? "loop" : "train");
        if (!positional.isEmpty()) {
            throw new UsageException("unexpected argument '" + positional.get(0) + "'");
        }
        if (!loop && o.containsKey("every")) {
            throw new UsageException("--every belongs to the loop command");
        }
        Duration every = loop ? duration(o, "every", null) : null;
        if (loop && (every == null || every.isZero() || every.isNegative())) {
            throw new UsageException("--every must be a positive duration, e.g. 8h");
        }
        String data = required(o, "data");
        ModelCycle.DataSource source = withPointOfPurchase(o, dataSource(o, data, clock));
        TrainerSettings settings = trainerSettings(o);
        double budget = settings.alertBudget();
        Gates gates = gates(o, budget);
        ModelCycle.Settings cycle = new ModelCycle.Settings(split(o), optionalDuration(o, "train-window"),
                duration(o, "gap", Duration.ofDays(7)), duration(o, "validation", Duration.ofDays(15)),
                duration(o, "shadow-period", Duration.ofHours(8)), gates, 42L);
        try (Env env = env(o, clock)) {
            ModelTrainer trainer = new ModelTrainer(settings);
            ModelRegistry registry = env.registry;
            // keep: each cycle retrains the classifier over the extractor of the champion of that moment.
            ModelCycle.CandidateTrainer candidates = "keep".equals(o.get("attention"))
                    ? (d, s, v, at) -> trainer.trainClassifierOnly(d, s, v, at, championModel(registry))
                    : trainer::train;
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

    private static int promote(Map<String, String> o, List<String> positional, Clock clock, PrintStream out)
            throws Exception {
        allowOnly(o, COMMON, "promote");
        if (positional.size() != 1) {
            throw new UsageException("promote needs exactly one <version>, got " + positional);
        }
        try (Env env = env(o, clock)) {
            ModelDescriptor d = env.registry.promote(positional.get(0), "manual promote", Map.of());
            out.println("champion is now " + d.getModelVersion());
            return 0;
        }
    }

    private static int rollback(Map<String, String> o, List<String> positional, Clock clock, PrintStream out)
            throws Exception {
        allowOnly(o, COMMON, "rollback");
        if (!positional.isEmpty()) {
            throw new UsageException("rollback takes no arguments, got " + positional);
        }
        try (Env env = env(o, clock)) {
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

    private static Env env(Map<String, String> o, Clock clock) throws Exception {
        Path store = Path.of(required(o, "store"));
        Path keys = Path.of(required(o, "keys"));
        if (Files.exists(store) && !Files.isDirectory(store)) {
            throw new UsageException("--store " + store + " is not a directory");
        }
        if (Files.exists(keys) && !Files.isDirectory(keys)) {
            throw new UsageException("--keys " + keys + " is not a directory");
        }
        String topic = o.getOrDefault("topic", Topics.MODEL_UPDATES.name());
        if (topic.isBlank()) {
            throw new UsageException("--topic must not be empty");
        }
        KeyPair pair = SigningKeys.loadOrCreate(keys);
        DescriptorSink sink = o.containsKey("kafka")
                ? new KafkaDescriptorSink(o.get("kafka"), topic, Duration.ofSeconds(60)) : DescriptorSink.NONE;
        try {
            return new Env(sink, new ModelRegistry(new ModelStore(store), pair, sink, clock));
        } catch (Exception e) {
            sink.close();
            throw e;
        }
    }

    /**
     * {@code --point-of-purchase true}: the data's transactions and frauds counted per merchant and terminal, frauds
     * from their report time (the simulator's and the fraud-labels topic's own; {@code --label-delay} after the
     * transaction for files, which carry only a fraud flag).
     */
    static ModelCycle.DataSource withPointOfPurchase(Map<String, String> o, ModelCycle.DataSource source)
            throws UsageException {
        String flag = o.getOrDefault("point-of-purchase", "false");
        if (!flag.equals("true") && !flag.equals("false")) {
            throw new UsageException("--point-of-purchase must be true or false, was '" + flag + "'");
        }
        Duration delay = duration(o, "label-delay", Duration.ofDays(7));
        if (flag.equals("false")) {
            if (o.containsKey("label-delay")) {
                throw new UsageException("--label-delay only applies with --point-of-purchase true");
            }
            return source;
        }
        return () -> source.load().withPointOfPurchase(delay);
    }

    private static ModelCycle.DataSource dataSource(Map<String, String> o, String data, Clock clock)
            throws UsageException {
        if (!data.equals("kafka")) {
            for (String k : List.of("from-time", "to-time", "transactions-topic", "labels-topic")) {
                if (o.containsKey(k)) {
                    throw new UsageException("--" + k + " only applies to --data kafka");
                }
            }
        }
        if (data.equals("kafka")) {
            return kafkaSource(o, clock);
        }
        if (data.equals("simulator")) {
            int cards = integer(o, "sim-cards", 300, 1);
            int days = integer(o, "sim-days", 60, 1);
            long seed = longValue(o, "sim-seed", 42);
            Instant start = instant(o, "sim-start", Instant.parse("2025-01-01T00:00:00Z"));
            long max = o.containsKey("sim-transactions") ? integer(o, "sim-transactions", 0, 1) : Long.MAX_VALUE;
            SimulatorConfig config;
            try {
                config = SimulatorConfig.builder().seed(seed).cards(cards).start(start)
                        .duration(Duration.ofDays(days)).maxTransactions(max).build();
            } catch (IllegalArgumentException e) {
                throw new UsageException("--sim-*: " + e.getMessage());
            }
            return () -> SimulatorData.load(config);
        }
        for (String k : o.keySet()) {
            if (k.startsWith("sim-")) {
                throw new UsageException("--" + k + " only applies to --data simulator");
            }
        }
        Path file = Path.of(data);
        if (!Files.isRegularFile(file)) {
            throw new UsageException("--data " + data + " is neither 'simulator' nor a readable file");
        }
        return () -> SparkovData.read(file);
    }

    /**
     * {@code --data kafka}: the {@code --kafka} cluster's transactions and labels over [from, to); {@code to}
     * defaults to the cycle's start ("now", so each loop cycle reads up to its own start) and {@code from} may be a
     * duration before it.
     */
    private static ModelCycle.DataSource kafkaSource(Map<String, String> o, Clock clock) throws UsageException {
        String bootstrap = o.get("kafka");
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new UsageException("--data kafka reads the cluster named by --kafka <host:port>; it is missing");
        }
        String fromText = required(o, "from-time");
        String toText = o.getOrDefault("to-time", "now");
        Instant fixedTo = toText.equals("now") ? null : instant(o, "to-time", null);
        Duration back = null;
        Instant fixedFrom = null;
        if (Character.isDigit(fromText.charAt(0)) && !fromText.contains("-")) {
            back = duration(o, "from-time", null);
            if (back.isZero()) {
                throw new UsageException("--from-time must be a positive duration before --to-time, was 0");
            }
        } else if (fromText.startsWith("P") || fromText.startsWith("p")) {
            back = duration(o, "from-time", null);
        } else {
            fixedFrom = instant(o, "from-time", null);
        }
        if (fixedFrom != null && fixedTo != null && !fixedFrom.isBefore(fixedTo)) {
            throw new UsageException("--from-time " + fixedFrom + " must be before --to-time " + fixedTo);
        }
        KafkaLabelledHistory.Source source = new KafkaLabelledHistory.Source(bootstrap, Map.of(),
                topicName(o, "transactions-topic", Topics.TRANSACTIONS.name()),
                topicName(o, "labels-topic", Topics.FRAUD_LABELS.name()), Duration.ofMinutes(30));
        Duration backFinal = back;
        Instant fromFinal = fixedFrom;
        return () -> {
            Instant to = fixedTo != null ? fixedTo : clock.instant();
            Instant from = fromFinal != null ? fromFinal : to.minus(backFinal);
            return KafkaLabelledHistory.read(source, from, to).data();
        };
    }

    private static String topicName(Map<String, String> o, String name, String def) throws UsageException {
        String v = o.getOrDefault(name, def);
        if (v.isBlank()) {
            throw new UsageException("--" + name + " must not be empty");
        }
        return v;
    }

    static TrainerSettings trainerSettings(Map<String, String> o) throws UsageException {
        try {
            AttentionMode mode = AttentionMode.SPARSE_TOP_K;
            boolean learn = true;
            String attention = o.getOrDefault("attention", "learned");
            switch (attention) {
                case "learned" -> { }
                case "seeded", "keep" -> learn = false;
                case "none" -> mode = AttentionMode.NONE;
                default -> throw new UsageException("--attention must be learned, seeded, none or keep, was '"
                        + attention
                        + "'");
            }
            ExtractorConfig extractor = ExtractorConfig.builder().window(integer(o, "window", 1024, 1))
                    .k(integer(o, "k", 32, 1)).heads(integer(o, "heads", 4, 1)).dim(integer(o, "dim", 32, 1))
                    .mode(mode).build();
            AttentionSettings a = new AttentionSettings(integer(o, "epochs", 4, 1), integer(o, "batch-size", 256, 1),
                    (float) decimal(o, "learning-rate", 0.01), integer(o, "max-history", 64, 1),
                    integer(o, "max-pairs", 8192, 2), longValue(o, "seed", 42));
            double[] lambdas = TrainerSettings.DEFAULT_LAMBDAS;
            if (o.containsKey("lambdas")) {
                String[] parts = o.get("lambdas").split(",");
                lambdas = new double[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    try {
                        lambdas[i] = Double.parseDouble(parts[i].trim());
                    } catch (NumberFormatException e) {
                        throw new UsageException("--lambdas must be numbers separated by commas, was '"
                                + o.get("lambdas") + "'");
                    }
                }
            }
            double budget = decimal(o, "alert-budget", TrainerSettings.DEFAULT_ALERT_BUDGET);
            if (!(budget > 0 && budget < 1)) {
                throw new UsageException("--alert-budget must be in (0, 1), was " + budget);
            }
            // validates the lambdas
            new ClassifierTrainer(lambdas, budget);
            return new TrainerSettings(extractor, a, learn, lambdas, budget,
                    integer(o, "classifier-negatives", ClassifierTrainer.DEFAULT_MAX_NEGATIVES, 0));
        } catch (IllegalArgumentException e) {
            throw new UsageException(optionName(e.getMessage()));
        }
    }

    private static Gates gates(Map<String, String> o, double budget) throws UsageException {
        double margin = decimal(o, "ap-margin", 0.02);
        double min = decimal(o, "min-alert-rate", budget / 2);
        double max = decimal(o, "max-alert-rate", Math.min(1, budget * 2));
        try {
            return new Gates(margin, min, max);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--ap-margin/--min-alert-rate/--max-alert-rate: " + e.getMessage());
        }
    }

    private static TimeSplit split(Map<String, String> o) throws UsageException {
        String[] keys = {"train-from", "train-to", "validation-from", "validation-to"};
        int given = 0;
        for (String k : keys) {
            given += o.containsKey(k) ? 1 : 0;
        }
        if (given == 0) {
            return null;
        }
        if (given != 4) {
            throw new UsageException("--train-from, --train-to, --validation-from and --validation-to go together;"
                    + " missing " + java.util.Arrays.stream(keys).filter(k -> !o.containsKey(k))
                    .map(k -> "--" + k).toList());
        }
        try {
            return new TimeSplit(instant(o, "train-from", null), instant(o, "train-to", null),
                    instant(o, "validation-from", null), instant(o, "validation-to", null));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--train-*/--validation-*: " + e.getMessage());
        }
    }

    /** Maps a setting name in a library message (trainer.attention.epochs) to the option (--epochs). */
    private static String optionName(String message) {
        return message.replace("trainer.attention.", "--").replace("extractor.", "--").replace("trainer.", "--");
    }

    private static void allowOnly(Map<String, String> o, Set<String> allowed, String command) throws UsageException {
        for (String k : o.keySet()) {
            if (!allowed.contains(k)) {
                throw new UsageException("unknown option --" + k + " for " + command);
            }
        }
    }

    private static String required(Map<String, String> o, String name) throws UsageException {
        String v = o.get(name);
        if (v == null || v.isBlank()) {
            throw new UsageException("--" + name + " is required");
        }
        return v;
    }

    private static int integer(Map<String, String> o, String name, int def, int min) throws UsageException {
        String v = o.get(name);
        if (v == null) {
            return def;
        }
        try {
            int i = Integer.parseInt(v.trim());
            if (i < min) {
                throw new UsageException("--" + name + " must be >= " + min + ", was " + i);
            }
            return i;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, was '" + v + "'");
        }
    }

    private static long longValue(Map<String, String> o, String name, long def) throws UsageException {
        String v = o.get(name);
        if (v == null) {
            return def;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, was '" + v + "'");
        }
    }

    private static double decimal(Map<String, String> o, String name, double def) throws UsageException {
        String v = o.get(name);
        if (v == null) {
            return def;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, was '" + v + "'");
        }
    }

    private static Instant instant(Map<String, String> o, String name, Instant def) throws UsageException {
        String v = o.get(name);
        if (v == null) {
            return def;
        }
        try {
            return v.length() == 10 ? LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new UsageException("--" + name + " must be a date (2019-01-01) or an instant"
                    + " (2019-01-01T00:00:00Z), was '" + v + "'");
        }
    }

    private static Duration optionalDuration(Map<String, String> o, String name) throws UsageException {
        return o.containsKey(name) ? duration(o, name, null) : null;
    }

    static Duration duration(Map<String, String> o, String name, Duration def) throws UsageException {
        String v = o.get(name);
        if (v == null) {
            return def;
        }
        String s = v.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.equals("0")) {
                return Duration.ZERO;
            }
            if (s.startsWith("p")) {
                return nonNegative(name, Duration.parse(v.trim().toUpperCase(Locale.ROOT)));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            return nonNegative(name, switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            });
        } catch (RuntimeException e) {
            throw new UsageException("--" + name + " must be a duration like 30s, 15m, 8h, 7d or PT8H, was '" + v
                    + "'");
        }
    }

    private static Duration nonNegative(String name, Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("--" + name + " must not be negative");
        }
        return d;
    }
}
