package io.fraudstream.job.validation;

import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.Transaction;
import java.util.Currency;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks a decoded transaction against {@link ValidationRules} and converts it to a
 * {@link TransactionEvent}. Not thread-safe (caches currency scales); one per subtask.
 */
public final class TransactionValidator {

    private final ValidationRules rules;
    private final Map<String, Double> minorUnitScale = new HashMap<>();

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
        Rejection r;
        if ((r = text("transactionId", tx.getTransactionId(), true)) != null
                || (r = text("cardId", tx.getCardId(), true)) != null
                || (r = text("accountId", tx.getAccountId(), true)) != null
                || (r = text("merchantId", tx.getMerchantId(), true)) != null
                || (r = text("merchantCategory", tx.getMerchantCategory(), true)) != null
                || (r = text("currency", tx.getCurrency(), true)) != null
                || (r = text("country", tx.getCountry(), false)) != null
                || (r = text("terminalId", tx.getTerminalId(), false)) != null) {
            return r;
        }
        if (tx.getEventTime() == null) {
            return Rejection.of(DeadLetterReason.MISSING_FIELD, "eventTime", "eventTime is missing");
        }
        long eventTime = tx.getEventTime().toEpochMilli();
        if (eventTime < nowMillis - rules.maxEventAgeMillis() || eventTime > nowMillis + rules.maxEventLeadMillis()) {
            return Rejection.of(DeadLetterReason.INVALID_TIMESTAMP, "eventTime",
                    "eventTime " + tx.getEventTime() + " is outside [now - validation.max-event-age, now + validation.max-event-lead]");
        }
        long amountMinor = tx.getAmountMinor();
        if (amountMinor < 0) {
            return Rejection.of(DeadLetterReason.INVALID_AMOUNT, "amountMinor", "amountMinor is negative: " + amountMinor);
        }
        if (amountMinor > rules.maxAmountMinor()) {
            return Rejection.of(DeadLetterReason.INVALID_AMOUNT, "amountMinor",
                    "amountMinor " + amountMinor + " exceeds validation.max-amount-minor " + rules.maxAmountMinor());
        }
        // Only three-letter codes reach the cache, so hostile input cannot grow it without bound.
        Double scale = isCurrencyShaped(tx.getCurrency())
                ? minorUnitScale.computeIfAbsent(tx.getCurrency(), TransactionValidator::scaleOf)
                : Double.NaN;
        if (scale.isNaN()) {
            return Rejection.of(DeadLetterReason.INVALID_FIELD, "currency", "currency is not an ISO 4217 currency code");
        }
        if ((r = coordinates("merchant", tx.getMerchantLat(), tx.getMerchantLon())) != null
                || (r = coordinates("home", tx.getHomeLat(), tx.getHomeLon())) != null) {
            return r;
        }

        out.transactionId = tx.getTransactionId();
        out.cardId = tx.getCardId();
        out.accountId = tx.getAccountId();
        out.eventTimeMillis = eventTime;
        out.amountMinor = amountMinor;
        out.currency = tx.getCurrency();
        out.amount = amountMinor * scale;
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

    private static Rejection text(String field, String value, boolean required) {
        if (value == null || value.isBlank()) {
            return required ? Rejection.of(DeadLetterReason.MISSING_FIELD, field, field + " is missing or blank") : null;
        }
        if (value.length() > ValidationRules.MAX_TEXT_LENGTH) {
            return Rejection.of(DeadLetterReason.INVALID_FIELD, field,
                    field + " is " + value.length() + " characters long (limit " + ValidationRules.MAX_TEXT_LENGTH + ")");
        }
        return null;
    }

    private static Rejection coordinates(String which, Double lat, Double lon) {
        if (lat == null && lon == null) {
            return null;
        }
        if (lat == null || lon == null) {
            return Rejection.of(DeadLetterReason.INVALID_COORDINATES, which + "Lat", which + " latitude and longitude must be both set or both null");
        }
        if (!(lat >= -90.0 && lat <= 90.0)) {
            return Rejection.of(DeadLetterReason.INVALID_COORDINATES, which + "Lat", which + "Lat " + lat + " is outside [-90, 90]");
        }
        if (!(lon >= -180.0 && lon <= 180.0)) {
            return Rejection.of(DeadLetterReason.INVALID_COORDINATES, which + "Lon", which + "Lon " + lon + " is outside [-180, 180]");
        }
        return null;
    }

    private static boolean isCurrencyShaped(String code) {
        return code.length() == 3 && Character.isUpperCase(code.charAt(0)) && Character.isUpperCase(code.charAt(1))
                && Character.isUpperCase(code.charAt(2));
    }

    private static double orNaN(Double d) {
        return d == null ? Double.NaN : d;
    }

    private static Double scaleOf(String code) {
        try {
            int digits = Currency.getInstance(code).getDefaultFractionDigits();
            return digits < 0 ? Double.NaN : Math.pow(10, -digits);
        } catch (IllegalArgumentException e) {
            return Double.NaN;
        }
    }
}
