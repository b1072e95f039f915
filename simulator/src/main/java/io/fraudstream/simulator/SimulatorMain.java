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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import io.fraudstream.cli.support.Commands;
import io.fraudstream.cli.support.DurationConverter;
import io.fraudstream.cli.support.UsageException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fraudstream simulate}: simulate, then write to Kafka (live at {@code --rate} or as fast as possible) and/or
 * to a Sparkov CSV file. Exit codes: 0 done, 1 failed while writing, 2 bad command line (the message names the
 * option). {@code --help} lists the options with their defaults. {@link #main} runs it standalone (the compose
 * stack's simulator service).
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = "Simulates cardholders with labelled fraud scenarios; writes Kafka (transactions and labels)"
                + " and/or a Sparkov-layout CSV. At least one of --out, --bootstrap-servers.")
public final class SimulatorMain implements Callable<Integer> {

    /** Config setting to the option that sets it, to name the option in errors. */
    private static final Map<String, String> OPTION_OF_SETTING = Map.of(
            "simulator.cards", "--cards", "simulator.start", "--start", "simulator.duration", "--duration",
            "simulator.max-transactions", "--count", "simulator.fraud-rate", "--fraud-rate",
            "simulator.label-delay", "--label-delay");

    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(5);

    @Option(names = "--profile", paramLabel = "default|handbook", defaultValue = "default", description = "default:"
            + " this simulator's world; handbook: the Fraud Detection Handbook's data set (5,000 customers, 10,000"
            + " terminals, 183 days from 2018-04-01; takes only --seed, --out, --bootstrap-servers, the topics,"
            + " --label-delay and --rate; docs/SIMULATOR.md).")
    String profile;

    @Option(names = "--seed", paramLabel = "N", description = "Run seed; equal options give identical output.",
            defaultValue = "42")
    long seed;

    @Option(names = "--cards", paramLabel = "N", description = "Number of cards.", defaultValue = "1000")
    int cards;

    @Option(names = "--start", paramLabel = "INSTANT|now", description = "Event time of the first day, e.g."
            + " 2025-01-01T00:00:00Z (default: now with --bootstrap-servers, else 2025-01-01T00:00:00Z).")
    String start;

    @Option(names = "--duration", paramLabel = "D|unbounded", description = "Simulated event-time span, e.g. 30d,"
            + " 12h, 90m, PT2H (default 30d, or unbounded when --count is given).")
    String duration;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N transactions.")
    Long count;

    @Option(names = "--fraud-rate", paramLabel = "X", description = "Expected fraud share, e.g. 0.01 (default 0.01).")
    Double fraudRate;

    @Option(names = "--no-compromised-merchant", description = "Switch the compromised-merchant scenario off.")
    boolean noCompromisedMerchant;

    @Option(names = "--label-delay", paramLabel = "D", description = "Delay from fraud to its label (default 7d).")
    Duration labelDelay;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Write transactions and labels"
            + " to Kafka.")
    String bootstrapServers;

    @Option(names = "--topic", paramLabel = "NAME", description = "Transactions topic.", defaultValue = "transactions")
    String topic;

    @Option(names = "--labels-topic", paramLabel = "NAME", description = "Labels topic.", defaultValue = "fraud-labels")
    String labelsTopic;

    @Option(names = "--rate", paramLabel = "TX_PER_S", description = "Live mode: pace Kafka writes (default: as fast"
            + " as possible).")
    Double rate;

    @Option(names = "--out", paramLabel = "FILE[.gz]", description = "Write a Sparkov-layout CSV (gzip when the name"
            + " ends in .gz).")
    Path out;

    private final Clock clock;
    private final PrintStream stdout;
    private final PrintStream stderr;

    /** {@code clock} is read once, for {@code --start now}. */
    public SimulatorMain(Clock clock, PrintStream out, PrintStream err) {
        this.clock = clock;
        this.stdout = out;
        this.stderr = err;
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err, Clock.systemUTC());
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs the command; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
        return Commands.execute(new SimulatorMain(clock, out, err), args, out, err);
    }

    @Override
    public Integer call() throws IOException {
        if (!profile.equals("default") && !profile.equals("handbook")) {
            throw new UsageException("--profile must be default or handbook, was " + profile);
        }
        if (profile.equals("handbook")) {
            HandbookOptions h = handbookOptions();
            try {
                return simulateHandbook(h, stdout, stderr);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stderr.println("simulate: interrupted");
                return 1;
            }
        }
        Options options = options();
        try {
            return simulate(options, stdout, stderr);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stderr.println("simulate: interrupted");
            return 1;
        }
    }

    record Options(SimulatorConfig config, String bootstrapServers, String topic, String labelsTopic, double rate,
            Path out) {}

    record HandbookOptions(HandbookSimulator.Config config, String bootstrapServers, String topic, String labelsTopic,
            double rate, Duration labelDelay, Path out) {}

    /** {@code --profile handbook}: the handbook's fixed data set; options that do not apply are refused by name. */
    HandbookOptions handbookOptions() {
        if (bootstrapServers == null && out == null) {
            throw new UsageException("nothing to write: give --out FILE and/or --bootstrap-servers HOST:PORT");
        }
        String[][] refused = {{"--cards", cards != 1000 ? "x" : null}, {"--start", start}, {"--duration", duration},
            {"--count", count == null ? null : "x"}, {"--fraud-rate", fraudRate == null ? null : "x"},
            {"--no-compromised-merchant", noCompromisedMerchant ? "x" : null}};
        for (String[] r : refused) {
            if (r[1] != null) {
                throw new UsageException(r[0] + " does not apply to --profile handbook (its data set is fixed)");
            }
        }
        if (bootstrapServers != null && bootstrapServers.isBlank()) {
            throw new UsageException("--bootstrap-servers must not be blank");
        }
        if (rate != null && !(rate > 0 && Double.isFinite(rate))) {
            throw new UsageException("--rate must be > 0 transactions per second, was " + rate);
        }
        if (rate != null && bootstrapServers == null) {
            throw new UsageException("--rate paces Kafka writes and needs --bootstrap-servers");
        }
        Duration delay = labelDelay == null ? Duration.ofDays(7) : labelDelay;
        if (delay.isNegative()) {
            throw new UsageException("--label-delay must not be negative, was " + delay);
        }
        return new HandbookOptions(HandbookSimulator.Config.handbook(seed), bootstrapServers, topic, labelsTopic,
                rate == null ? 0 : rate, delay, out);
    }

    private static int simulateHandbook(HandbookOptions o, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        HandbookSimulator.Config c = o.config();
        err.printf(Locale.ROOT, "simulator: handbook profile, seed %d, %d customers, %d terminals, %d days from %s%n",
                c.seed(), c.customers(), c.terminals(), c.days(), c.start());
        long begun = System.nanoTime();
        HandbookData d = new HandbookSimulator(c).generate();
        long[] byScenario = new long[4];
        for (int i = 0; i < d.size(); i++) {
            byScenario[d.scenarioNumber(i)]++;
        }
        if (o.out() != null) {
            d.writeSparkovCsv(o.out());
        }
        long labels = 0;
        if (o.bootstrapServers() != null) {
            try (KafkaTransactionWriter kafka = KafkaTransactionWriter.builder(o.bootstrapServers())
                    .transactionsTopic(o.topic()).labelsTopic(o.labelsTopic()).ratePerSecond(o.rate()).build()) {
                kafka.writeAll(d.events(o.labelDelay()));
                labels = kafka.sentLabels();
            }
        }
        long fraud = d.size() - byScenario[0];
        out.printf(Locale.ROOT, "%,d transactions, %,d fraud (%.2f%%), %,d labels in %.1f s%n", d.size(), fraud,
                100.0 * fraud / d.size(), labels, (System.nanoTime() - begun) / 1e9);
        for (int s = 1; s <= 3; s++) {
            out.printf(Locale.ROOT, "  %-22s %,d%n", HandbookSimulator.SCENARIOS[s], byScenario[s]);
        }
        if (o.out() != null) {
            out.println("wrote " + o.out());
        }
        return 0;
    }

    /** The validated options; rules across options fail with a {@link UsageException} naming them. */
    Options options() {
        if (bootstrapServers == null && out == null) {
            throw new UsageException("nothing to write: give --out FILE and/or --bootstrap-servers HOST:PORT");
        }
        if (bootstrapServers != null && bootstrapServers.isBlank()) {
            throw new UsageException("--bootstrap-servers must not be blank");
        }
        if (rate != null && !(rate > 0 && Double.isFinite(rate))) {
            throw new UsageException("--rate must be > 0 transactions per second, was " + rate);
        }
        if (rate != null && bootstrapServers == null) {
            throw new UsageException("--rate paces Kafka writes and needs --bootstrap-servers");
        }
        SimulatorConfig.Builder b = SimulatorConfig.builder().seed(seed);
        String first = start != null ? start : bootstrapServers != null ? "now" : null;
        SimulatorConfig config;
        try {
            b.cards(cards);
            if (first != null) {
                try {
                    b.start("now".equals(first) ? clock.instant().truncatedTo(ChronoUnit.SECONDS) : Instant.parse(first));
                } catch (DateTimeParseException e) {
                    throw new UsageException("--start must be an ISO instant like 2025-01-01T00:00:00Z or 'now', was '"
                            + first + "'");
                }
            }
            if (count != null) {
                b.maxTransactions(count);
                b.unbounded();
            }
            if ("unbounded".equals(duration)) {
                b.unbounded();
            } else if (duration != null) {
                try {
                    b.duration(DurationConverter.parse(duration));
                } catch (CommandLine.TypeConversionException e) {
                    throw new UsageException("--duration: " + e.getMessage() + " (or unbounded)");
                }
            }
            if (noCompromisedMerchant) {
                b.compromisedMerchant(false);
            }
            if (labelDelay != null) {
                b.labelDelay(labelDelay);
            }
            if (fraudRate != null) {
                b.fraudRate(fraudRate);
            }
            config = b.build();
        } catch (InvalidSettingException e) {
            String option = e.setting().startsWith("simulator.fraud-share") ? "--fraud-rate"
                    : OPTION_OF_SETTING.getOrDefault(e.setting(), e.setting());
            throw new UsageException(option + ": " + e.getMessage());
        }
        if (config.duration() == null && config.maxTransactions() == Long.MAX_VALUE && out != null) {
            throw new UsageException("--duration unbounded without --count would write an endless --out file");
        }
        return new Options(config, bootstrapServers, topic, labelsTopic, rate == null ? 0 : rate, out);
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
}
