package io.fraudstream.datasets;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * How a time column becomes a true UTC instant.
 *
 * <p>Formats: a {@link DateTimeFormatter} pattern (a local date-time, then placed by the zone rule),
 * {@code epoch-seconds}, {@code epoch-millis} (already UTC; the zone rule is ignored), or {@code iso}
 * (ISO-8601 with an offset or {@code Z}; without one, a local date-time placed by the zone rule).
 *
 * <p>Zone rules: {@code UTC}, any {@link ZoneId} ({@code Europe/Berlin}, {@code -05:00}), or
 * {@code home-longitude}: the wall time is local mean solar time at the cardholder's home, so
 * {@code utc = local - homeLon/15 h} (to the millisecond). The last is the default for Sparkov files,
 * whose generator writes each cardholder's local time without a zone.
 */
public final class EventTimeRule {

    /** The zone rule's name for local solar time at the cardholder's home longitude. */
    public static final String HOME_LONGITUDE = "home-longitude";

    private enum Kind { PATTERN, EPOCH_SECONDS, EPOCH_MILLIS, ISO }

    private final Kind kind;
    private final DateTimeFormatter formatter;
    /** Null for the home-longitude rule. */
    private final ZoneId zone;
    private final String description;

    private EventTimeRule(Kind kind, DateTimeFormatter formatter, ZoneId zone, String description) {
        this.kind = kind;
        this.formatter = formatter;
        this.zone = zone;
        this.description = description;
    }

    /**
     * Parses a format and a zone rule; throws {@link IllegalArgumentException} naming what is wrong.
     */
    public static EventTimeRule of(String format, String zoneRule) {
        ZoneId zone;
        if (zoneRule.equalsIgnoreCase(HOME_LONGITUDE)) {
            zone = null;
        } else {
            try {
                zone = ZoneId.of(zoneRule);
            } catch (DateTimeException e) {
                throw new IllegalArgumentException("not a time zone (nor '" + HOME_LONGITUDE + "'): " + zoneRule);
            }
        }
        String description = format + " @ " + zoneRule;
        switch (format.toLowerCase(Locale.ROOT)) {
            case "epoch-seconds":
                return new EventTimeRule(Kind.EPOCH_SECONDS, null, ZoneOffset.UTC, description);
            case "epoch-millis":
                return new EventTimeRule(Kind.EPOCH_MILLIS, null, ZoneOffset.UTC, description);
            case "iso":
                return new EventTimeRule(Kind.ISO, null, zone, description);
            default:
                try {
                    return new EventTimeRule(Kind.PATTERN, DateTimeFormatter.ofPattern(format, Locale.ROOT), zone,
                            description);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("not a date-time pattern: " + format + " (" + e.getMessage() + ")");
                }
        }
    }

    /** True if this rule needs the cardholder's home longitude. */
    public boolean needsHomeLongitude() {
        return zone == null && kind != Kind.EPOCH_SECONDS && kind != Kind.EPOCH_MILLIS;
    }

    /**
     * The UTC instant in epoch milliseconds.
     *
     * @param homeLon the cardholder's home longitude, or null when unknown
     * @throws IllegalArgumentException with a message that does not echo the value
     */
    public long toEpochMillis(String value, Double homeLon) {
        String v = value.trim();
        try {
            switch (kind) {
                case EPOCH_SECONDS:
                    return Math.multiplyExact(Long.parseLong(v), 1000L);
                case EPOCH_MILLIS:
                    return Long.parseLong(v);
                case ISO:
                    try {
                        return OffsetDateTime.parse(v, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
                    } catch (DateTimeParseException e) {
                        return place(LocalDateTime.parse(v, DateTimeFormatter.ISO_LOCAL_DATE_TIME), homeLon);
                    }
                default:
                    return place(LocalDateTime.parse(v, formatter), homeLon);
            }
        } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("does not match the time format " + description);
        }
    }

    private long place(LocalDateTime local, Double homeLon) {
        if (zone != null) {
            return local.atZone(zone).toInstant().toEpochMilli();
        }
        if (homeLon == null) {
            throw new IllegalArgumentException("needs the home longitude for the " + HOME_LONGITUDE
                    + " time rule, but it is empty");
        }
        // Local mean solar time: 15 degrees of longitude per hour, 240,000 ms per degree.
        long asIfUtc = local.toInstant(ZoneOffset.UTC).toEpochMilli();
        return asIfUtc - Math.round(homeLon * 240_000.0);
    }

    @Override
    public String toString() {
        return description;
    }
}
