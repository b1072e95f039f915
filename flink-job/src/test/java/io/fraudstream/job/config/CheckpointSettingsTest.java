package io.fraudstream.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.job.FraudScoringJob;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class CheckpointSettingsTest {

    private static JobConfig job(String... keyValues) {
        Map<String, String> v = new HashMap<>(Map.of("kafka.bootstrap-servers", "localhost:9092", "model.store", "/m",
                "model.public-key", "/k.pub", "model.initial-descriptor", "/m/c.json"));
        for (int i = 0; i < keyValues.length; i += 2) {
            v.put(keyValues[i], keyValues[i + 1]);
        }
        return JobConfig.fromMap(v);
    }

    /** The checkpoint configuration {@link FraudScoringJob#build} (through configureCheckpointing) leaves on an environment built like the job's. */
    private static CheckpointConfig applied(Configuration cluster, JobConfig job) {
        Configuration flink = FraudScoringJob.flinkConfiguration(job);
        flink.addAll(cluster);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        FraudScoringJob.configureCheckpointing(env, job);
        return env.getCheckpointConfig();
    }

    @Test
    void nothingSetGivesTheJobsDefaults() {
        CheckpointConfig c = applied(new Configuration(), job());
        assertThat(c.getCheckpointInterval()).isEqualTo(10_000);
        assertThat(c.getCheckpointingConsistencyMode()).isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(c.getCheckpointTimeout()).isEqualTo(Duration.ofMinutes(10).toMillis());
        assertThat(c.getMinPauseBetweenCheckpoints()).isEqualTo(5_000);
        assertThat(c.getTolerableCheckpointFailureNumber()).isEqualTo(3);
        assertThat(c.getExternalizedCheckpointRetention()).isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }

    @Test
    void theClustersSettingsAreRespected() {
        // Today's bug: the job set its own interval and mode over whatever the cluster said.
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMinutes(1));
        cluster.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.AT_LEAST_ONCE);
        cluster.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, Duration.ofMinutes(3));
        cluster.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, Duration.ofSeconds(7));
        cluster.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, 0);
        cluster.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION);
        CheckpointConfig c = applied(cluster, job());
        assertThat(c.getCheckpointInterval()).isEqualTo(60_000);
        assertThat(c.getCheckpointingConsistencyMode()).isEqualTo(CheckpointingMode.AT_LEAST_ONCE);
        assertThat(c.getCheckpointTimeout()).isEqualTo(180_000);
        assertThat(c.getMinPauseBetweenCheckpoints()).isEqualTo(7_000);
        assertThat(c.getTolerableCheckpointFailureNumber()).isZero();
        assertThat(c.getExternalizedCheckpointRetention()).isEqualTo(ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION);

        CheckpointSettings s = CheckpointSettings.resolve(cluster, job());
        assertThat(s.describe()).contains("execution.checkpointing.interval=60000 ms (Flink configuration)")
                .contains("execution.checkpointing.tolerable-failed-checkpoints=0 (Flink configuration)");
    }

    @Test
    void flinkKeysAsJobArgumentsCountAsTheClusters() {
        CheckpointConfig c = applied(new Configuration(), job("execution.checkpointing.interval", "30 s",
                "execution.checkpointing.tolerable-failed-checkpoints", "9"));
        assertThat(c.getCheckpointInterval()).isEqualTo(30_000);
        assertThat(c.getMinPauseBetweenCheckpoints()).isEqualTo(15_000);
        assertThat(c.getTolerableCheckpointFailureNumber()).isEqualTo(9);
    }

    @Test
    void anExplicitJobIntervalWinsAndSaysSo() {
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMinutes(1));
        CheckpointSettings s = CheckpointSettings.resolve(cluster, job("checkpoint.interval", "2 s"));
        assertThat(s.configuration().get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.describe()).contains("execution.checkpointing.interval=2000 ms (job setting checkpoint.interval)")
                .contains("execution.checkpointing.externalized-checkpoint-retention=RETAIN_ON_CANCELLATION (job default)");
    }

    @Test
    void atLeastOnceCheckpointsWithExactlyOnceDeliveryAreRefusedNamingBoth() {
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.AT_LEAST_ONCE);
        assertThatThrownBy(() -> CheckpointSettings.resolve(cluster, job("delivery.guarantee", "EXACTLY_ONCE")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("execution.checkpointing.mode")
                .hasMessageContaining("delivery.guarantee");
    }
}
