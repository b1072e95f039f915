package io.fraudstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.simulator.SimulatorConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimeSplitTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void segmentsAreDisjointAndOrdered() {
        TimeSplit s = new TimeSplit(T0, T0.plus(Duration.ofDays(38)), T0.plus(Duration.ofDays(45)),
                T0.plus(Duration.ofDays(60)));
        assertThat(s.segmentOf(T0.toEpochMilli() - 1)).isEqualTo(TimeSplit.Segment.BEFORE);
        assertThat(s.segmentOf(T0.toEpochMilli())).isEqualTo(TimeSplit.Segment.TRAIN);
        assertThat(s.segmentOf(s.trainTo().toEpochMilli() - 1)).isEqualTo(TimeSplit.Segment.TRAIN);
        assertThat(s.segmentOf(s.trainTo().toEpochMilli())).isEqualTo(TimeSplit.Segment.GAP);
        assertThat(s.segmentOf(s.validationFrom().toEpochMilli() - 1)).isEqualTo(TimeSplit.Segment.GAP);
        assertThat(s.segmentOf(s.validationFrom().toEpochMilli())).isEqualTo(TimeSplit.Segment.VALIDATION);
        assertThat(s.segmentOf(s.validationTo().toEpochMilli())).isEqualTo(TimeSplit.Segment.AFTER);
        assertThat(s.gap()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void refusesOverlapAndEmptyWindows() {
        assertThatThrownBy(() -> new TimeSplit(T0, T0.plus(Duration.ofDays(10)), T0.plus(Duration.ofDays(9)),
                T0.plus(Duration.ofDays(20)))).hasMessageContaining("must not start before training ends");
        assertThatThrownBy(() -> new TimeSplit(T0, T0, T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(2))))
                .hasMessageContaining("training window is empty");
        assertThatThrownBy(() -> new TimeSplit(T0, T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(2)),
                T0.plus(Duration.ofDays(2)))).hasMessageContaining("validation window is empty");
    }

    @Test
    void latestWindowsEndAtTheDataAndKeepTheGap() {
        long start = T0.toEpochMilli() + 3_600_000L;
        long end = T0.plus(Duration.ofDays(60)).toEpochMilli() - 5_000L;
        TimeSplit s = TimeSplit.latest(start, end, null, Duration.ofDays(7), Duration.ofDays(15));
        assertThat(s.validationTo()).isEqualTo(T0.plus(Duration.ofDays(60)));
        assertThat(s.validationFrom()).isEqualTo(T0.plus(Duration.ofDays(45)));
        assertThat(s.trainTo()).isEqualTo(T0.plus(Duration.ofDays(38)));
        assertThat(s.trainFrom()).isEqualTo(T0);
        TimeSplit bounded = TimeSplit.latest(start, end, Duration.ofDays(20), Duration.ofDays(7), Duration.ofDays(15));
        assertThat(bounded.trainFrom()).isEqualTo(T0.plus(Duration.ofDays(18)));
    }

    @Test
    void everyRowOfSimulatedDataFallsInExactlyOneSegmentAndNoTrainingRowIsWithinTheGapOfValidation() {
        LabelledData data = SimulatorData.load(SimulatorConfig.builder().seed(7).cards(40).start(T0)
                .duration(Duration.ofDays(30)).build());
        TimeSplit s = TimeSplit.latest(data.minTime(), data.maxTime(), null, Duration.ofDays(5), Duration.ofDays(10));
        long lastTrain = Long.MIN_VALUE;
        long firstValidation = Long.MAX_VALUE;
        int rows = 0;
        for (List<LabelledTransaction> card : data.cards()) {
            long prev = Long.MIN_VALUE;
            for (LabelledTransaction t : card) {
                assertThat(t.time()).as("card sequence is in time order").isGreaterThanOrEqualTo(prev);
                prev = t.time();
                switch (s.segmentOf(t.time())) {
                    case TRAIN -> lastTrain = Math.max(lastTrain, t.time());
                    case VALIDATION -> firstValidation = Math.min(firstValidation, t.time());
                    default -> { }
                }
                rows++;
            }
        }
        assertThat(rows).isEqualTo(data.size());
        assertThat(firstValidation - lastTrain).isGreaterThanOrEqualTo(Duration.ofDays(5).toMillis());
        var counts = data.countBySegment(s);
        assertThat(counts.get(TimeSplit.Segment.TRAIN)[0] + counts.get(TimeSplit.Segment.GAP)[0]
                + counts.get(TimeSplit.Segment.VALIDATION)[0]).isEqualTo(data.size());
        assertThat(counts.get(TimeSplit.Segment.VALIDATION)[0]).isPositive();
    }
}
