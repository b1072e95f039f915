package io.fraudstream.job.validation;

import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.Transaction;
import io.fraudstream.model.scoring.WireTransactions;

/**
 * Checks a decoded transaction against {@link ValidationRules} and converts it to a
 * {@link TransactionEvent}: card numbers first ({@link PanScan}), then the field, amount, currency and coordinate rules
 * shared with training ({@link WireTransactions}), with the event-time window in between. Not thread-safe (caches
 * currency digits); one per subtask.
 */
public final class TransactionValidator {

    private final ValidationRules rules;
    /** The field rules and currency digits every scoring path shares. */
    private final WireTransactions wire = new WireTransactions();

    public TransactionValidator(ValidationRules rules) {
        this.rules = rules;
    }

    /**
     * Fills {@code out} and returns null if the transaction is valid; otherwise returns why not
     * ({@code out} is then garbage).
     */
    public Rejection validate(Transaction tx, long nowMillis, TransactionEvent out) {
        return validate(tx, null, nowMillis, out);
    }

    /**
     * As {@link #validate(Transaction, long, TransactionEvent)}, for a record whose Kafka key already showed a card
     * number in {@code keyPan} (null when not). The card-number check comes first: a record with a PAN anywhere is
     * refused as {@code PAN_DETECTED}, payload and key withheld, whatever else is wrong with it.
     */
    public Rejection validate(Transaction tx, String keyPan, long nowMillis, TransactionEvent out) {
        String panPlaces = PanScan.join(PanScan.fields(tx), keyPan);
        if (panPlaces != null) {
            return Rejection.pan(panPlaces, null);
        }
        WireTransactions.Problem p = wire.checkFields(tx);
        if (p != null) {
            return rejection(p);
        }
        long eventTime = tx.getEventTime().toEpochMilli();
        if (eventTime < nowMillis - rules.maxEventAgeMillis() || eventTime > nowMillis + rules.maxEventLeadMillis()) {
            return Rejection.of(DeadLetterReason.INVALID_TIMESTAMP, "eventTime",
                    "eventTime " + tx.getEventTime() + " is outside [now - validation.max-event-age, now + validation.max-event-lead]");
        }
        if ((p = wire.checkValues(tx, rules.maxAmountMinor())) != null) {
            return rejection(p);
        }
        long amountMinor = tx.getAmountMinor();

        out.transactionId = tx.getTransactionId();
        out.cardId = tx.getCardId();
        out.accountId = tx.getAccountId();
        out.eventTimeMillis = eventTime;
        out.amountMinor = amountMinor;
        out.currency = tx.getCurrency();
        out.amount = WireTransactions.amount(amountMinor, wire.fractionDigits(tx.getCurrency()));
        out.merchantId = tx.getMerchantId();
        out.merchantCategory = tx.getMerchantCategory();
        out.channel = tx.getChannel().name();
        out.merchantLat = orNaN(tx.getMerchantLat());
        out.merchantLon = orNaN(tx.getMerchantLon());
        out.homeLat = orNaN(tx.getHomeLat());
        out.homeLon = orNaN(tx.getHomeLon());
        out.country = tx.getCountry();
        out.terminalId = tx.getTerminalId();
        return null;
    }

    private static Rejection rejection(WireTransactions.Problem p) {
        return Rejection.of(p.reason(), p.field(), p.message());
    }

    private static double orNaN(Double d) {
        return d == null ? Double.NaN : d;
    }
}
