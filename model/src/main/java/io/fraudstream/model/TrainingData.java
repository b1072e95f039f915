package io.fraudstream.model;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The labelled data a model was trained and validated on: event-time ranges {@code [from, to)} and a
 * description of the source (file, topic range, simulator and seed).
 */
public record TrainingData(String source, Instant trainFrom, Instant trainTo, Instant validationFrom,
        Instant validationTo) {
    public TrainingData {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(trainFrom, "trainFrom");
        Objects.requireNonNull(trainTo, "trainTo");
        Objects.requireNonNull(validationFrom, "validationFrom");
        Objects.requireNonNull(validationTo, "validationTo");
        // The bundle stores milliseconds; keeping only those makes a round trip exact.
        trainFrom = trainFrom.truncatedTo(ChronoUnit.MILLIS);
        trainTo = trainTo.truncatedTo(ChronoUnit.MILLIS);
        validationFrom = validationFrom.truncatedTo(ChronoUnit.MILLIS);
        validationTo = validationTo.truncatedTo(ChronoUnit.MILLIS);
        if (trainTo.isBefore(trainFrom) || validationTo.isBefore(validationFrom)) {
            throw new IllegalArgumentException("data ranges must not end before they start: " + trainFrom + ".."
                    + trainTo + ", " + validationFrom + ".." + validationTo);
        }
    }
}
