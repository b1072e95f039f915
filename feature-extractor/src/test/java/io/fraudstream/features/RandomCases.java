package io.fraudstream.features;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random card histories for property tests: missing coordinates, equal timestamps, out-of-order queries. */
final class RandomCases {
    static final long BASE = 1_700_000_000_000L;
    private static final String[] CATEGORIES = {
        "grocery_pos", "gas_transport", "shopping_net", "misc_pos", "travel", "entertainment", "food_dining",
        "health_fitness", "home", "kids_pets", "personal_care", "grocery_net", "shopping_pos", "misc_net",
    };

    /** One history plus the query to score against it. */
    record Case(List<RawTransaction> history, RawTransaction query) {}

    private final SplittableRandom rnd;
    private int serial;

    RandomCases(long seed) {
        rnd = new SplittableRandom(seed);
    }

    /** Lengths cycle through 0, 1, k-1, k, k+1, 1024 and a random one. */
    static int lengthFor(int i, int k, int window) {
        int[] fixed = {0, 1, k - 1, k, k + 1, Math.min(1024, window)};
        return i % 7 < fixed.length ? fixed[i % 7] : -1;
    }

    Case next(int n) {
        List<RawTransaction> h = new ArrayList<>(n);
        long t = BASE + rnd.nextLong(1_000_000_000L);
        double homeLat = f(rnd.nextDouble(-60, 70));
        double homeLon = f(rnd.nextDouble(-180, 180));
        boolean homeKnown = rnd.nextInt(4) != 0;
        for (int i = 0; i < n; i++) {
            // ~1/5 share the previous timestamp; otherwise minutes to days apart
            if (rnd.nextInt(5) != 0) {
                t += (long) Math.exp(rnd.nextDouble(0, 20));
            }
            h.add(tx(t, homeKnown, homeLat, homeLon));
        }
        long qt = n > 0 && rnd.nextInt(6) == 0
                ? h.get(rnd.nextInt(n)).eventTimeMillis() // same time as a past one, or out of order
                : t + (long) Math.exp(rnd.nextDouble(0, 18));
        // shuffle arrival order a bit: the history must not depend on it
        for (int i = 0; i < n / 10; i++) {
            int a = rnd.nextInt(n);
            int b = rnd.nextInt(n);
            RawTransaction x = h.get(a);
            h.set(a, h.get(b));
            h.set(b, x);
        }
        return new Case(h, tx(qt, homeKnown, homeLat, homeLon));
    }

    RawTransaction tx(long time, boolean homeKnown, double homeLat, double homeLon) {
        boolean known = rnd.nextInt(10) < 7;
        double lat = known ? f(homeLat + rnd.nextDouble(-3, 3)) : Double.NaN;
        double lon = known ? f(wrap(homeLon + rnd.nextDouble(-3, 3) + (rnd.nextInt(10) == 0 ? 150 : 0)))
                : Double.NaN;
        if (known && rnd.nextInt(20) == 0) {
            lat = f(rnd.nextDouble(-90, 90));
        }
        double amount = rnd.nextInt(15) == 0 ? 0 : Math.exp(rnd.nextDouble(-2, 9));
        return RawTransaction.builder()
                .transactionId("tx-" + Integer.toString(rnd.nextInt(1 << 30), 36) + "-" + (serial++))
                .eventTimeMillis(time)
                .amount(amount)
                .merchantId("m" + rnd.nextInt(60))
                .merchantCategory(CATEGORIES[rnd.nextInt(CATEGORIES.length)])
                .channel(Channel.values()[rnd.nextInt(Channel.values().length)])
                .merchantLocation(lat, lon)
                .homeLocation(homeKnown ? homeLat : Double.NaN, homeKnown ? homeLon : Double.NaN)
                .build();
    }

    int nextLength(int i, int k, int window) {
        int n = lengthFor(i, k, window);
        return n >= 0 ? n : rnd.nextInt(Math.min(window, 1024) + 1);
    }

    static double wrap(double lon) {
        return lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
    }

    /** Coordinates the history stores exactly (float). */
    static double f(double v) {
        return (float) v;
    }

    static CardHistory historyOf(ExtractorConfig config, List<RawTransaction> txs) {
        CardHistory h = CardHistory.create(config);
        txs.forEach(h::add);
        return h;
    }
}
