package io.fraudstream.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleSettingsTest {

    @Test
    void argumentsOverrideTheEnvironmentAndDefaultsApply() throws Exception {
        ConsoleSettings s = ConsoleSettings.parse(new String[] {"--kafka.bootstrap-servers", "k:9092",
                "--console.port", "9000", "--kafka.properties.security.protocol", "SASL_SSL"},
                Map.of("CONSOLE_DB_PASSWORD", "secret", "CONSOLE_PORT", "1"));
        assertThat(s.integer("console.port")).isEqualTo(9000);
        assertThat(s.get("console.db.password")).isEqualTo("secret");
        assertThat(s.get("topic.alerts")).isEqualTo("fraud-alerts");
        assertThat(s.kafkaClientProperties()).containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void badSettingsFailNamingTheSetting() {
        assertThatThrownBy(() -> ConsoleSettings.of(Map.of())).hasMessageContaining("kafka.bootstrap-servers");
        assertThatThrownBy(() -> ConsoleSettings.of(Map.of("kafka.bootstrap-servers", "k", "console.prot", "1")))
                .hasMessageContaining("console.prot");
        assertThatThrownBy(() -> ConsoleSettings.of(Map.of("kafka.bootstrap-servers", "k", "console.port", "x")))
                .hasMessageContaining("console.port");
        assertThatThrownBy(() -> ConsoleSettings.of(Map.of("kafka.bootstrap-servers", "k",
                "console.model.store", "/m"))).hasMessageContaining("console.model.keys");
        assertThatThrownBy(() -> ConsoleSettings.of(Map.of("kafka.bootstrap-servers", "k",
                "console.rules.replay-inputs", "/no/such/file.csv"))).hasMessageContaining(
                        "console.rules.replay-inputs");
        assertThatThrownBy(() -> ConsoleSettings.of(Map.of("kafka.bootstrap-servers", "k", "topic.rules", " ")))
                .hasMessageContaining("topic.rules");
    }
}
