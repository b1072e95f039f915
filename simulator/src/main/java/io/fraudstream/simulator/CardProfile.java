package io.fraudstream.simulator;

/**
 * The behaviour of one card: where it lives, how much and how often it spends, where it usually
 * shops. Immutable; the mutable per-run state lives in {@link CardActivity}.
 */
final class CardProfile {

    final int index;
    final Cardholder holder;
    final int homeCity;
    /** Expected genuine transactions per day. */
    final double dailyRate;
    /** Multiplier on every category's median amount. */
    final double spendLevel;
    /** Cumulative weights over {@link Category#values()}. */
    final double[] categoryCumulative;
    /** Favourite merchants (indices into the world's merchants) per category ordinal. */
    final int[][] favourites;
    /** The cardholder's own devices for online purchases. */
    final String[] devices;
    /** Expected trips per day. */
    final double travelRate;

    CardProfile(int index, Cardholder holder, int homeCity, double dailyRate, double spendLevel,
            double[] categoryCumulative, int[][] favourites, String[] devices, double travelRate) {
        this.index = index;
        this.holder = holder;
        this.homeCity = homeCity;
        this.dailyRate = dailyRate;
        this.spendLevel = spendLevel;
        this.categoryCumulative = categoryCumulative;
        this.favourites = favourites;
        this.devices = devices;
        this.travelRate = travelRate;
    }

    double categoryProbability(Category c) {
        int i = c.ordinal();
        double total = categoryCumulative[categoryCumulative.length - 1];
        double below = i == 0 ? 0 : categoryCumulative[i - 1];
        return (categoryCumulative[i] - below) / total;
    }
}
