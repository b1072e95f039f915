package io.fraudstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Pacing checked on a fake clock: no test here sleeps. */
class RateLimiterTest {

    @Test
    void pacesToTheRateWithOneSleepPerPermitAtLowRates() throws InterruptedException {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = new RateLimiter(100, clock, clock);
        long begin = clock.now;
        for (int i = 0; i < 1_000; i++) {
            limiter.acquire();
        }
        // 1,000 permits at 100/s: the first is free, the others 10 ms apart.
        assertThat(clock.now - begin).isEqualTo(999 * 10_000_000L);
        assertThat(clock.sleeps).hasSize(999).allMatch(s -> s == 10_000_000L);
    }

    @Test
    void highRatesSleepRarelyButKeepTheAverage() throws InterruptedException {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = new RateLimiter(100_000, clock, clock);
        long begin = clock.now;
        for (int i = 0; i < 100_000; i++) {
            limiter.acquire();
        }
        double seconds = (clock.now - begin) / 1e9;
        assertThat(seconds).isBetween(0.999, 1.0);
        // Waits under MIN_SLEEP_NANOS are carried over: one sleep per ~20 permits, never a spin.
        assertThat(clock.sleeps.size()).isBetween(4_000, 5_100);
        assertThat(clock.sleeps).allMatch(s -> s >= RateLimiter.MIN_SLEEP_NANOS);
    }

    @Test
    void lateWakeUpsAreCaughtUpSoTheLongRunRateHolds() throws InterruptedException {
        FakeClock clock = new FakeClock();
        clock.oversleepNanos = 3_000_000; // every sleep wakes 3 ms late
        RateLimiter limiter = new RateLimiter(1_000, clock, clock);
        long begin = clock.now;
        for (int i = 0; i < 10_000; i++) {
            limiter.acquire();
        }
        double seconds = (clock.now - begin) / 1e9;
        assertThat(seconds).isBetween(9.99, 10.01);
        assertThat(clock.sleeps.size()).isLessThan(10_000 / 2);
    }

    @Test
    void idleTimeIsCreditedOnlyUpToTheBurst() throws InterruptedException {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = new RateLimiter(1_000, clock, clock);
        clock.now += 60_000_000_000L; // a minute idle
        long begin = clock.now;
        for (int i = 0; i < 1_000; i++) {
            limiter.acquire();
        }
        // Burst of 50 ms (50 permits) plus the free one, then 1 ms apart: not a minute's worth at once.
        assertThat((clock.now - begin) / 1e6).isBetween(948.0, 951.0);
    }

    @Test
    void rejectsNonsenseRates() {
        FakeClock clock = new FakeClock();
        assertThatThrownBy(() -> new RateLimiter(0, clock, clock)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 0.0");
        assertThatThrownBy(() -> new RateLimiter(Double.NaN, clock, clock)).isInstanceOf(IllegalArgumentException.class);
    }
}
