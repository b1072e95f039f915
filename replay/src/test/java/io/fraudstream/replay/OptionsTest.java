package io.fraudstream.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {

    private static Duration delay(String value) {
        return new Options(Map.of("label-delay", value))
                .duration("label-delay", Duration.ZERO);
    }

    @Test
    void durationsInShortAndIsoForm() {
        assertThat(delay("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(delay("36h")).isEqualTo(Duration.ofHours(36));
        assertThat(delay("36H")).isEqualTo(Duration.ofHours(36));
        assertThat(delay("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(delay("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(delay("PT36H")).isEqualTo(Duration.ofHours(36));
        assertThat(delay("P7D")).isEqualTo(Duration.ofDays(7));
        assertThat(delay("0d")).isEqualTo(Duration.ZERO);
        assertThat(new Options(Map.of()).duration("label-delay", Duration.ofDays(7)))
                .isEqualTo(Duration.ofDays(7));
    }

    @Test
    void badOrNegativeDurationsNameTheOption() {
        for (String bad : new String[] {"7", "7 days", "-1d", "PT-5H", "d", "7w", "99999999999999999999d"}) {
            assertThatThrownBy(() -> delay(bad)).as(bad)
                    .isInstanceOf(Options.UsageException.class)
                    .hasMessageContaining("--label-delay")
                    .hasMessageContaining(bad);
        }
    }
}
