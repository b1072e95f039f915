package io.fraudstream.job.validation;

/**
 * A decoded, validated transaction as it travels between operators: primitive fields only (a Flink
 * POJO, serialized by Flink's PojoSerializer, never Kryo), unknown coordinates as NaN.
 */
public class TransactionEvent {
    public String transactionId;
    public String cardId;
    public String accountId;
    public long eventTimeMillis;
    public long amountMinor;
    public String currency;
    /** Amount in major units (amountMinor scaled by the currency's fraction digits). */
    public double amount;
    public String merchantId;
    public String merchantCategory;
    /** Name of the Avro Channel symbol. */
    public String channel;
    public double merchantLat = Double.NaN;
    public double merchantLon = Double.NaN;
    public double homeLat = Double.NaN;
    public double homeLon = Double.NaN;
    public String country;
    /** Null when unknown. */
    public String terminalId;
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;
    public long kafkaTimestamp;
    public long ingestMicros;
    /** Point-of-purchase features ({@code PopFeatures}), attached before the card keyBy; null when not computed. */
    public float[] pointOfPurchase;

    public TransactionEvent() {}
}
