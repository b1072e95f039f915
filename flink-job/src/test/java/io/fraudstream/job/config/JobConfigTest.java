package io.fraudstream.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.job.validation.DeadLetterPayload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {

    private static final String[] REQUIRED = {
        "--kafka.bootstrap-servers", "localhost:9092", "--model.store", "/models",
        "--model.public-key", "/keys/model.pub", "--model.initial-descriptor", "/models/champion.json"};

    private static String[] with(String... more) {
        String[] all = new String[REQUIRED.length + more.length];
        System.arraycopy(REQUIRED, 0, all, 0, REQUIRED.length);
        System.arraycopy(more, 0, all, REQUIRED.length, more.length);
        return all;
    }

    @Test
    void readsTypedValuesAndDefaults() {
        JobConfig config = JobConfig.fromArgs(with("--delivery.guarantee", "EXACTLY_ONCE", "--state.card-ttl=30 d"));
        assertThat(config.get(JobOptions.DELIVERY)).isEqualTo(JobOptions.Delivery.EXACTLY_ONCE);
        assertThat(config.get(JobOptions.CARD_STATE_TTL)).isEqualTo(Duration.ofDays(30));
        assertThat(config.get(JobOptions.SCORES_TOPIC)).isEqualTo("fraud-scores");
    }

    @Test
    void deadLetterPayloadIsOneOfThreeModes() {
        assertThat(JobConfig.fromArgs(REQUIRED).get(JobOptions.DEAD_LETTER_PAYLOAD)).isEqualTo(DeadLetterPayload.TRUNCATED);
        assertThat(JobConfig.fromArgs(with("--dead-letter.payload", "withheld")).get(JobOptions.DEAD_LETTER_PAYLOAD))
                .isEqualTo(DeadLetterPayload.WITHHELD);
        assertThat(JobConfig.fromArgs(with("--dead-letter.payload", "full")).get(JobOptions.DEAD_LETTER_PAYLOAD))
                .isEqualTo(DeadLetterPayload.FULL);
        assertThatThrownBy(() -> JobConfig.fromArgs(with("--dead-letter.payload", "none")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("dead-letter.payload");
    }

    @Test
    void startFromIsCommittedLatestEarliestOrATime() {
        assertThat(JobConfig.fromArgs(REQUIRED).startFrom()).isEqualTo(StartFrom.DEFAULT);
        assertThat(StartFrom.DEFAULT.kind()).isEqualTo(StartFrom.Kind.COMMITTED);
        assertThat(JobConfig.fromArgs(with("--kafka.start-from", "latest")).startFrom().kind()).isEqualTo(StartFrom.Kind.LATEST);
        assertThat(JobConfig.fromArgs(with("--kafka.start-from", "EARLIEST")).startFrom().kind()).isEqualTo(StartFrom.Kind.EARLIEST);
        StartFrom at = JobConfig.fromArgs(with("--kafka.start-from", "2026-12-01T01:00:00+01:00")).startFrom();
        assertThat(at.kind()).isEqualTo(StartFrom.Kind.TIMESTAMP);
        assertThat(at.timestamp()).isEqualTo(java.time.Instant.parse("2026-12-01T00:00:00Z"));
        for (String bad : new String[] {"beginning", "2026-12-01", "yesterday", ""}) {
            assertThatThrownBy(() -> JobConfig.fromArgs(with("--kafka.start-from", bad)))
                    .as(bad)
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("kafka.start-from")
                    .hasMessageContaining("earliest");
        }
    }

    @Test
    void missingRequiredSettingIsNamed() {
        assertThatThrownBy(() -> JobConfig.fromArgs("--model.store", "/m"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("kafka.bootstrap-servers")
                .hasMessageNotContaining("Description@"); // the setting's description as text, not an object
    }

    @Test
    void badValueIsNamed() {
        assertThatThrownBy(() -> JobConfig.fromArgs(with("--delivery.guarantee", "MOSTLY_ONCE")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("delivery.guarantee");
        assertThatThrownBy(() -> JobConfig.fromArgs(with("--checkpoint.interval", "0 s")))
                .hasMessageContaining("checkpoint.interval");
        assertThatThrownBy(() -> JobConfig.fromArgs(with("--topic.scores", "bad topic!")))
                .hasMessageContaining("topic.scores");
        assertThatThrownBy(() -> JobConfig.fromArgs(with("--job.parallelism", "0")))
                .hasMessageContaining("job.parallelism");
        assertThatThrownBy(() -> JobConfig.fromArgs(with("--alert.budget", "1.5")))
                .hasMessageContaining("alert.budget");
        assertThatThrownBy(() -> JobConfig.fromArgs(with("--alert.budget", "0.01", "--alert.budget-window", "10 min")))
                .hasMessageContaining("alert.budget-window");
        assertThatThrownBy(() -> JobConfig.fromArgs(with("--alert.budget", "0.01", "--alert.budget-min-alerts", "0")))
                .hasMessageContaining("alert.budget-min-alerts");
        assertThatThrownBy(() -> JobConfig.fromArgs(with("--state.card-write-behind", "-1")))
                .hasMessageContaining("state.card-write-behind").hasMessageContaining("must be >= 0");
        assertThatThrownBy(() -> JobConfig.fromArgs(with("--state.card-write-idle", "-1 s")))
                .hasMessageContaining("state.card-write-idle");
        assertThatThrownBy(() -> JobConfig.fromArgs(with("--state.card-cache-warm-time", "-1 s")))
                .hasMessageContaining("state.card-cache-warm-time");
        assertThatThrownBy(() -> JobConfig.fromArgs(with("--shadow.max-lag", "-1 ms")))
                .hasMessageContaining("shadow.max-lag");
        assertThatThrownBy(() -> JobConfig.fromArgs(with("--shadow.max-lagg", "1 s")))
                .hasMessageContaining("unknown setting 'shadow.max-lagg'");
    }

    @Test
    void theStateAndShadowSettingsAreAcceptedAndReachTheScoringSettings() {
        // These were once missing from JobOptions.ALL, so setting them failed as an "unknown setting".
        var settings = io.fraudstream.job.scoring.ScoringSettings.from(JobConfig.fromArgs(with(
                "--state.card-write-behind", "7", "--state.card-cache-warm-time", "3 s", "--shadow.max-lag", "80 ms",
                "--state.card-write-idle", "700 ms")));
        assertThat(settings.maxUnwrittenCards()).isEqualTo(7);
        assertThat(settings.writeIdleMillis()).isEqualTo(700);
        assertThat(io.fraudstream.job.scoring.ScoringSettings.from(JobConfig.fromArgs(REQUIRED)).writeIdleMillis())
                .as("default").isEqualTo(2_000);
        assertThat(settings.cacheWarmMillis()).isEqualTo(3_000);
        assertThat(settings.shadowMaxLagMillis()).isEqualTo(80);
        assertThat(io.fraudstream.job.scoring.ScoringSettings.from(JobConfig.fromArgs(REQUIRED)).shadowMaxLagMillis())
                .as("default").isEqualTo(50);
        assertThat(io.fraudstream.job.scoring.ScoringSettings.from(JobConfig.fromArgs(with(
                "--shadow.max-lag", "80 ms", "--source.bounded", "true"))).shadowMaxLagMillis())
                .as("bounded runs never skip").isZero();
    }

    @Test
    void theAlertBudgetIsOffUnlessAShareIsSet() {
        assertThat(JobConfig.fromArgs(REQUIRED).alertBudget()).isNull();
        var budget = JobConfig.fromArgs(with("--alert.budget", "0.01", "--alert.budget-window", "7 d")).alertBudget();
        assertThat(budget.share()).isEqualTo(0.01);
        assertThat(budget.windowMillis()).isEqualTo(java.time.Duration.ofDays(7).toMillis());
        assertThat(budget.minScores()).isEqualTo(10_000);
        assertThat(io.fraudstream.job.scoring.ScoringSettings.from(JobConfig.fromArgs(with("--alert.budget", "0.02")))
                .alertBudget().share()).isEqualTo(0.02);
    }

    @Test
    void typoInAJobSettingFailsInsteadOfBeingIgnored() {
        assertThatThrownBy(() -> JobConfig.fromArgs(with("--delivery.guarentee", "EXACTLY_ONCE")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("unknown setting 'delivery.guarentee'");
    }

    @Test
    void settingsOfEarlierReleasesThatNoLongerDoAnythingAreAcceptedNotFatal() {
        JobConfig config = JobConfig.fromArgs(with("--model.kv-refresh-chunk", "32", "--model.kv-refresh-window",
                "2 min"));
        assertThat(config.get(JobOptions.CARD_STATE_TTL)).isPositive();
        assertThat(JobOptions.RETIRED).containsKeys("model.kv-refresh-chunk", "model.kv-refresh-window");
        assertThat(JobOptions.ALL).noneMatch(o -> JobOptions.RETIRED.containsKey(o.key()));
    }

    @Test
    void kafkaPropertiesAndFlinkSettingsPassThrough() {
        JobConfig config = JobConfig.fromArgs(with("--kafka.properties.security.protocol", "SASL_SSL",
                "--state.backend.type", "rocksdb"));
        assertThat(config.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(config.flinkConfiguration().toMap()).containsEntry("state.backend.type", "rocksdb")
                .doesNotContainKey("kafka.bootstrap-servers");
    }

    @Test
    void fileSettingsAreOverriddenByArguments(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(file, "kafka.bootstrap-servers=file:9092\nalert.top-attended=7\nmodel.store=/m\n"
                + "model.public-key=/k\nmodel.initial-descriptor=/d\n");
        JobConfig config = JobConfig.fromArgs("--config", file.toString(), "--kafka.bootstrap-servers", "arg:9092");
        assertThat(config.get(JobOptions.BOOTSTRAP_SERVERS)).isEqualTo("arg:9092");
        assertThat(config.get(JobOptions.ALERT_TOP_ATTENDED)).isEqualTo(7);
    }

    @Test
    void missingConfigFileIsNamed() {
        assertThatThrownBy(() -> JobConfig.fromArgs("--config", "/does/not/exist.properties"))
                .hasMessageContaining("'config'");
    }
}
