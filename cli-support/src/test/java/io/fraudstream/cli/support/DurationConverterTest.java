package io.fraudstream.cli.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class DurationConverterTest {

    @Test
    void shortAndIsoForms() {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("45s")).isEqualTo(Duration.ofSeconds(45));
        assertThat(DurationConverter.parse("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationConverter.parse("36H")).isEqualTo(Duration.ofHours(36));
        assertThat(DurationConverter.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(DurationConverter.parse(" 8h ")).isEqualTo(Duration.ofHours(8));
        assertThat(DurationConverter.parse("PT30M")).isEqualTo(Duration.ofMinutes(30));
        assertThat(DurationConverter.parse("p7d")).isEqualTo(Duration.ofDays(7));
        assertThat(DurationConverter.parse("0")).isZero();
        assertThat(DurationConverter.parse("0d")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"7", "7 days", "-1d", "PT-5H", "d", "7w", "99999999999999999999d", "", "soon"})
    void refusesAmbiguousNegativeAndMalformedValuesQuotingThem(String bad) {
        assertThatThrownBy(() -> DurationConverter.parse(bad)).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("'" + bad + "'");
    }
}
