package io.fraudstream.features;

import java.util.Objects;

/**
 * One card transaction as the extractor sees it. Immutable.
 *
 * <p>Coordinates are degrees; {@link Double#NaN} means unknown (online merchants, cards without a known
 * home). A coordinate pair is known only if both values are finite and in range (lat in [-90, 90],
 * lon in [-180, 180]); anything else is treated as unknown, never as an error. The history stores
 * amounts and coordinates as 32-bit floats (about 1.7 m and 7 significant digits), so the extractor's
 * features are defined on float-rounded inputs.
 */
public final class RawTransaction {
    private final String transactionId;
    private final long eventTimeMillis;
    private final double amount;
    private final String merchantId;
    private final String merchantCategory;
    private final Channel channel;
    private final double merchantLat;
    private final double merchantLon;
    private final double homeLat;
    private final double homeLon;

    private RawTransaction(Builder b) {
        this.transactionId = Objects.requireNonNull(b.transactionId, "transactionId");
        this.eventTimeMillis = b.eventTimeMillis;
        if (!(b.amount >= 0) || Double.isInfinite(b.amount)) {
            throw new IllegalArgumentException("amount must be finite and >= 0, was " + b.amount);
        }
        this.amount = b.amount;
        this.merchantId = b.merchantId == null ? "" : b.merchantId;
        this.merchantCategory = b.merchantCategory == null ? "" : b.merchantCategory;
        this.channel = b.channel == null ? Channel.OTHER : b.channel;
        this.merchantLat = b.merchantLat;
        this.merchantLon = b.merchantLon;
        this.homeLat = b.homeLat;
        this.homeLon = b.homeLon;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Convenience factory; pass {@link Double#NaN} for unknown coordinates. */
    public static RawTransaction of(String transactionId, long eventTimeMillis, double amount, String merchantId,
            String merchantCategory, Channel channel, double merchantLat, double merchantLon, double homeLat,
            double homeLon) {
        return builder().transactionId(transactionId).eventTimeMillis(eventTimeMillis).amount(amount)
                .merchantId(merchantId).merchantCategory(merchantCategory).channel(channel)
                .merchantLocation(merchantLat, merchantLon).homeLocation(homeLat, homeLon).build();
    }

    public String transactionId() { return transactionId; }
    public long eventTimeMillis() { return eventTimeMillis; }
    public double amount() { return amount; }
    public String merchantId() { return merchantId; }
    public String merchantCategory() { return merchantCategory; }
    public Channel channel() { return channel; }
    public double merchantLat() { return merchantLat; }
    public double merchantLon() { return merchantLon; }
    public double homeLat() { return homeLat; }
    public double homeLon() { return homeLon; }

    public boolean merchantLocationKnown() { return Geo.known(merchantLat, merchantLon); }
    public boolean homeLocationKnown() { return Geo.known(homeLat, homeLon); }

    @Override
    public String toString() {
        return "RawTransaction{" + transactionId + " @" + eventTimeMillis + " " + amount + " " + merchantId + "/"
                + merchantCategory + " " + channel + " (" + merchantLat + "," + merchantLon + ") home ("
                + homeLat + "," + homeLon + ")}";
    }

    /** Builder; coordinates default to unknown, channel to OTHER, merchant id and category to "". */
    public static final class Builder {
        private String transactionId;
        private long eventTimeMillis;
        private double amount;
        private String merchantId = "";
        private String merchantCategory = "";
        private Channel channel = Channel.OTHER;
        private double merchantLat = Double.NaN;
        private double merchantLon = Double.NaN;
        private double homeLat = Double.NaN;
        private double homeLon = Double.NaN;

        private Builder() {}

        public Builder transactionId(String v) { transactionId = v; return this; }
        public Builder eventTimeMillis(long v) { eventTimeMillis = v; return this; }
        public Builder amount(double v) { amount = v; return this; }
        public Builder merchantId(String v) { merchantId = v; return this; }
        public Builder merchantCategory(String v) { merchantCategory = v; return this; }
        public Builder channel(Channel v) { channel = v; return this; }
        public Builder merchantLocation(double lat, double lon) { merchantLat = lat; merchantLon = lon; return this; }
        public Builder homeLocation(double lat, double lon) { homeLat = lat; homeLon = lon; return this; }

        public RawTransaction build() {
            return new RawTransaction(this);
        }
    }
}
