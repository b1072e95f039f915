package io.fraudstream.simulator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Command line: simulate, then write to Kafka (live at {@code --rate} or as fast as possible) and/or to
 * a Sparkov CSV file. Exit codes: 0 done, 1 failed while writing, 2 bad command line (the message names
 * the option). {@code --help} lists the options.
 */
public final class SimulatorMain {

    static final String USAGE = String.join("\n",
            "Usage: simulator [options]   (at least one of --out, --bootstrap-servers)",
            "  --seed N                 run seed (default 42); equal options give identical output",
            "  --cards N                number of cards (default 1000)",
            "  --start INSTANT|now      event time of the first day, e.g. 2025-01-01T00:00:00Z",
            "                           (default: now with --bootstrap-servers, else 2025-01-01T00:00:00Z)",
            "  --duration D|unbounded   simulated event-time span, e.g. 30d, 12h, 90m, PT2H (default 30d,",
            "                           or unbounded when --count is given)",
            "  --count N                stop after N transactions",
            "  --fraud-rate X           expected fraud share, e.g. 0.01 (default 0.01)",
            "  --no-compromised-merchant  switch the compromised-merchant scenario off",
            "  --label-delay D          delay from fraud to its label (default 7d)",
            "  --bootstrap-servers H:P  write transactions and labels to Kafka",
            "  --topic NAME             transactions topic (default transactions)",
            "  --labels-topic NAME      labels topic (default fraud-labels)",
            "  --rate TX_PER_S          live mode: pace transactions (default: as fast as possible)",
            "  --out FILE[.gz]          write a Sparkov-layout CSV (gzip when the name ends in .gz)",
            "  --help                   this text");

    private static final Set<String> FLAGS = Set.of("--no-compromised-merchant", "--help");
    private static final Set<String> VALUED = Set.of("--seed", "--cards", "--start", "--duration", "--count",
            "--fraud-rate", "--label-delay", "--bootstrap-servers", "--topic", "--labels-topic", "--rate", "--out");
    /** Config setting to the option that sets it, to name the option in errors. */
    private static final Map<String, String> OPTION_OF_SETTING = Map.of(
            "simulator.cards", "--cards", "simulator.start", "--start", "simulator.duration", "--duration",
            "simulator.max-transactions", "--count", "simulator.fraud-rate", "--fraud-rate",
            "simulator.label-delay", "--label-delay");

    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(5);

    private SimulatorMain() {}

    public static void main(String[] args) {
        int code = run(args, System.out, System.err, Clock.systemUTC());
        if (code != 0) {
            System.exit(code);
        }
    }

    /** A bad command line: exit code 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** Runs the command; returns the exit code. {@code clock} is read once, for {@code --start now}. */
    static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
        Options options;
        try {
            options = parse(args, clock);
        } catch (UsageException e) {
            err.println("simulator: " + e.getMessage());
            err.println("Try --help.");
            return 2;
        }
        if (options == null) {
            out.println(USAGE);
            return 0;
        }
        try {
            return simulate(options, out, err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("simulator: interrupted");
            return 1;
        } catch (IOException | RuntimeException e) {
            err.println("simulator: failed: " + e);
            return 1;
        }
    }

    record Options(SimulatorConfig config, String bootstrapServers, String topic, String labelsTopic, double rate,
            Path out) {}

    static Options parse(String[] args, Clock clock) throws UsageException {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            if (FLAGS.contains(a)) {
                if (value != null) {
                    throw new UsageException(a + " takes no value");
                }
                values.put(a, "true");
            } else if (VALUED.contains(a)) {
                if (value == null) {
                    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                        throw new UsageException(a + " needs a value");
                    }
                    value = args[++i];
                }
                if (values.containsKey(a)) {
                    throw new UsageException(a + " given twice");
                }
                values.put(a, value);
            } else {
                throw new UsageException("unknown option '" + args[i] + "'");
            }
        }
        if (values.containsKey("--help")) {
            return null;
        }
        String bootstrap = values.get("--bootstrap-servers");
        String outValue = values.get("--out");
        if (bootstrap == null && outValue == null) {
            throw new UsageException("nothing to write: give --out FILE and/or --bootstrap-servers HOST:PORT");
        }
        if (bootstrap != null && bootstrap.isBlank()) {
            throw new UsageException("--bootstrap-servers must not be blank");
        }
        double rate = values.containsKey("--rate") ? parseDouble(values, "--rate") : 0;
        if (!(rate > 0) && values.containsKey("--rate")) {
            throw new UsageException("--rate must be > 0 transactions per second, was " + values.get("--rate"));
        }
        if (rate > 0 && bootstrap == null) {
            throw new UsageException("--rate paces Kafka writes and needs --bootstrap-servers");
        }

        SimulatorConfig.Builder b = SimulatorConfig.builder();
        if (values.containsKey("--seed")) {
            b.seed(parseLong(values, "--seed"));
        }
        if (values.containsKey("--cards")) {
            b.cards(parseInt(values, "--cards"));
        }
        String start = values.get("--start");
        if (start == null) {
            start = bootstrap != null ? "now" : null;
        }
        if (start != null) {
            try {
                b.start("now".equals(start) ? clock.instant().truncatedTo(ChronoUnit.SECONDS) : Instant.parse(start));
            } catch (DateTimeParseException e) {
                throw new UsageException("--start must be an ISO instant like 2025-01-01T00:00:00Z or 'now', was '"
                        + start + "'");
            }
        }
        if (values.containsKey("--count")) {
            b.maxTransactions(parseLong(values, "--count"));
            b.unbounded();
        }
        String duration = values.get("--duration");
        if ("unbounded".equals(duration)) {
            b.unbounded();
        } else if (duration != null) {
            b.duration(parseDuration(duration, "--duration"));
        }
        if (values.containsKey("--no-compromised-merchant")) {
            b.compromisedMerchant(false);
        }
        if (values.containsKey("--label-delay")) {
            b.labelDelay(parseDuration(values.get("--label-delay"), "--label-delay"));
        }
        SimulatorConfig config;
        try {
            if (values.containsKey("--fraud-rate")) {
                b.fraudRate(parseDouble(values, "--fraud-rate"));
            }
            config = b.build();
        } catch (InvalidSettingException e) {
            String option = e.setting().startsWith("simulator.fraud-share") ? "--fraud-rate"
                    : OPTION_OF_SETTING.getOrDefault(e.setting(), e.setting());
            throw new UsageException(option + ": " + e.getMessage());
        }
        if (config.duration() == null && config.maxTransactions() == Long.MAX_VALUE && outValue != null) {
            throw new UsageException("--duration unbounded without --count would write an endless --out file");
        }
        return new Options(config, bootstrap, values.getOrDefault("--topic", "transactions"),
                values.getOrDefault("--labels-topic", "fraud-labels"), rate, outValue == null ? null : Path.of(outValue));
    }

    private static int simulate(Options o, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        SimulatorConfig c = o.config();
        err.printf(Locale.ROOT, "simulator: seed %d, %d cards, start %s, %s, fraud %.2f%%, labels after %s%n",
                c.seed(), c.cards(), c.start(),
                (c.duration() == null ? "no end time" : "duration " + c.duration())
                        + (c.maxTransactions() == Long.MAX_VALUE ? "" : ", at most " + c.maxTransactions() + " transactions"),
                100 * c.totalFraudShare(), c.labelDelay());
        Simulator simulator = new Simulator(c);
        Thread mainThread = Thread.currentThread();
        StopFlag stop = new StopFlag();
        Thread hook = new Thread(() -> {
            stop.set();
            try {
                mainThread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "simulator-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        EnumMap<FraudScenario, Long> byScenario = new EnumMap<>(FraudScenario.class);
        long transactions = 0;
        long labels = 0;
        long begun = System.nanoTime();
        long lastReport = begun;
        try (KafkaTransactionWriter kafka = o.bootstrapServers() == null ? null : KafkaTransactionWriter
                        .builder(o.bootstrapServers()).transactionsTopic(o.topic()).labelsTopic(o.labelsTopic())
                        .ratePerSecond(o.rate()).build();
                SparkovCsvWriter csv = o.out() == null ? null : SparkovCsvWriter.open(o.out(), simulator)) {
            // Kafka gets labels at their reportedAt; the CSV has only transactions (is_fraud is the label).
            var events = kafka != null ? simulator.eventIterator() : simulator.transactionIterator();
            while (events.hasNext() && !stop.isSet()) {
                SimulatedEvent e = events.next();
                if (e instanceof SimulatedTransaction t) {
                    transactions++;
                    if (t.fraud()) {
                        byScenario.merge(FraudScenario.valueOf(t.scenario()), 1L, Long::sum);
                    }
                    if (csv != null) {
                        csv.write(t);
                    }
                } else {
                    labels++;
                }
                if (kafka != null) {
                    kafka.send(e);
                }
                if ((transactions & 1023) == 0 && System.nanoTime() - lastReport >= PROGRESS_NANOS) {
                    lastReport = System.nanoTime();
                    double seconds = (lastReport - begun) / 1e9;
                    err.printf(Locale.ROOT, "simulator: %,d transactions (%,.0f/s), %,d labels, event time %s%n",
                            transactions, transactions / seconds, labels, e.time());
                }
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running (Ctrl-C): it waits for us; nothing to remove.
            }
        }
        long fraud = byScenario.values().stream().mapToLong(Long::longValue).sum();
        double seconds = (System.nanoTime() - begun) / 1e9;
        out.printf(Locale.ROOT, "%s%,d transactions, %,d fraud (%.2f%%), %,d labels in %.1f s%n",
                stop.isSet() ? "stopped: " : "", transactions, fraud, transactions == 0 ? 0.0 : 100.0 * fraud / transactions,
                labels, seconds);
        for (FraudScenario s : FraudScenario.values()) {
            out.printf(Locale.ROOT, "  %-22s %,d%n", s.name(), byScenario.getOrDefault(s, 0L));
        }
        if (o.out() != null) {
            out.println("wrote " + o.out());
        }
        return 0;
    }

    /** Set by the shutdown hook (Ctrl-C); read by the writing loop. */
    private static final class StopFlag {
        private volatile boolean set;

        void set() {
            set = true;
        }

        boolean isSet() {
            return set;
        }
    }

    private static long parseLong(Map<String, String> values, String option) throws UsageException {
        try {
            return Long.parseLong(values.get(option).replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must be an integer, was '" + values.get(option) + "'");
        }
    }

    private static int parseInt(Map<String, String> values, String option) throws UsageException {
        try {
            return Integer.parseInt(values.get(option).replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must be an integer, was '" + values.get(option) + "'");
        }
    }

    private static double parseDouble(Map<String, String> values, String option) throws UsageException {
        try {
            double d = Double.parseDouble(values.get(option));
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must be a number, was '" + values.get(option) + "'");
        }
    }

    /** {@code 30d}, {@code 12h}, {@code 90m}, {@code 45s}, {@code 500ms} or ISO-8601 ({@code PT2H}). */
    static Duration parseDuration(String text, String option) throws UsageException {
        String s = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("p")) {
                return Duration.parse(s.toUpperCase(Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            switch (s.charAt(s.length() - 1)) {
                case 'd':
                    return Duration.ofDays(n);
                case 'h':
                    return Duration.ofHours(n);
                case 'm':
                    return Duration.ofMinutes(n);
                case 's':
                    return Duration.ofSeconds(n);
                default:
                    break;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new UsageException(option + " must be a duration like 30d, 12h, 90m, 45s or PT2H, was '" + text + "'");
    }
}
