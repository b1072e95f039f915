package io.fraudstream.simulator;

import java.util.concurrent.locks.LockSupport;

/**
 * Token bucket pacing for live mode: permits at a steady rate, with a small burst allowance so that
 * a late wake-up is caught up instead of lost. It never spins: a caller that must wait sleeps once
 * for the whole wait; waits shorter than {@link #MIN_SLEEP_NANOS} are not slept but carried over, so
 * at high rates one sleep covers many permits (the OS cannot sleep 10 microseconds accurately).
 *
 * <p>Time comes from an injected {@link Ticker} and waiting goes through an injected {@link Sleeper},
 * so tests check the pacing without sleeping. Not thread-safe: one sender thread.
 */
public final class RateLimiter {

    /** Waits shorter than this are carried over to the next permit instead of slept. */
    public static final long MIN_SLEEP_NANOS = 200_000;
    /** Idle time is credited up to this many seconds' worth of permits. */
    public static final double BURST_SECONDS = 0.05;

    /** Monotonic nanoseconds, like {@link System#nanoTime()}. */
    @FunctionalInterface
    public interface Ticker {
        long nanos();
    }

    /** Blocks for at least the given nanoseconds of the matching {@link Ticker}'s time. */
    @FunctionalInterface
    public interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final double intervalNanos;
    private final long burstNanos;
    private final Ticker ticker;
    private final Sleeper sleeper;
    /** Permits are due at epoch + issued * interval; kept as a count so no rounding error accumulates. */
    private long epoch;
    private long issued;

    public RateLimiter(double permitsPerSecond, Ticker ticker, Sleeper sleeper) {
        if (!(permitsPerSecond > 0) || Double.isInfinite(permitsPerSecond)) {
            throw new IllegalArgumentException("rate must be a positive number of permits per second, was "
                    + permitsPerSecond);
        }
        this.intervalNanos = 1e9 / permitsPerSecond;
        this.burstNanos = (long) Math.max(intervalNanos, BURST_SECONDS * 1e9);
        this.ticker = ticker;
        this.sleeper = sleeper;
        this.epoch = ticker.nanos();
    }

    /** A limiter on {@link System#nanoTime()} that parks the thread. */
    public static RateLimiter perSecond(double permitsPerSecond) {
        return new RateLimiter(permitsPerSecond, System::nanoTime, RateLimiter::park);
    }

    /** Takes one permit, sleeping first if it is not yet due. */
    public void acquire() throws InterruptedException {
        long wait = reserve();
        if (wait >= MIN_SLEEP_NANOS) {
            sleeper.sleepNanos(wait);
        }
    }

    /** Takes one permit and returns how long the caller must wait for it (<= 0: now). */
    long reserve() {
        long now = ticker.nanos();
        long due = epoch + (long) (issued * intervalNanos);
        if (due < now - burstNanos) {
            // Idle (or far behind): credit at most a burst, then restart the schedule from there.
            epoch = now - burstNanos;
            issued = 0;
            due = epoch;
        }
        issued++;
        return due - now;
    }

    /** Sleeps on the system clock; wakes early only to re-park, never spins. */
    static void park(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        long left = nanos;
        while (left > 0) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while pacing");
            }
            left = deadline - System.nanoTime();
        }
    }
}
