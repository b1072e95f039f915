package io.fraudstream.simulator;

import java.util.SplittableRandom;

/**
 * Deterministic random streams. Every card, and every piece of the world, draws from its own
 * {@link SplittableRandom} seeded from (run seed, stream, index), so a card's history depends only on
 * the seed and its index: never on iteration order, thread scheduling or the number of other cards.
 */
final class Rng {

    static final long CARD_PROFILE = 1;
    static final long CARD_ACTIVITY = 2;
    static final long MERCHANTS = 3;
    static final long COMPROMISES = 4;
    static final long ID_PREFIX = 5;

    private Rng() {}

    /** SplitMix64's finaliser: a bijection on longs with good avalanche. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static SplittableRandom stream(long seed, long stream, long index) {
        return new SplittableRandom(mix64(mix64(seed + 0x9E3779B97F4A7C15L * stream) ^ mix64(index + 0x632BE59BD9B4E019L)));
    }

    static double logNormal(SplittableRandom r, double median, double sigma) {
        return median * Math.exp(sigma * r.nextGaussian());
    }

    /** Exponential with the given mean. */
    static double exponential(SplittableRandom r, double mean) {
        return -mean * Math.log(1.0 - r.nextDouble());
    }

    static double uniform(SplittableRandom r, double from, double to) {
        return from + (to - from) * r.nextDouble();
    }

    /** Inclusive range. */
    static int between(SplittableRandom r, int from, int to) {
        return from + r.nextInt(to - from + 1);
    }

    /** Poisson by inversion; fine for the small means used here. */
    static int poisson(SplittableRandom r, double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 50) {
            return Math.max(0, (int) Math.round(mean + Math.sqrt(mean) * r.nextGaussian()));
        }
        double l = Math.exp(-mean);
        int k = 0;
        double p = 1.0;
        do {
            k++;
            p *= r.nextDouble();
        } while (p > l);
        return k - 1;
    }

    /** Index drawn from cumulative weights (last entry = total). */
    static int pick(SplittableRandom r, double[] cumulative) {
        double x = r.nextDouble() * cumulative[cumulative.length - 1];
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    static double[] cumulative(double[] weights) {
        double[] c = new double[weights.length];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            c[i] = sum;
        }
        return c;
    }
}
