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

    /**
     * A device id ({@code dev-} and 16 hex digits) from 64 random bits. About 2 in 100,000 such ids would be 16
     * decimal digits passing Luhn, which the job rightly refuses as a card number in {@code terminalId}
     * (PAN_DETECTED): the simulator would then produce records its own job dead-letters. Those ids get a letter in
     * the middle (digit runs of at most 8); every other id is the plain hex, so the rest of the output is unchanged.
     */
    static String deviceId(long bits) {
        String id = "dev-" + Long.toHexString(bits | Long.MIN_VALUE);
        if (io.fraudstream.schemas.CardNumbers.containsPan(id)) {
            int middle = "dev-".length() + 8;
            id = id.substring(0, middle) + 'a' + id.substring(middle + 1);
        }
        return id;
    }

    double categoryProbability(Category c) {
        int i = c.ordinal();
        double total = categoryCumulative[categoryCumulative.length - 1];
        double below = i == 0 ? 0 : categoryCumulative[i - 1];
        return (categoryCumulative[i] - below) / total;
    }
}
