package io.fraudstream.model.scoring;

import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.Transaction;
import io.fraudstream.features.Channel;
import io.fraudstream.features.RawTransaction;
import java.util.Currency;
import java.util.HashMap;
import java.util.Map;

/**
 * The one mapping from the wire record ({@link Transaction}) to the extractor's {@link RawTransaction}, and the
 * field rules a record must pass to be scored. The job (its validator and scoring function), the trainer (every
 * data source), the bootstrap model, replay and the benchmarks all use it, so a transaction means the same thing
 * to the model that learns from it and to the model that scores it.
 *
 * <p><b>Currency rule:</b> the amount in major units is {@code amountMinor / 10^d}, {@code d} the ISO 4217 default
 * fraction digits of the currency (a division, so whole cents give the double nearest the decimal amount, as parsing
 * it would). A code that is not an ISO 4217 currency, or one without minor units ({@code d = -1}: XAU, XXX, ...),
 * has no amount: the job dead-letters such a record ({@code INVALID_FIELD}, field {@code currency}); training data
 * skips and counts it. Nobody guesses two digits.
 *
 * <p>Not thread-safe (caches each currency's digits, three-letter codes only, so hostile input cannot grow the
 * cache without bound): one per thread or subtask.
 */
public final class WireTransactions {

    /** Longest id or name accepted; longer strings are hostile or broken. */
    public static final int MAX_TEXT_LENGTH = 256;
    /** The job's default {@code validation.max-amount-minor}: larger amounts are not plausible. */
    public static final long DEFAULT_MAX_AMOUNT_MINOR = 100_000_000_000L;
    /** Fraction digits of a code that is not usable as a currency. */
    public static final int NOT_A_CURRENCY = -1;

    /** Why a record may not be scored: the dead-letter reason, the field (or null) and a message. */
    public record Problem(DeadLetterReason reason, String field, String message) {}

    private final Map<String, Integer> fractionDigits = new HashMap<>();

    /**
     * Required and optional text fields, and a present event time; null when they are fine. (The event-time window
     * depends on the reader's "now" and is the caller's: the job checks it next.)
     */
    public Problem checkFields(Transaction tx) {
        Problem p;
        if ((p = text("transactionId", tx.getTransactionId(), true)) != null
                || (p = text("cardId", tx.getCardId(), true)) != null
                || (p = text("accountId", tx.getAccountId(), true)) != null
                || (p = text("merchantId", tx.getMerchantId(), true)) != null
                || (p = text("merchantCategory", tx.getMerchantCategory(), true)) != null
                || (p = text("currency", tx.getCurrency(), true)) != null
                || (p = text("country", tx.getCountry(), false)) != null
                || (p = text("terminalId", tx.getTerminalId(), false)) != null) {
            return p;
        }
        if (tx.getEventTime() == null) {
            return new Problem(DeadLetterReason.MISSING_FIELD, "eventTime", "eventTime is missing");
        }
        if (tx.getChannel() == null) {
            return new Problem(DeadLetterReason.MISSING_FIELD, "channel", "channel is missing");
        }
        return null;
    }

    /** Amount (0 to {@code maxAmountMinor}), currency ({@link #fractionDigits}) and coordinates; null when fine. */
    public Problem checkValues(Transaction tx, long maxAmountMinor) {
        long amountMinor = tx.getAmountMinor();
        if (amountMinor < 0) {
            return new Problem(DeadLetterReason.INVALID_AMOUNT, "amountMinor", "amountMinor is negative: " + amountMinor);
        }
        if (amountMinor > maxAmountMinor) {
            return new Problem(DeadLetterReason.INVALID_AMOUNT, "amountMinor",
                    "amountMinor " + amountMinor + " exceeds validation.max-amount-minor " + maxAmountMinor);
        }
        if (fractionDigits(tx.getCurrency()) == NOT_A_CURRENCY) {
            return new Problem(DeadLetterReason.INVALID_FIELD, "currency",
                    "currency is not an ISO 4217 currency code with minor units");
        }
        Problem p;
        if ((p = coordinates("merchant", tx.getMerchantLat(), tx.getMerchantLon())) != null
                || (p = coordinates("home", tx.getHomeLat(), tx.getHomeLon())) != null) {
            return p;
        }
        return null;
    }

    /** {@link #checkFields} then {@link #checkValues}: every rule but the event-time window; null when valid. */
    public Problem check(Transaction tx, long maxAmountMinor) {
        Problem p = checkFields(tx);
        return p != null ? p : checkValues(tx, maxAmountMinor);
    }

    /**
     * ISO 4217 default fraction digits of {@code code}, or {@link #NOT_A_CURRENCY} when it is not a three-letter
     * upper-case ISO 4217 code or has no minor unit.
     */
    public int fractionDigits(String code) {
        if (code == null || !isCurrencyShaped(code)) {
            return NOT_A_CURRENCY;
        }
        return fractionDigits.computeIfAbsent(code, WireTransactions::digitsOf);
    }

    /** The amount in major units: {@code amountMinor / 10^digits} ({@code digits} from {@link #fractionDigits}). */
    public static double amount(long amountMinor, int digits) {
        if (digits < 0) {
            throw new IllegalArgumentException("no amount without a currency's fraction digits");
        }
        return amountMinor / POW10[digits];
    }

    /**
     * The extractor's view of a record that passed {@link #check}: amount in major units, absent coordinates as
     * unknown (NaN), channel by name.
     *
     * @throws IllegalArgumentException when the currency has no fraction digits (the record did not pass the check)
     */
    public RawTransaction toRaw(Transaction tx) {
        int digits = fractionDigits(tx.getCurrency());
        if (digits == NOT_A_CURRENCY) {
            throw new IllegalArgumentException("transaction " + tx.getTransactionId() + ": currency is not an"
                    + " ISO 4217 currency code with minor units");
        }
        return raw(tx.getTransactionId(), tx.getEventTime().toEpochMilli(), amount(tx.getAmountMinor(), digits),
                tx.getMerchantId(), tx.getMerchantCategory(), tx.getChannel().name(), orNaN(tx.getMerchantLat()),
                orNaN(tx.getMerchantLon()), orNaN(tx.getHomeLat()), orNaN(tx.getHomeLon()));
    }

    /** The extractor's input from a validated record's fields (the job's validated event carries these). */
    public static RawTransaction raw(String transactionId, long eventTimeMillis, double amount, String merchantId,
            String merchantCategory, String channelName, double merchantLat, double merchantLon, double homeLat,
            double homeLon) {
        return RawTransaction.builder()
                .transactionId(transactionId)
                .eventTimeMillis(eventTimeMillis)
                .amount(amount)
                .merchantId(merchantId)
                .merchantCategory(merchantCategory)
                .channel(channel(channelName))
                .merchantLocation(merchantLat, merchantLon)
                .homeLocation(homeLat, homeLon)
                .build();
    }

    /** The extractor's channel of a wire {@code Channel} symbol; symbols it does not know are {@code OTHER}. */
    public static Channel channel(String name) {
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

    private static final double[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};

    private static Integer digitsOf(String code) {
        try {
            int d = Currency.getInstance(code).getDefaultFractionDigits();
            return d < 0 || d >= POW10.length ? NOT_A_CURRENCY : d;
        } catch (IllegalArgumentException e) {
            return NOT_A_CURRENCY;
        }
    }

    private static Problem text(String field, String value, boolean required) {
        if (value == null || value.isBlank()) {
            return required ? new Problem(DeadLetterReason.MISSING_FIELD, field, field + " is missing or blank") : null;
        }
        if (value.length() > MAX_TEXT_LENGTH) {
            return new Problem(DeadLetterReason.INVALID_FIELD, field,
                    field + " is " + value.length() + " characters long (limit " + MAX_TEXT_LENGTH + ")");
        }
        return null;
    }

    private static Problem coordinates(String which, Double lat, Double lon) {
        if (lat == null && lon == null) {
            return null;
        }
        if (lat == null || lon == null) {
            return new Problem(DeadLetterReason.INVALID_COORDINATES, which + "Lat",
                    which + " latitude and longitude must be both set or both null");
        }
        if (!(lat >= -90.0 && lat <= 90.0)) {
            return new Problem(DeadLetterReason.INVALID_COORDINATES, which + "Lat",
                    which + "Lat " + lat + " is outside [-90, 90]");
        }
        if (!(lon >= -180.0 && lon <= 180.0)) {
            return new Problem(DeadLetterReason.INVALID_COORDINATES, which + "Lon",
                    which + "Lon " + lon + " is outside [-180, 180]");
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
}
