package io.fraudstream.simulator;

import java.util.SplittableRandom;

/**
 * When and where skimmers are installed, for the compromised-merchant scenario. A pure function of
 * (seed, day): each UTC day draws a Poisson number of compromises, each on one terminal (busy
 * terminals are likelier targets) for a window of one to three days. Instances cache a few days and
 * are therefore confined to one iteration (one thread).
 */
final class CompromiseSchedule {

    static final long DAY = 86_400;
    static final double MIN_WINDOW_DAYS = 1;
    static final double MAX_WINDOW_DAYS = 3;
    /** Probability that a card used at a compromised terminal is skimmed (some readers fail, chip-only cards...). */
    static final double SKIM_PROBABILITY = 0.8;

    /** One skimmer: terminal index and the window [from, to) in epoch seconds. */
    record Compromise(long id, int terminal, long from, long to) {}

    private static final Compromise[] NONE = new Compromise[0];
    private static final int CACHE = 8;

    private final long seed;
    private final double perDay;
    private final double[] terminalCumulative;
    private final long[] cachedDay = new long[CACHE];
    private final Compromise[][] cached = new Compromise[CACHE][];

    /**
     * @param perDay expected compromises per day; 0 disables the scenario
     * @param terminalCumulative cumulative selection weights over terminals
     */
    CompromiseSchedule(long seed, double perDay, double[] terminalCumulative) {
        this.seed = seed;
        this.perDay = perDay;
        this.terminalCumulative = terminalCumulative;
        java.util.Arrays.fill(cachedDay, Long.MIN_VALUE);
    }

    /** Expected compromises per day that give {@code share} of all transactions, from the world's visit rates. */
    static double ratePerDay(double share, double dailyTransactions, double[] visitRates) {
        double sum = 0;
        double sumSquares = 0;
        for (double v : visitRates) {
            sum += v;
            sumSquares += v * v;
        }
        if (share <= 0 || sum <= 0) {
            return 0;
        }
        // A terminal is picked with probability v/sum and sees v visits a day over the mean window.
        double visitsPerCompromise = (MIN_WINDOW_DAYS + MAX_WINDOW_DAYS) / 2 * sumSquares / sum;
        double fraudPerCompromise = visitsPerCompromise * SKIM_PROBABILITY
                * FraudScenario.COMPROMISED_MERCHANT.meanTransactionsPerEpisode();
        return share * dailyTransactions / fraudPerCompromise;
    }

    boolean enabled() {
        return perDay > 0;
    }

    /** The id of a compromise active on {@code terminal} at {@code epochSecond}, or -1. */
    long activeOn(int terminal, long epochSecond) {
        if (perDay <= 0) {
            return -1;
        }
        long day = Math.floorDiv(epochSecond, DAY);
        for (long d = day - (long) Math.ceil(MAX_WINDOW_DAYS); d <= day; d++) {
            for (Compromise c : onDay(d)) {
                if (c.terminal == terminal && epochSecond >= c.from && epochSecond < c.to) {
                    return c.id;
                }
            }
        }
        return -1;
    }

    /** The compromises that start on UTC day {@code day} (days since the epoch). */
    Compromise[] onDay(long day) {
        int slot = (int) Math.floorMod(day, CACHE);
        if (cachedDay[slot] == day) {
            return cached[slot];
        }
        SplittableRandom r = Rng.stream(seed, Rng.COMPROMISES, day);
        int n = Rng.poisson(r, perDay);
        Compromise[] cs = n == 0 ? NONE : new Compromise[n];
        for (int i = 0; i < n; i++) {
            int terminal = Rng.pick(r, terminalCumulative);
            long from = day * DAY + r.nextInt((int) DAY);
            long to = from + (long) (Rng.uniform(r, MIN_WINDOW_DAYS, MAX_WINDOW_DAYS) * DAY);
            cs[i] = new Compromise(day * 1_000 + i, terminal, from, to);
        }
        cachedDay[slot] = day;
        cached[slot] = cs;
        return cs;
    }
}
