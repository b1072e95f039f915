package io.fraudstream.job.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.job.JobMetrics;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/** Keeps the README true: every setting and metric of the job is documented there. */
class ReadmeConfigurationTest {

    private static String readme() throws Exception {
        return Files.readString(Path.of("..", "README.md"));
    }

    @Test
    void everySettingIsInTheConfigurationTable() throws Exception {
        String readme = readme();
        for (ConfigOption<?> option : JobOptions.ALL) {
            assertThat(readme).as("README documents %s", option.key()).contains("`" + option.key() + "`");
        }
    }

    @Test
    void everyMetricIsInTheMetricsTable() throws Exception {
        String readme = readme();
        for (Field f : JobMetrics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                String name = (String) f.get(null);
                assertThat(readme).as("README documents metric %s", name).contains(name);
            }
        }
    }
}
