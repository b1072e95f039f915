package io.fraudstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.fraudstream.local.CheckpointBytes.Checkpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointBytesTest {

    @Test
    void bytesOfEachCheckpointAgainstTheEventsScoredSinceTheCompletedOneBefore() {
        // Checkpoint 1 (the first after a restore) uploads everything: it has no completed checkpoint before it and
        // is not counted. Checkpoint 3 failed (absent); checkpoint 4 covers everything since checkpoint 2.
        List<Checkpoint> completed = List.of(
                new Checkpoint(4, 40_000, 9_000, 5_030_000),
                new Checkpoint(1, 10_000, 5_000_000, 5_000_000),
                new Checkpoint(2, 20_000, 4_000, 5_010_000));
        long[] scoredAt = {
            9_000, 10_000, // at or before checkpoint 1's trigger
            10_001, 15_000, 20_000, 20_000, // (10 000, 20 000]: 4 events for checkpoint 2
            25_000, 30_000, 35_000, // (20 000, 40 000]: 3 events for checkpoint 4
            40_001}; // after the last checkpoint

        CheckpointBytes b = CheckpointBytes.of(completed, scoredAt, 5_000);

        assertThat(b.intervals()).extracting(i -> i.checkpoint().id(), CheckpointBytes.Interval::scored)
                .containsExactly(tuple(2L, 4L), tuple(4L, 3L));
        assertThat(b.bytes()).isEqualTo(13_000);
        assertThat(b.scored()).isEqualTo(7);
        assertThat(b.intervals()).extracting(CheckpointBytes.Interval::bytesPerEvent).containsExactly(1_000.0, 3_000.0);
        assertThat(b.medianBytesPerEvent()).isEqualTo(2_000.0); // even count: mean of the middle two
        assertThat(b.totalBytesPerEvent()).isCloseTo(13_000 / 7.0, within(1e-9));
        assertThat(b.summary()).isEqualTo("median 2,000 B over 2 checkpoints; total 13,000 B / 7 scored = 1,857 B");
    }

    @Test
    void intervalsStartingBeforeTheWindowOrWithoutScoredEventsAreNotCounted() {
        List<Checkpoint> completed = List.of(
                new Checkpoint(1, 1_000, 100, 100),
                new Checkpoint(2, 11_000, 700, 800), // its interval starts before the window (at 1 000)
                new Checkpoint(3, 21_000, 500, 900),
                new Checkpoint(4, 31_000, 600, 1_000),
                new Checkpoint(5, 41_000, 800, 1_100),
                new Checkpoint(6, 51_000, 50, 1_100)); // idle: nothing scored after 41 000
        long[] scoredAt = {5_000, 12_000, 13_000, 22_000, 32_000, 33_000, 34_000, 35_000};

        CheckpointBytes b = CheckpointBytes.of(completed, scoredAt, 10_000);

        // 3: 500 B / 2 events, 4: 600 B / 1 event, 5: 800 B / 4 events
        assertThat(b.intervals()).extracting(i -> i.checkpoint().id()).containsExactly(3L, 4L, 5L);
        assertThat(b.medianBytesPerEvent()).isEqualTo(250.0); // of 250, 600 and 200
        assertThat(b.bytes()).isEqualTo(1_900);
        assertThat(b.scored()).isEqualTo(7);
    }

    @Test
    void noCountedCheckpointGivesNaNAndSaysWhy() {
        CheckpointBytes b = CheckpointBytes.of(List.of(new Checkpoint(1, 10_000, 5_000, 5_000)), new long[] {11_000}, 0);

        assertThat(b.intervals()).isEmpty();
        assertThat(b.medianBytesPerEvent()).isNaN();
        assertThat(b.totalBytesPerEvent()).isNaN();
        assertThat(b.summary()).isEqualTo("no completed checkpoint in the window with a completed one before it");
    }
}
