package io.fraudstream.features;

/**
 * Query-independent encoding of one transaction into F = {@value #WIDTH} floats. Stateless and thread-safe.
 *
 * <pre>
 *  0      log1p(amount)
 *  1, 2   sin, cos of UTC hour of day (continuous)
 *  3, 4   sin, cos of UTC day of week (Monday = 0)
 *  5..7   merchant location as a unit 3-vector (0, 0, 0 when unknown)
 *  8      1 if the merchant location is unknown
 *  9      log1p(km from the card's home), 0 when unknown
 *  10     1 if the distance from home is unknown
 *  11..26 merchant category, one-hot over {@value #CATEGORY_BUCKETS} hashed buckets
 *  27..31 channel one-hot (by {@link Channel} ordinal)
 * </pre>
 *
 * The encoding is computed from the values the history stores (amount and coordinates rounded to float),
 * so a transaction encodes identically as a query and, later, as a stored key. It never produces NaN.
 */
public final class TokenEncoder {
    public static final int CATEGORY_BUCKETS = 16;
    public static final int WIDTH = 11 + CATEGORY_BUCKETS + 5;

    static final int IDX_CATEGORY = 11;
    static final int IDX_CHANNEL = IDX_CATEGORY + CATEGORY_BUCKETS;
    static final long MILLIS_PER_DAY = 86_400_000L;
    private static final double TWO_PI = 2.0 * Math.PI;
    private static final float[] WEEKDAY_SIN = new float[7];
    private static final float[] WEEKDAY_COS = new float[7];

    static {
        for (int i = 0; i < 7; i++) {
            WEEKDAY_SIN[i] = (float) Math.sin(TWO_PI * i / 7.0);
            WEEKDAY_COS[i] = (float) Math.cos(TWO_PI * i / 7.0);
        }
    }

    /** F. */
    public int width() {
        return WIDTH;
    }

    /** Writes the token of {@code tx} into {@code out[offset .. offset + width())}. */
    public void encode(RawTransaction tx, float[] out, int offset) {
        encode(tx, homeKm(tx), out, offset);
    }

    /** {@link #encode} with the home distance already computed ({@link #homeKm}). */
    static void encode(RawTransaction tx, float homeKm, float[] out, int offset) {
        float lat = (float) tx.merchantLat();
        float lon = (float) tx.merchantLon();
        boolean known = tx.merchantLocationKnown();
        encodeFields(tx.eventTimeMillis(), storedAmount(tx.amount()), known ? lat : Float.NaN, known ? lon : Float.NaN,
                homeKm, categoryHash(tx.merchantCategory()), tx.channel().ordinal(), out, offset);
    }

    /** Amounts are stored as float, capped at {@value #MAX_AMOUNT} so that no input can overflow to infinity. */
    static final double MAX_AMOUNT = 1e15;

    static float storedAmount(double amount) {
        return (float) Math.min(amount, MAX_AMOUNT);
    }

    /** Distance from home in km as the history stores it (float), or NaN when either location is unknown. */
    static float homeKm(RawTransaction tx) {
        if (!tx.merchantLocationKnown() || !tx.homeLocationKnown()) {
            return Float.NaN;
        }
        return (float) Geo.haversineKm((float) tx.merchantLat(), (float) tx.merchantLon(), (float) tx.homeLat(),
                (float) tx.homeLon());
    }

    /** Encoding from stored fields; NaN lat/lon or homeKm mean unknown. */
    static void encodeFields(long timeMillis, float amount, float lat, float lon, float homeKm, int categoryHash,
            int channelOrdinal, float[] out, int o) {
        java.util.Arrays.fill(out, o, o + WIDTH, 0f);
        out[o] = (float) Math.log1p(amount);
        long msOfDay = Math.floorMod(timeMillis, MILLIS_PER_DAY);
        double hourAngle = TWO_PI * msOfDay / MILLIS_PER_DAY;
        out[o + 1] = (float) Math.sin(hourAngle);
        out[o + 2] = (float) Math.cos(hourAngle);
        int weekday = weekday(timeMillis);
        out[o + 3] = WEEKDAY_SIN[weekday];
        out[o + 4] = WEEKDAY_COS[weekday];
        if (lat == lat && lon == lon) {
            double p = Math.toRadians(lat);
            double l = Math.toRadians(lon);
            out[o + 5] = (float) (Math.cos(p) * Math.cos(l));
            out[o + 6] = (float) (Math.cos(p) * Math.sin(l));
            out[o + 7] = (float) Math.sin(p);
        } else {
            out[o + 8] = 1f;
        }
        if (homeKm == homeKm) {
            out[o + 9] = (float) Math.log1p(homeKm);
        } else {
            out[o + 10] = 1f;
        }
        out[o + IDX_CATEGORY + categoryBucket(categoryHash)] = 1f;
        out[o + IDX_CHANNEL + Channel.ofOrdinal(channelOrdinal).ordinal()] = 1f;
    }

    /**
     * Token positions held as float columns by a history ({@link CardHistory}): every position that is not a
     * one-hot or a 0/1 flag. The rest of a token is one small integer, its {@linkplain #combo combination}.
     */
    static final int[] DENSE = {0, 1, 2, 3, 4, 5, 6, 7, 9}; // the kernels unroll all 9
    /** Position of the "merchant location unknown" flag. */
    static final int IDX_LOC_UNKNOWN = 8;
    /** Position of the "distance from home unknown" flag. */
    static final int IDX_HOME_UNKNOWN = 10;
    static final int CHANNELS = WIDTH - IDX_CHANNEL;
    /**
     * Number of combinations of the sparse positions: category bucket x channel x location unknown x home
     * unknown. A token is its {@link #DENSE} values plus one combination.
     */
    static final int COMBOS = CATEGORY_BUCKETS * CHANNELS * 4;

    /** The combination of a token's sparse positions (one-hots and flags), in [0, {@link #COMBOS}). */
    static int combo(int categoryBucket, int channelOrdinal, boolean locUnknown, boolean homeUnknown) {
        return ((categoryBucket * CHANNELS + channelOrdinal) * 2 + (locUnknown ? 1 : 0)) * 2 + (homeUnknown ? 1 : 0);
    }

    static int comboCategory(int combo) {
        return combo / (CHANNELS * 4);
    }

    static int comboChannel(int combo) {
        return (combo / 4) % CHANNELS;
    }

    static boolean comboLocUnknown(int combo) {
        return (combo & 2) != 0;
    }

    static boolean comboHomeUnknown(int combo) {
        return (combo & 1) != 0;
    }

    /**
     * The token of {@link #encodeFields} as columns: its {@link #DENSE} values into {@code cols[c][slot]} and the
     * combination of its sparse positions as the return value. Uses {@code scratch} (at least {@link #WIDTH}).
     */
    static int encodeColumns(long timeMillis, float amount, float lat, float lon, float homeKm, int categoryHash,
            int channelOrdinal, float[] scratch, float[][] cols, int slot) {
        encodeFields(timeMillis, amount, lat, lon, homeKm, categoryHash, channelOrdinal, scratch, 0);
        for (int c = 0; c < DENSE.length; c++) {
            cols[c][slot] = scratch[DENSE[c]];
        }
        return combo(categoryBucket(categoryHash), Channel.ofOrdinal(channelOrdinal).ordinal(),
                scratch[IDX_LOC_UNKNOWN] != 0f, scratch[IDX_HOME_UNKNOWN] != 0f);
    }

    /** Day of week in UTC, Monday = 0 (1970-01-01 was a Thursday). */
    static int weekday(long timeMillis) {
        return (int) Math.floorMod(Math.floorDiv(timeMillis, MILLIS_PER_DAY) + 3, 7L);
    }

    /**
     * Stable 32-bit hash of a string: {@link String#hashCode()} (fixed by the Java spec) through the
     * MurmurHash3 finalizer so that similar names spread over buckets.
     */
    static int stableHash(String s) {
        int h = s.hashCode();
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }

    static int categoryHash(String category) {
        return stableHash(category);
    }

    static int categoryBucket(int categoryHash) {
        return Math.floorMod(categoryHash, CATEGORY_BUCKETS);
    }
}
