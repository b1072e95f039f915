package io.fraudstream.simulator;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Local solar time from longitude, the project's only notion of "local time" (docs/TIME.md): local =
 * UTC + longitude / 15 h. No time-zone database; the same everywhere and invertible.
 *
 * <p>Every event time in fraudstream is a true instant. The simulator generates a cardholder's day in local
 * time and converts it with {@link #toInstant}; the Sparkov CSV, whose timestamps are local wall-clock times,
 * converts back with {@link #toLocal}. The feature extractor's night flag reads local time off the instant as
 * {@code hour(UTC) + (float) homeLon / 15}.
 *
 * <p>Whole seconds: the shift {@code s = lon * 240} seconds is rarely whole, so the offset is
 * {@code ceil(s) - 1} (an integer in {@code [s - 1, s)}). Reading an instant back with the exact shift then
 * gives a local time in {@code (L, L + 1 s]} of the generated local second {@code L}: strictly after it, so a
 * purchase generated at local 00:00:00 is never read as 23:59:59.x of the day before. The longitude is rounded
 * to a float first, as the extractor stores it.
 */
public final class SolarTime {

    private SolarTime() {}

    /**
     * Whole seconds to add to an instant (epoch second) to get local solar wall time at {@code longitude};
     * 0 when the longitude is unknown (null, NaN or outside [-180, 180]).
     */
    public static long offsetSeconds(Double longitude) {
        if (longitude == null || !(longitude >= -180.0 && longitude <= 180.0)) {
            return 0;
        }
        double s = (double) (float) longitude.doubleValue() * 240.0; // exact: a float times 240 fits a double
        return (long) Math.ceil(s) - 1;
    }

    /** The instant of local solar wall time {@code localEpochSecond} (local time written as if it were UTC). */
    public static long toInstant(long localEpochSecond, long offsetSeconds) {
        return localEpochSecond - offsetSeconds;
    }

    /** Local solar wall time of {@code instant} at {@code longitude}, whole seconds (the exact inverse of {@link #toInstant}). */
    public static LocalDateTime toLocal(Instant instant, Double longitude) {
        return LocalDateTime.ofEpochSecond(instant.getEpochSecond() + offsetSeconds(longitude), 0, ZoneOffset.UTC);
    }

    /** The instant of a local solar wall time at {@code longitude}: how a reader of a Sparkov file recovers event time. */
    public static Instant toInstant(LocalDateTime local, Double longitude) {
        return Instant.ofEpochSecond(toInstant(local.toEpochSecond(ZoneOffset.UTC), offsetSeconds(longitude)));
    }
}
