package io.fraudstream.trainer;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The time-based evaluation protocol: a training window {@code [trainFrom, trainTo)}, a gap
 * {@code [trainTo, validationFrom)} whose labels are used by neither side (labels arrive days late: a model
 * trained at {@code trainTo} must not be judged on transactions whose fraud was still unreported), and a
 * validation window {@code [validationFrom, validationTo)}. Never a random split: fraud comes in bursts per
 * card, and a random split would leak a burst's neighbours into training.
 *
 * <p>Every transaction of a card still enters its history in time order, whatever its segment: the history
 * a transaction is scored against is what the job would have held, labelled or not. Only the rows (features
 * plus label) are split.
 */
public record TimeSplit(Instant trainFrom, Instant trainTo, Instant validationFrom, Instant validationTo) {
    private static final long DAY_MS = 86_400_000L;

    /** Which part of the protocol an event time falls in. */
    public enum Segment { BEFORE, TRAIN, GAP, VALIDATION, AFTER }

    public TimeSplit {
        Objects.requireNonNull(trainFrom, "trainFrom");
        Objects.requireNonNull(trainTo, "trainTo");
        Objects.requireNonNull(validationFrom, "validationFrom");
        Objects.requireNonNull(validationTo, "validationTo");
        if (!trainFrom.isBefore(trainTo)) {
            throw new IllegalArgumentException("training window is empty: " + trainFrom + " .. " + trainTo);
        }
        if (validationFrom.isBefore(trainTo)) {
            throw new IllegalArgumentException("validation (from " + validationFrom
                    + ") must not start before training ends (" + trainTo + ")");
        }
        if (!validationFrom.isBefore(validationTo)) {
            throw new IllegalArgumentException("validation window is empty: " + validationFrom + " .. "
                    + validationTo);
        }
    }

    /**
     * The most recent windows of data ending at {@code dataEnd} (exclusive): validation is the last
     * {@code validation}, before it the {@code gap}, before that {@code train} (or everything from
     * {@code dataStart} when {@code train} is null). Window edges are whole UTC days, so that a split is
     * stable across re-runs on data whose last event moves by minutes.
     */
    public static TimeSplit latest(long dataStart, long dataEnd, Duration train, Duration gap, Duration validation) {
        long end = ceilDay(dataEnd);
        long validationFrom = end - validation.toMillis();
        long trainTo = validationFrom - gap.toMillis();
        long trainFrom = train == null ? floorDay(dataStart) : trainTo - train.toMillis();
        return new TimeSplit(Instant.ofEpochMilli(trainFrom), Instant.ofEpochMilli(trainTo),
                Instant.ofEpochMilli(validationFrom), Instant.ofEpochMilli(end));
    }

    private static long floorDay(long t) {
        return Math.floorDiv(t, DAY_MS) * DAY_MS;
    }

    /** The first midnight strictly after t (so t itself is inside the window). */
    private static long ceilDay(long t) {
        return floorDay(t) + DAY_MS;
    }

    public Duration gap() {
        return Duration.between(trainTo, validationFrom);
    }

    public Segment segmentOf(long timeMillis) {
        if (timeMillis < trainFrom.toEpochMilli()) {
            return Segment.BEFORE;
        }
        if (timeMillis < trainTo.toEpochMilli()) {
            return Segment.TRAIN;
        }
        if (timeMillis < validationFrom.toEpochMilli()) {
            return Segment.GAP;
        }
        if (timeMillis < validationTo.toEpochMilli()) {
            return Segment.VALIDATION;
        }
        return Segment.AFTER;
    }

    @Override
    public String toString() {
        return "train [" + trainFrom + ", " + trainTo + "), gap " + gap() + ", validation [" + validationFrom + ", "
                + validationTo + ")";
    }
}
