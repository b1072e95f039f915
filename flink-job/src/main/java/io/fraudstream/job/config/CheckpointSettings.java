package io.fraudstream.job.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.core.execution.CheckpointingMode;

/**
 * The job's checkpointing, resolved against the configuration that really runs: Flink's own
 * {@code execution.checkpointing.*} settings (the cluster's configuration, or job arguments passed through) are
 * respected where given; where not, the job sets defaults fit for long card histories on a real cluster, instead of
 * Flink's (no tolerated failure, checkpoints deleted on cancel). The result is one {@link Configuration} applied to
 * the environment, and one log line that says where each value came from.
 *
 * <p>Interval: {@code checkpoint.interval} when given as a job setting, else {@code execution.checkpointing.interval}
 * when set, else 10 s. Mode: exactly-once unless set; at-least-once checkpoints together with
 * {@code delivery.guarantee=EXACTLY_ONCE} are refused (Kafka transactions would then commit duplicates).
 */
public final class CheckpointSettings {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    public static final int DEFAULT_TOLERABLE_FAILURES = 3;
    public static final ExternalizedCheckpointRetention DEFAULT_RETENTION =
            ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION;

    private final Configuration resolved = new Configuration();
    private final Map<String, String> described = new LinkedHashMap<>();

    private CheckpointSettings() {}

    /**
     * @param effective the environment's configuration (cluster configuration plus the Flink keys of the job
     *                  arguments)
     * @param job       the job's own settings
     */
    public static CheckpointSettings resolve(ReadableConfig effective, JobConfig job) {
        CheckpointSettings s = new CheckpointSettings();
        Duration interval;
        if (job.isSet(JobOptions.CHECKPOINT_INTERVAL)) {
            interval = job.get(JobOptions.CHECKPOINT_INTERVAL);
            s.put(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval, "job setting " + JobOptions.CHECKPOINT_INTERVAL.key());
        } else {
            Optional<Duration> given = effective.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL);
            interval = given.orElse(JobOptions.CHECKPOINT_INTERVAL.defaultValue());
            s.put(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval, given.isPresent() ? "Flink configuration" : "job default");
        }
        if (interval.isZero() || interval.isNegative()) {
            throw new InvalidConfigurationException("invalid setting '" + CheckpointingOptions.CHECKPOINTING_INTERVAL.key()
                    + "' = '" + interval + "': the job needs checkpoints (offsets, card state, Kafka transactions); must be > 0");
        }
        CheckpointingMode mode = s.take(effective, CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        if (mode == CheckpointingMode.AT_LEAST_ONCE && job.get(JobOptions.DELIVERY) == JobOptions.Delivery.EXACTLY_ONCE) {
            throw new InvalidConfigurationException("invalid setting '" + CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE.key()
                    + "' = 'AT_LEAST_ONCE' together with '" + JobOptions.DELIVERY.key() + "' = 'EXACTLY_ONCE': "
                    + "exactly-once delivery needs exactly-once checkpoints");
        }
        s.take(effective, CheckpointingOptions.CHECKPOINTING_TIMEOUT, DEFAULT_TIMEOUT);
        s.take(effective, CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, interval.dividedBy(2));
        s.take(effective, CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, DEFAULT_TOLERABLE_FAILURES);
        s.take(effective, CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, DEFAULT_RETENTION);
        return s;
    }

    /** The checkpointing options to apply ({@code env.configure(...)}). */
    public Configuration configuration() {
        return resolved;
    }

    /** One line for the start-up log: each value and where it came from. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        described.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        return b.toString();
    }

    private <T> T take(ReadableConfig effective, ConfigOption<T> option, T fallback) {
        Optional<T> given = effective.getOptional(option);
        T value = given.orElse(fallback);
        put(option, value, given.isPresent() ? "Flink configuration" : "job default");
        return value;
    }

    private <T> void put(ConfigOption<T> option, T value, String source) {
        resolved.set(option, value);
        described.put(option.key(), (value instanceof Duration d ? d.toMillis() + " ms" : String.valueOf(value))
                + " (" + source + ")");
    }
}
