package io.fraudstream.job.config;

import io.fraudstream.model.scoring.AlertBudget;
import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's settings, read once from the command line (and an optional properties file), validated
 * up front: a missing or invalid value fails start-up with a message naming the setting, instead of
 * a task failing later. Keys that are not the job's own are handed to Flink unchanged (e.g.
 * {@code state.backend.type: rocksdb}, {@code metrics.reporter.prom.*}).
 */
public final class JobConfig implements Serializable {
    private static final Logger LOG = LoggerFactory.getLogger(JobConfig.class);

    private static final long serialVersionUID = 1L;

    /** Key prefixes that belong to the job: an unknown key under one of them is a typo. */
    private static final List<String> OWN_PREFIXES = List.of(
            "kafka.", "topic.", "delivery.", "checkpoint.", "model.", "validation.", "dead-letter.", "alert.",
            "job.", "source.", "state.card-", "point-of-purchase.", "shadow.");

    private final Map<String, String> values;

    private JobConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
        validate();
    }

    /**
     * Parses {@code --key value}, {@code --key=value} and {@code --config <file.properties>} (later
     * arguments override the file).
     */
    public static JobConfig fromArgs(String... args) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> fromArgs = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new InvalidConfigurationException("unexpected argument '" + arg + "': use --<setting> <value>");
            }
            String key;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                key = arg.substring(2, eq);
                value = arg.substring(eq + 1);
            } else {
                key = arg.substring(2);
                if (i + 1 >= args.length) {
                    throw new InvalidConfigurationException("setting '" + key + "' has no value");
                }
                value = args[++i];
            }
            if (key.equals("config")) {
                values.putAll(readFile(Path.of(value)));
            } else {
                fromArgs.put(key, value);
            }
        }
        values.putAll(fromArgs);
        return new JobConfig(values);
    }

    public static JobConfig fromMap(Map<String, String> values) {
        return new JobConfig(values);
    }

    private static Map<String, String> readFile(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            props.load(reader);
        } catch (IOException e) {
            throw new InvalidConfigurationException("setting 'config': cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        props.stringPropertyNames().stream().sorted().forEach(k -> out.put(k, props.getProperty(k).trim()));
        return out;
    }

    /** A new map with a key changed; for tests and tools. */
    public JobConfig with(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.put(key, value);
        return new JobConfig(copy);
    }

    private void validate() {
        Set<String> known = new HashSet<>();
        for (ConfigOption<?> option : JobOptions.ALL) {
            known.add(option.key());
        }
        for (String key : values.keySet()) {
            boolean ours = OWN_PREFIXES.stream().anyMatch(key::startsWith);
            if (JobOptions.RETIRED.containsKey(key)) {
                LOG.warn("Setting '{}' has no effect since this release and is ignored: {}; remove it", key,
                        JobOptions.RETIRED.get(key));
                continue;
            }
            if (ours && !known.contains(key) && !key.startsWith(JobOptions.KAFKA_PROPERTIES_PREFIX)) {
                throw new InvalidConfigurationException("unknown setting '" + key + "' (see README, Configuration)");
            }
        }
        // Reading each option once makes every type error surface now, named.
        for (ConfigOption<?> option : JobOptions.ALL) {
            get(option);
        }
        require(JobOptions.BOOTSTRAP_SERVERS);
        require(JobOptions.MODEL_STORE);
        require(JobOptions.MODEL_PUBLIC_KEY);
        require(JobOptions.MODEL_INITIAL_DESCRIPTOR);
        positive(JobOptions.CHECKPOINT_INTERVAL);
        startFrom();
        positive(JobOptions.CARD_STATE_TTL);
        positive(JobOptions.MAX_EVENT_AGE);
        positive(JobOptions.POP_FLUSH_INTERVAL);
        if (get(JobOptions.POP_FLUSH_INTERVAL).compareTo(Duration.ofMinutes(10)) > 0) {
            throw invalid(JobOptions.POP_FLUSH_INTERVAL, "must be at most 10 min (counts must reach the scoring side "
                    + "well within the 1 h settle time)");
        }
        if (get(JobOptions.POP_PARALLELISM) < 1) {
            throw invalid(JobOptions.POP_PARALLELISM, "must be >= 1 (the subtasks of the point-of-purchase enrichment)");
        }
        if (get(JobOptions.MAX_EVENT_LEAD).isNegative()) {
            throw invalid(JobOptions.MAX_EVENT_LEAD, "must not be negative");
        }
        if (get(JobOptions.MAX_AMOUNT_MINOR) <= 0) {
            throw invalid(JobOptions.MAX_AMOUNT_MINOR, "must be > 0");
        }
        if (get(JobOptions.HISTORY_CACHE_WARM_TIME).isNegative()) {
            throw invalid(JobOptions.HISTORY_CACHE_WARM_TIME, "must be >= 0 s");
        }
        if (get(JobOptions.CARD_WRITE_IDLE).isNegative()) {
            throw invalid(JobOptions.CARD_WRITE_IDLE, "must be >= 0 s");
        }
        if (get(JobOptions.CARD_WRITE_BEHIND) < 0) {
            throw invalid(JobOptions.CARD_WRITE_BEHIND, "must be >= 0");
        }
        if (get(JobOptions.HISTORY_CACHE_TRANSACTIONS) < 0) {
            throw invalid(JobOptions.HISTORY_CACHE_TRANSACTIONS, "must be >= 0");
        }
        if (get(JobOptions.MODEL_MAX_BYTES) <= 0) {
            throw invalid(JobOptions.MODEL_MAX_BYTES, "must be > 0");
        }
        int payload = get(JobOptions.DEAD_LETTER_MAX_PAYLOAD);
        if (payload < 0 || payload > 900_000) {
            throw invalid(JobOptions.DEAD_LETTER_MAX_PAYLOAD, "must be in [0, 900000] (a Kafka message is at most 1 MB)");
        }
        for (ConfigOption<Integer> top : List.of(JobOptions.ALERT_TOP_ATTENDED, JobOptions.ALERT_TOP_CONTRIBUTIONS)) {
            if (get(top) < 0 || get(top) > 100) {
                throw invalid(top, "must be in [0, 100]");
            }
        }
        alertBudget();
        int parallelism = get(JobOptions.PARALLELISM);
        if (parallelism == 0 || parallelism < -1) {
            throw invalid(JobOptions.PARALLELISM, "must be -1 (default) or >= 1");
        }
        for (ConfigOption<String> topic : List.of(JobOptions.TRANSACTIONS_TOPIC, JobOptions.SCORES_TOPIC,
                JobOptions.SHADOW_SCORES_TOPIC, JobOptions.ALERTS_TOPIC, JobOptions.DEAD_LETTER_TOPIC,
                JobOptions.MODEL_UPDATES_TOPIC, JobOptions.LABELS_TOPIC)) {
            if (!get(topic).matches("[a-zA-Z0-9._-]{1,249}")) {
                throw invalid(topic, "is not a legal Kafka topic name");
            }
        }
    }

    private void require(ConfigOption<String> option) {
        String value = get(option);
        if (value == null || value.isBlank()) {
            throw new InvalidConfigurationException("missing required setting '" + option.key() + "': "
                    + new org.apache.flink.configuration.description.HtmlFormatter().format(option.description()));
        }
    }

    private void positive(ConfigOption<Duration> option) {
        Duration value = get(option);
        if (value.isZero() || value.isNegative()) {
            throw invalid(option, "must be > 0");
        }
    }

    private InvalidConfigurationException invalid(ConfigOption<?> option, String why) {
        return new InvalidConfigurationException(
                "invalid setting '" + option.key() + "' = '" + values.get(option.key()) + "': " + why);
    }

    /** {@code alert.budget} with its window and minimum: null when the budget is off (0). */
    public AlertBudget.Settings alertBudget() {
        double share = get(JobOptions.ALERT_BUDGET);
        if (!(share >= 0 && share <= 0.5)) {
            throw invalid(JobOptions.ALERT_BUDGET, "must be in [0, 0.5] (0 = the model's threshold decides)");
        }
        Duration window = get(JobOptions.ALERT_BUDGET_WINDOW);
        if (window.compareTo(Duration.ofMinutes(24)) < 0) {
            throw invalid(JobOptions.ALERT_BUDGET_WINDOW, "must be at least 24 min (the threshold moves every 1/24 of it)");
        }
        if (get(JobOptions.ALERT_BUDGET_MIN_ALERTS) < 1) {
            throw invalid(JobOptions.ALERT_BUDGET_MIN_ALERTS, "must be >= 1");
        }
        return share == 0 ? null
                : new AlertBudget.Settings(share, window.toMillis(), get(JobOptions.ALERT_BUDGET_MIN_ALERTS));
    }

    /** {@code kafka.start-from}, parsed. */
    public StartFrom startFrom() {
        try {
            return StartFrom.parse(get(JobOptions.START_FROM));
        } catch (IllegalArgumentException e) {
            throw invalid(JobOptions.START_FROM, e.getMessage());
        }
    }

    /** Whether {@code option} was given (job argument or properties file), as opposed to its default. */
    public boolean isSet(ConfigOption<?> option) {
        return values.containsKey(option.key());
    }

    public <T> T get(ConfigOption<T> option) {
        try {
            return flinkView().get(option);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException("invalid setting '" + option.key() + "' = '"
                    + values.get(option.key()) + "': " + e.getMessage(), e);
        }
    }

    /** Kafka client properties from {@code kafka.properties.*} (security, timeouts, ...). */
    public Properties kafkaProperties() {
        Properties props = new Properties();
        values.forEach((k, v) -> {
            if (k.startsWith(JobOptions.KAFKA_PROPERTIES_PREFIX)) {
                props.setProperty(k.substring(JobOptions.KAFKA_PROPERTIES_PREFIX.length()), v);
            }
        });
        return props;
    }

    /** Settings that are not the job's own, for Flink's execution environment. */
    public Configuration flinkConfiguration() {
        Map<String, String> flink = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (OWN_PREFIXES.stream().noneMatch(k::startsWith)) {
                flink.put(k, v);
            }
        });
        return Configuration.fromMap(flink);
    }

    private Configuration flinkView() {
        return Configuration.fromMap(values);
    }

    public Map<String, String> asMap() {
        return values;
    }
}
