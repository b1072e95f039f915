package io.fraudstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SolarTimeTest {

    @Test
    void offsetIsTheLongitudeShiftInWholeSecondsRoundedSoTheExactShiftLandsJustAfter() {
        assertThat(SolarTime.offsetSeconds(-74.006)).isEqualTo(-17_762); // New York: -4 h 56 min 01.44 s
        assertThat(SolarTime.offsetSeconds(0.0)).isEqualTo(-1);
        assertThat(SolarTime.offsetSeconds(15.0)).isEqualTo(3_599);
        assertThat(SolarTime.offsetSeconds(null)).isZero();
        assertThat(SolarTime.offsetSeconds(Double.NaN)).isZero();
        assertThat(SolarTime.offsetSeconds(200.0)).isZero();
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 100_000; i++) {
            double lon = i < City.ALL.size() ? City.ALL.get(i).lon() : r.nextDouble(-180, 180);
            double exact = (double) (float) lon * 240.0;
            double gap = exact - SolarTime.offsetSeconds(lon);
            assertThat(gap).as("lon %s", lon).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
        }
    }

    @Test
    void localAndInstantAreExactInverses() {
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < 10_000; i++) {
            double lon = r.nextDouble(-180, 180);
            Instant instant = Instant.ofEpochSecond(1_700_000_000L + r.nextInt(100_000_000));
            LocalDateTime local = SolarTime.toLocal(instant, lon);
            assertThat(SolarTime.toInstant(local, lon)).isEqualTo(instant);
        }
    }

    @Test
    void anAfternoonInUtcIsMorningInTheUs() {
        // The alert that started docs/TIME.md: 15:00 UTC for a Texas card is about 08:28 local, not night.
        Instant utc15 = Instant.parse("2025-03-01T15:00:00Z");
        assertThat(SolarTime.toLocal(utc15, -98.0539)).isEqualTo(LocalDateTime.parse("2025-03-01T08:27:47"));
    }
}
