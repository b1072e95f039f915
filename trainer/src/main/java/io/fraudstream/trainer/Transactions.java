package io.fraudstream.trainer;

import io.fraudstream.avro.Transaction;
import io.fraudstream.features.Channel;
import io.fraudstream.features.RawTransaction;
import java.util.Currency;

/** Conversion of the wire {@link Transaction} to the extractor's {@link RawTransaction}, as the job does it. */
public final class Transactions {
    private Transactions() {}

    /**
     * The extractor's view of a wire transaction: amount in major units (minor units scaled by the currency's
     * fraction digits, 2 when the currency is unknown), absent coordinates as unknown, channel by name.
     */
    public static RawTransaction toRaw(Transaction tx) {
        return RawTransaction.builder()
                .transactionId(tx.getTransactionId())
                .eventTimeMillis(tx.getEventTime().toEpochMilli())
                .amount(tx.getAmountMinor() * minorUnitScale(tx.getCurrency()))
                .merchantId(tx.getMerchantId())
                .merchantCategory(tx.getMerchantCategory())
                .channel(channel(tx.getChannel() == null ? null : tx.getChannel().name()))
                .merchantLocation(orNaN(tx.getMerchantLat()), orNaN(tx.getMerchantLon()))
                .homeLocation(orNaN(tx.getHomeLat()), orNaN(tx.getHomeLon()))
                .build();
    }

    static double minorUnitScale(String currency) {
        int digits = 2;
        try {
            int d = Currency.getInstance(currency).getDefaultFractionDigits();
            if (d >= 0) {
                digits = d;
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            // unknown currency: cents
        }
        return Math.pow(10, -digits);
    }

    static Channel channel(String name) {
        if (name == null) {
            return Channel.OTHER;
        }
        return switch (name) {
            case "CARD_PRESENT" -> Channel.CARD_PRESENT;
            case "ONLINE" -> Channel.ONLINE;
            case "ATM" -> Channel.ATM;
            case "CONTACTLESS" -> Channel.CONTACTLESS;
            default -> Channel.OTHER;
        };
    }

    private static double orNaN(Double v) {
        return v == null ? Double.NaN : v;
    }
}
