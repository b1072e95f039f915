package io.fraudstream.features;

/**
 * The features read straight off the history (no attention), shared by both kernels. Every value is finite;
 * "no previous transaction" and "location unknown" have explicit indicator features and encode as 0
 * (except the time gap, which then reads as {@link #NO_PREVIOUS_SECONDS}: "long ago").
 */
final class DirectFeatures {
    static final String[] NAMES = {
        "has_prev",
        "log1p_secs_since_prev",
        "log1p_km_from_prev",
        "log1p_speed_kmh_from_prev",
        "count_1h",
        "count_24h",
        "count_7d",
        "amount_zscore",
        "log1p_amount",
        "first_use_merchant",
        "first_use_category",
        "log1p_km_from_home",
        "home_distance_known",
        "merchant_location_known",
        "night_time",
        "history_len",
    };
    static final int COUNT = NAMES.length;
    /** The time gap used when there is no previous transaction: 30 days. */
    static final double NO_PREVIOUS_SECONDS = 30.0 * 86400.0;
    /** Added to the variance of log1p(amount) so a constant history gives a finite z-score. */
    static final double ZSCORE_VARIANCE_FLOOR = 0.01;
    static final long HOUR_MS = 3_600_000L;

    private DirectFeatures() {}

    /**
     * Writes {@link #COUNT} features at {@code out[o..]}; fills the explanation's facts when given.
     * {@code homeKm} is {@link TokenEncoder#homeKm}(tx), computed once per event by the caller.
     */
    static void compute(CardHistory h, RawTransaction tx, float homeKm, float[] out, int o,
            Explanation explanation) {
        final long t = tx.eventTimeMillis();
        final int n = h.size;
        final boolean known = tx.merchantLocationKnown();
        final double lat = (float) tx.merchantLat();
        final double lon = (float) tx.merchantLon();

        int atOrBefore = h.countAtOrBefore(t);
        boolean hasPrev = atOrBefore > 0;
        double secs = NO_PREVIOUS_SECONDS;
        double kmPrev = Double.NaN;
        double speed = Double.NaN;
        if (hasPrev) {
            int p = h.slot(atOrBefore - 1);
            secs = (t - h.time[p]) / 1000.0;
            if (known && h.locKnown[p] != 0f) {
                kmPrev = Geo.haversineKm(lat, lon, h.lat[p], h.lon[p]);
                speed = kmPrev / Math.max(secs / 3600.0, 1.0 / 60.0);
            }
        }
        out[o] = hasPrev ? 1f : 0f;
        out[o + 1] = (float) Math.log1p(secs);
        out[o + 2] = kmPrev == kmPrev ? (float) Math.log1p(kmPrev) : 0f;
        out[o + 3] = speed == speed ? (float) Math.log1p(speed) : 0f;
        out[o + 4] = atOrBefore - h.countBefore(t - HOUR_MS);
        out[o + 5] = atOrBefore - h.countBefore(t - 24 * HOUR_MS);
        out[o + 6] = atOrBefore - h.countBefore(t - 7 * 24 * HOUR_MS);

        double logAmount = Math.log1p(TokenEncoder.storedAmount(tx.amount()));
        out[o + 7] = (float) zscore(h, logAmount);
        out[o + 8] = (float) logAmount;
        out[o + 9] = contains(h.merchantHash, n, TokenEncoder.stableHash(tx.merchantId())) ? 0f : 1f;
        out[o + 10] = contains(h.categoryHash, n, TokenEncoder.categoryHash(tx.merchantCategory())) ? 0f : 1f;
        boolean homeKnown = homeKm == homeKm;
        out[o + 11] = homeKnown ? (float) Math.log1p(homeKm) : 0f;
        out[o + 12] = homeKnown ? 1f : 0f;
        out[o + 13] = known ? 1f : 0f;
        out[o + 14] = isNight(tx) ? 1f : 0f;
        out[o + 15] = n;
        if (explanation != null) {
            explanation.setFacts(hasPrev, hasPrev ? secs : Double.NaN, kmPrev, speed,
                    homeKnown ? homeKm : Double.NaN);
        }
    }

    /** (x - mean) / sqrt(var + floor) over the history's log1p(amount); 0 for an empty history. */
    private static double zscore(CardHistory h, double x) {
        int n = h.size;
        if (n == 0) {
            return 0.0;
        }
        double scale = CardHistory.LOG_AMOUNT_SCALE;
        double m1 = h.sumLogAmount / (double) n;
        double m2 = h.sumLogAmountSq / (double) n;
        double var = Math.max(0.0, m2 - m1 * m1) / (scale * scale);
        return (x - m1 / scale) / Math.sqrt(var + ZSCORE_VARIANCE_FLOOR);
    }

    /** Whether any live entry holds {@code value}; live entries are exactly slots [0, size). */
    private static boolean contains(int[] column, int size, int value) {
        for (int j = 0; j < size; j++) {
            if (column[j] == value) {
                return true;
            }
        }
        return false;
    }

    /**
     * Night is 00:00-06:00 local solar time: UTC shifted by longitude / 15 h, taking the home longitude when
     * known, else the merchant's, else UTC (no time-zone database needed, same everywhere).
     */
    static boolean isNight(RawTransaction tx) {
        return localHour(tx) < 6.0;
    }

    /** The local solar hour of day in [0, 24) that {@link #isNight} reads. */
    static double localHour(RawTransaction tx) {
        double lonShift = tx.homeLocationKnown() ? (float) tx.homeLon()
                : tx.merchantLocationKnown() ? (float) tx.merchantLon() : 0.0;
        double hourUtc = Math.floorMod(tx.eventTimeMillis(), TokenEncoder.MILLIS_PER_DAY) / (double) HOUR_MS;
        double local = hourUtc + lonShift / 15.0;
        return local - 24.0 * Math.floor(local / 24.0);
    }
}
