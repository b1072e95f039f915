package io.fraudstream.job.validation;

import io.fraudstream.schemas.CardNumbers;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * Applies {@link CardNumbers} to every place a record can carry a card number: each string field of a decoded
 * Avro record (whatever its schema: new fields are covered without code changes), integral fields long enough to
 * be one, the Kafka key, and the bytes of a record that did not decode.
 */
public final class PanScan {

    /** Longs from 10^12 (13 digits) up may be a card number written as a number. */
    private static final long SMALLEST_13_DIGITS = 1_000_000_000_000L;

    private PanScan() {}

    /** The names of the fields of {@code record} holding a card number, comma-separated, or null. Top-level fields only. */
    public static String fields(IndexedRecord record) {
        StringBuilder found = null;
        for (Schema.Field f : record.getSchema().getFields()) {
            if (holdsPan(record.get(f.pos()))) {
                found = found == null ? new StringBuilder(f.name()) : found.append(", ").append(f.name());
            }
        }
        return found == null ? null : found.toString();
    }

    private static boolean holdsPan(Object value) {
        if (value instanceof CharSequence s) {
            return CardNumbers.containsPan(s);
        }
        if (value instanceof Long l && Math.abs(l) >= SMALLEST_13_DIGITS) {
            return CardNumbers.containsPan(Long.toString(Math.abs(l)));
        }
        return false;
    }

    /** A Kafka key (text by every producer fraudstream knows): the text rule on its ASCII reading. */
    public static boolean key(byte[] key) {
        return key != null && key.length >= CardNumbers.MIN_DIGITS
                && CardNumbers.containsPan(new String(key, StandardCharsets.ISO_8859_1));
    }

    /** Bytes that did not decode: every digit stretch (see {@link CardNumbers#containsPan(byte[])}). */
    public static boolean rawBytes(byte[] value) {
        return value != null && CardNumbers.containsPan(value);
    }

    /** {@code a} and {@code b} joined with ", ", either may be null. */
    public static String join(String a, String b) {
        return a == null ? b : b == null ? a : a + ", " + b;
    }
}
