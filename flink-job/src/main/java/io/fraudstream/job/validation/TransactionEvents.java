package io.fraudstream.job.validation;

import io.fraudstream.avro.Channel;
import io.fraudstream.avro.Transaction;
import java.time.Instant;

/** Conversions between the wire record and the job's internal event. */
public final class TransactionEvents {

    private TransactionEvents() {}

    /** Back to the wire record (for dead letters of valid-but-duplicate transactions). */
    public static Transaction toAvro(TransactionEvent e) {
        return Transaction.newBuilder()
                .setTransactionId(e.transactionId)
                .setCardId(e.cardId)
                .setAccountId(e.accountId)
                .setEventTime(Instant.ofEpochMilli(e.eventTimeMillis))
                .setAmountMinor(e.amountMinor)
                .setCurrency(e.currency)
                .setMerchantId(e.merchantId)
                .setMerchantCategory(e.merchantCategory)
                .setChannel(Channel.valueOf(e.channel))
                .setMerchantLat(Double.isNaN(e.merchantLat) ? null : e.merchantLat)
                .setMerchantLon(Double.isNaN(e.merchantLon) ? null : e.merchantLon)
                .setHomeLat(Double.isNaN(e.homeLat) ? null : e.homeLat)
                .setHomeLon(Double.isNaN(e.homeLon) ? null : e.homeLon)
                .setCountry(e.country)
                .setTerminalId(e.terminalId)
                .build();
    }
}
