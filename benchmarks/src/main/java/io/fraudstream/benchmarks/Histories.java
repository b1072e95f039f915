package io.fraudstream.benchmarks;

import io.fraudstream.features.CardHistory;
import io.fraudstream.features.Channel;
import io.fraudstream.features.RawTransaction;
import java.util.SplittableRandom;

/** Synthetic, realistic-looking card histories for benchmarks (70% known merchant locations). */
final class Histories {
    static final long BASE = 1_700_000_000_000L;
    private static final String[] CATEGORIES = {
        "grocery_pos", "gas_transport", "shopping_net", "misc_pos", "travel", "entertainment", "food_dining",
        "health_fitness", "home", "kids_pets", "personal_care", "grocery_net", "shopping_pos", "misc_net",
    };

    private Histories() {}

    static RawTransaction tx(SplittableRandom r, String id, long time) {
        boolean known = r.nextInt(10) < 7;
        return RawTransaction.builder()
                .transactionId(id)
                .eventTimeMillis(time)
                .amount(Math.exp(r.nextDouble(0, 7)))
                .merchantId("m" + r.nextInt(500))
                .merchantCategory(CATEGORIES[r.nextInt(CATEGORIES.length)])
                .channel(Channel.values()[r.nextInt(Channel.values().length)])
                .merchantLocation(known ? 40.7 + r.nextDouble(-2, 2) : Double.NaN,
                        known ? -74.0 + r.nextDouble(-2, 2) : Double.NaN)
                .homeLocation(40.7, -74.0)
                .build();
    }

    /** A full history of n transactions ~2 h apart; returns the time of the last one. */
    static CardHistory filled(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        CardHistory h = new CardHistory(n);
        long t = BASE;
        for (int i = 0; i < n; i++) {
            t += 60_000L + r.nextLong(4 * 3_600_000L);
            h.add(tx(r, "card-" + seed + "-tx-" + i, t));
        }
        return h;
    }

    static long lastTime(CardHistory h) {
        return h.eventTimeAt(h.size() - 1);
    }
}
