package io.fraudstream.local;

import io.fraudstream.cli.support.UsageException;
import io.fraudstream.job.config.JobOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import picocli.CommandLine.Option;

/** {@code fraudstream bench}: the load harness ({@link LoadBenchmark}; docs/BENCHMARKS.md). */
@Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = {"Measures the real job on a real in-process broker: throughput over a pre-loaded topic, then"
            + " produce-to-score latency at an offered rate; with --swap-every, latency with and without model"
            + " hot-swaps (docs/BENCHMARKS.md)."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--state-backend", paramLabel = "B", defaultValue = "hashmap", description = "${COMPLETION-"
            + "CANDIDATES}.")
    DemoCommand.StateBackend stateBackend;

    @Option(names = "--count", paramLabel = "N", defaultValue = "400000", description = "Transactions of the"
            + " throughput phase (0 skips it).")
    long count;

    @Option(names = "--rate", paramLabel = "TX_PER_S", defaultValue = "10000", description = "Offered rate of the"
            + " latency phase.")
    double rate;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "30", description = "Length of the latency"
            + " phase.")
    int seconds;

    @Option(names = "--cards", paramLabel = "N", defaultValue = "10000", description = "Simulated cards.")
    int cards;

    @Option(names = "--swap-every", paramLabel = "S", defaultValue = "0", description = "Publish a new signed"
            + " champion at the start of every other slot of S seconds (0: no swaps).")
    int swapEvery;

    @Option(names = "--history", paramLabel = "N", defaultValue = "0", description = "Transactions of every"
            + " card's history before the latency phase (bootstrapped into a savepoint the job starts from).")
    int history;

    @Option(names = "--swap-weights", paramLabel = "new|same", defaultValue = "new", description = "Swapped"
            + " models get new extractor weights or keep them (either way nothing per card is recomputed).")
    String swapWeights;

    @Option(names = "--checkpoint-interval", paramLabel = "S", description = "Job checkpoint interval in seconds"
            + " (job default 10).")
    Integer checkpointInterval;

    @Option(names = "--shadow", paramLabel = "new-weights|none", defaultValue = "none", description = "Deploy a"
            + " shadow model with new extractor weights before the throughput job and before the paced window (every"
            + " transaction scored twice).")
    String shadow;

    @Option(names = "--shadow-max-lag", paramLabel = "MS", description = "The job's shadow.max-lag in the paced"
            + " window, in milliseconds (job default 50; 0: the shadow scores every transaction however late).")
    Long shadowMaxLag;

    @Option(names = "--await-first-checkpoint", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Start the paced window only after the restored job's first checkpoint has completed. That"
            + " checkpoint uploads the whole restored state (a savepoint shares no files with the job's incremental"
            + " checkpoints), a one-time cost of a first start from a savepoint that a bank pays before its"
            + " traffic cutover; --no-await-first-checkpoint puts it in the window.")
    boolean awaitFirstCheckpoint;

    @Option(names = "--warm-up", paramLabel = "S", defaultValue = "60", description = "The shortest warm-up: seconds"
            + " at the offered rate before the measured window, not counted (the JIT compiling the paced path, the"
            + " in-process broker's most of all, 40-50 s on 2 cores; the shadow's deployment). After S it goes on until"
            + " the JIT is quiet (at most 1 s of compile time in 10 s), up to --warm-up-max. When the warm-up is at"
            + " least --seconds long the bench also prints the window it measured before this option (the paced"
            + " phase's first --seconds after their first 20 %%).")
    int warmUp;

    @Option(names = "--warm-up-max", paramLabel = "S", defaultValue = "180", description = "The longest warm-up, in"
            + " seconds: the window starts then even if the JIT is not quiet (the bench says so). Equal to --warm-up:"
            + " a fixed warm-up.")
    int warmUpMax;

    @Option(names = "--point-of-purchase", paramLabel = "P", description = "Turn the point-of-purchase features on,"
            + " with the enrichment step on P subtasks (the job's point-of-purchase.parallelism; 1 holds every"
            + " merchant's and terminal's counts once). Off when not given.")
    Integer pointOfPurchase;

    @Option(names = "--flink-conf", paramLabel = "KEY=VALUE", description = "A Flink setting of the local"
            + " environment, over the bench's (e.g. state.backend.rocksdb.compaction.style=UNIVERSAL); repeatable.")
    List<String> flinkConf = new ArrayList<>();

    @Option(names = "--job-conf", paramLabel = "KEY=VALUE", description = "A job setting (README, \"Configuration\"),"
            + " over the bench's (e.g. state.card-write-idle=0s); repeatable. The options above win over it.")
    List<String> jobConf = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Map<String, String> flinkSettings = flinkSettings(flinkConf);
        if (swapEvery < 0 || history < 0 || count < 0) {
            throw new UsageException("--swap-every, --history and --count must be >= 0");
        }
        if (!(rate > 0) || seconds <= 0 || cards <= 0) {
            throw new UsageException("--rate, --seconds and --cards must be > 0");
        }
        if (warmUp < 0) {
            throw new UsageException("--warm-up must be >= 0 (seconds), was " + warmUp);
        }
        if (warmUpMax < warmUp) {
            throw new UsageException("--warm-up-max must be >= --warm-up (" + warmUp + " s), was " + warmUpMax);
        }
        boolean newWeights = switch (swapWeights) {
            case "new" -> true;
            case "same" -> false;
            default -> throw new UsageException("--swap-weights must be new or same, was '" + swapWeights + "'");
        };
        boolean withShadow = switch (shadow) {
            case "new-weights" -> true;
            case "none" -> false;
            default -> throw new UsageException("--shadow must be new-weights or none, was '" + shadow + "'");
        };
        Map<String, String> jobSettings = new LinkedHashMap<>(entries(jobConf, "--job-conf"));
        if (checkpointInterval != null) {
            jobSettings.put(JobOptions.CHECKPOINT_INTERVAL.key(), checkpointInterval + " s");
        }
        if (shadowMaxLag != null) {
            if (shadowMaxLag < 0) {
                throw new UsageException("--shadow-max-lag must be >= 0 (milliseconds), was " + shadowMaxLag);
            }
            jobSettings.put(JobOptions.SHADOW_MAX_LAG.key(), shadowMaxLag + " ms");
        }
        if (pointOfPurchase != null) {
            if (pointOfPurchase < 1) {
                throw new UsageException("--point-of-purchase must be >= 1 (enrichment subtasks), was " + pointOfPurchase);
            }
            jobSettings.put(JobOptions.POP_ENABLED.key(), "true");
            jobSettings.put(JobOptions.POP_PARALLELISM.key(), Integer.toString(pointOfPurchase));
        }
        LoadBenchmark bench = new LoadBenchmark(System.out, stateBackend.name(), count, rate, seconds, cards,
                swapEvery, history, newWeights, jobSettings, flinkSettings);
        bench.shadow = withShadow;
        bench.awaitFirstCheckpoint = awaitFirstCheckpoint;
        bench.warmUpSeconds = warmUp;
        bench.warmUpMaxSeconds = warmUpMax;
        bench.run();
        return 0;
    }

    /**
     * The {@code --flink-conf} entries as a map, in order (a later entry for the same key wins). Fails with a usage
     * error naming the option for an entry that is not {@code KEY=VALUE} with a non-blank key and value, and for a
     * RocksDB option (the state backend's, {@link RocksDBOptions} and {@link RocksDBConfigurableOptions}) whose value
     * does not parse, before anything is started.
     */
    static Map<String, String> flinkSettings(List<String> entries) {
        Map<String, String> settings = entries(entries, "--flink-conf");
        Configuration c = Configuration.fromMap(settings);
        for (Class<?> options : List.of(RocksDBOptions.class, RocksDBConfigurableOptions.class)) {
            for (var field : options.getFields()) {
                try {
                    if (field.get(null) instanceof ConfigOption<?> option && settings.containsKey(option.key())) {
                        c.get(option);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                } catch (IllegalArgumentException e) {
                    ConfigOption<?> option = optionOf(field);
                    throw new UsageException("--flink-conf " + option.key() + "=" + settings.get(option.key())
                            + ": not a valid value (" + e.getMessage() + ")");
                }
            }
        }
        return settings;
    }

    /** KEY=VALUE entries of a repeatable option, in order, the last of a key winning. */
    static Map<String, String> entries(List<String> entries, String option) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            String key = eq < 0 ? "" : entry.substring(0, eq).trim();
            String value = eq < 0 ? "" : entry.substring(eq + 1).trim();
            if (key.isEmpty() || value.isEmpty()) {
                throw new UsageException(option + " must be KEY=VALUE, was '" + entry + "'");
            }
            settings.put(key, value);
        }
        return settings;
    }

    private static ConfigOption<?> optionOf(java.lang.reflect.Field field) {
        try {
            return (ConfigOption<?>) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
