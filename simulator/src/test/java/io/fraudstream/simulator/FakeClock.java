package io.fraudstream.simulator;

import java.util.ArrayList;
import java.util.List;

/** A ticker whose sleeps advance time instantly and are recorded, optionally oversleeping. */
final class FakeClock implements RateLimiter.Ticker, RateLimiter.Sleeper {

    long now = 1_000_000_000L;
    long oversleepNanos;
    final List<Long> sleeps = new ArrayList<>();

    @Override
    public long nanos() {
        return now;
    }

    @Override
    public void sleepNanos(long nanos) {
        sleeps.add(nanos);
        now += nanos + oversleepNanos;
    }

    long slept() {
        return sleeps.stream().mapToLong(Long::longValue).sum();
    }
}
