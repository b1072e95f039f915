package io.fraudstream.model;

import io.fraudstream.features.Channel;
import io.fraudstream.features.RawTransaction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tiny deterministic generator of labelled card histories for the bootstrap model, used until the
 * project's simulator module is available to this module (then {@link BootstrapModel} should switch to it).
 *
 * <p>Each card has a home city, a handful of usual merchants near home, a spending level and a daily rate;
 * legitimate transactions follow those habits (mostly daytime, card present, occasional online and travel).
 * About 15% of cards are compromised once: a burst of 3 to 8 transactions within a few hours, mostly far from
 * home or online, at new merchants, often at night, with larger amounts. Those are the positives.
 * Same seed, same output, on every JVM ({@link SplittableRandom} is specified).
 */
final class SyntheticHistory {
    /** One labelled transaction. */
    record Labelled(RawTransaction tx, boolean fraud) {}

    private static final double[][] CITIES = {
        {40.71, -74.01}, {34.05, -118.24}, {41.88, -87.63}, {29.76, -95.37}, {47.61, -122.33},
        {51.51, -0.13}, {48.86, 2.35}, {52.52, 13.40}, {41.39, 2.17}, {45.46, 9.19},
    };
    private static final String[] CATEGORIES = {
        "grocery", "gas", "restaurant", "pharmacy", "clothing", "electronics", "travel", "entertainment",
        "home", "health", "jewelry", "digital_goods",
    };
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    private SyntheticHistory() {}

    /** Per card, its transactions in event-time order; cards in id order. */
    static List<List<Labelled>> generate(long seed, int cards, long startMillis, int days) {
        SplittableRandom root = new SplittableRandom(seed);
        List<List<Labelled>> out = new ArrayList<>(cards);
        for (int c = 0; c < cards; c++) {
            out.add(card(root.split(), "card-" + c, startMillis, days));
        }
        return out;
    }

    private static List<Labelled> card(SplittableRandom r, String cardId, long start, int days) {
        double[] home = CITIES[r.nextInt(CITIES.length)];
        double homeLat = home[0] + r.nextDouble(-0.1, 0.1);
        double homeLon = home[1] + r.nextDouble(-0.1, 0.1);
        int merchants = 4 + r.nextInt(5);
        double[][] usual = new double[merchants][];
        String[] usualCategory = new String[merchants];
        for (int m = 0; m < merchants; m++) {
            usual[m] = new double[] {homeLat + r.nextDouble(-0.08, 0.08), homeLon + r.nextDouble(-0.08, 0.08)};
            usualCategory[m] = CATEGORIES[r.nextInt(6)];
        }
        double spend = Math.exp(r.nextDouble(2.5, 4.0)); // typical amount 12..55
        double perDay = r.nextDouble(1.0, 4.0);
        List<Labelled> txs = new ArrayList<>();
        int seq = 0;
        for (int d = 0; d < days; d++) {
            int n = poisson(r, perDay);
            for (int i = 0; i < n; i++) {
                long t = start + d * DAY + (long) ((7 + r.nextDouble() * 15) * HOUR); // 07:00..22:00
                double amount = round2(spend * Math.exp(r.nextGaussian() * 0.5));
                double u = r.nextDouble();
                RawTransaction.Builder b = RawTransaction.builder().transactionId(cardId + "-" + seq++)
                        .eventTimeMillis(t).amount(amount).homeLocation(homeLat, homeLon);
                if (u < 0.12) { // online at a known merchant
                    int m = r.nextInt(merchants);
                    b.merchantId(cardId + "-online-" + m).merchantCategory("digital_goods").channel(Channel.ONLINE);
                } else if (u < 0.15) { // legitimate travel
                    double[] city = CITIES[r.nextInt(CITIES.length)];
                    b.merchantId("travel-" + r.nextInt(1000)).merchantCategory(CATEGORIES[r.nextInt(9)])
                            .channel(Channel.CARD_PRESENT).merchantLocation(city[0], city[1]);
                } else {
                    int m = r.nextInt(merchants);
                    b.merchantId(cardId + "-m" + m).merchantCategory(usualCategory[m])
                            .channel(r.nextDouble() < 0.3 ? Channel.CONTACTLESS : Channel.CARD_PRESENT)
                            .merchantLocation(usual[m][0], usual[m][1]);
                }
                txs.add(new Labelled(b.build(), false));
            }
        }
        if (r.nextDouble() < 0.15) {
            long at = start + (long) (r.nextDouble() * days * DAY);
            double kind = r.nextDouble();
            boolean online = kind < 0.4;
            // a third of the card-present frauds happen in the card's own city (cloned card used locally)
            double[] city = kind < 0.6 ? new double[] {homeLat, homeLon} : CITIES[r.nextInt(CITIES.length)];
            int burst = 3 + r.nextInt(6);
            for (int i = 0; i < burst; i++) {
                long t = at + (long) (r.nextDouble() * 4 * HOUR);
                if (r.nextDouble() < 0.5) {
                    t = t - Math.floorMod(t, DAY) + (long) (r.nextDouble() * 5 * HOUR); // 00:00..05:00
                }
                RawTransaction.Builder b = RawTransaction.builder().transactionId(cardId + "-f" + i)
                        .eventTimeMillis(t).amount(round2(spend * Math.exp(r.nextDouble(-0.5, 2.0))))
                        .homeLocation(homeLat, homeLon).merchantId("fraud-" + r.nextInt(100_000))
                        .merchantCategory(CATEGORIES[6 + r.nextInt(6)]);
                if (online) {
                    b.channel(Channel.ONLINE);
                } else {
                    b.channel(Channel.CARD_PRESENT).merchantLocation(city[0] + r.nextDouble(-0.2, 0.2),
                            city[1] + r.nextDouble(-0.2, 0.2));
                }
                txs.add(new Labelled(b.build(), true));
            }
        }
        txs.removeIf(l -> l.tx().eventTimeMillis() >= start + days * DAY);
        txs.sort(Comparator.comparingLong((Labelled l) -> l.tx().eventTimeMillis())
                .thenComparing(l -> l.tx().transactionId()));
        return txs;
    }

    private static int poisson(SplittableRandom r, double mean) {
        double l = Math.exp(-mean);
        int k = 0;
        double p = r.nextDouble();
        while (p > l) {
            k++;
            p *= r.nextDouble();
        }
        return k;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
