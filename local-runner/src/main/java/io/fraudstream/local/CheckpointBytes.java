package io.fraudstream.local;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Checkpoint bytes per scored event of a measured window: each completed checkpoint's uploaded bytes (Flink's
 * {@code checkpointed_size}, with RocksDB's incremental checkpoints the bytes it added) against the events scored
 * since the completed checkpoint before it.
 *
 * <p>An interval runs from one completed checkpoint's trigger to the next one's (a checkpoint holds the state changes
 * made before its barrier reached the operator, a few milliseconds after the trigger). Counted are the intervals that
 * start at or after the window's start and in which at least one event was scored. So the first completed
 * checkpoint of a job, which has no completed checkpoint before it (after a restore it uploads the whole restored
 * state), is never counted, and neither are checkpoints of an idle job.
 *
 * @param intervals the counted intervals, in checkpoint order
 * @param bytes     their checkpoints' bytes, summed
 * @param scored    the events scored in them, summed
 */
record CheckpointBytes(List<Interval> intervals, long bytes, long scored) {

    /**
     * A completed checkpoint: its id, trigger time (epoch ms), the bytes it uploaded ({@code checkpointed_size}) and
     * the full size of the state it references ({@code state_size}).
     */
    record Checkpoint(long id, long triggeredAt, long checkpointedBytes, long fullBytes) {}

    /** A checkpoint and the events scored between the trigger of the completed checkpoint before it and its own. */
    record Interval(Checkpoint checkpoint, long scored) {
        double bytesPerEvent() {
            return (double) checkpoint.checkpointedBytes() / scored;
        }
    }

    /**
     * @param completed   completed checkpoints of one job, in any order
     * @param scoredAt    when each event was scored (epoch ms), in any order
     * @param windowStart start of the measured window (epoch ms)
     */
    static CheckpointBytes of(List<Checkpoint> completed, long[] scoredAt, long windowStart) {
        List<Checkpoint> byId = completed.stream().sorted(Comparator.comparingLong(Checkpoint::id)).toList();
        long[] times = scoredAt.clone();
        Arrays.sort(times);
        List<Interval> intervals = new ArrayList<>();
        long bytes = 0;
        long scored = 0;
        for (int i = 1; i < byId.size(); i++) {
            Checkpoint previous = byId.get(i - 1);
            Checkpoint current = byId.get(i);
            if (previous.triggeredAt() < windowStart) {
                continue;
            }
            long n = atOrBefore(times, current.triggeredAt()) - atOrBefore(times, previous.triggeredAt());
            if (n > 0) {
                intervals.add(new Interval(current, n));
                bytes += current.checkpointedBytes();
                scored += n;
            }
        }
        return new CheckpointBytes(List.copyOf(intervals), bytes, scored);
    }

    /** Median of the counted checkpoints' bytes per scored event (mean of the middle two for an even count); NaN if none. */
    double medianBytesPerEvent() {
        double[] perEvent = intervals.stream().mapToDouble(Interval::bytesPerEvent).sorted().toArray();
        int n = perEvent.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? perEvent[n / 2] : (perEvent[n / 2 - 1] + perEvent[n / 2]) / 2;
    }

    /** All counted bytes over all counted scored events; NaN if none. */
    double totalBytesPerEvent() {
        return scored == 0 ? Double.NaN : (double) bytes / scored;
    }

    /** One line: the median, the total ratio and what they were computed from. */
    String summary() {
        if (intervals.isEmpty()) {
            return "no completed checkpoint in the window with a completed one before it";
        }
        return String.format(Locale.ROOT, "median %,.0f B over %d checkpoints; total %,d B / %,d scored = %,.0f B",
                medianBytesPerEvent(), intervals.size(), bytes, scored, totalBytesPerEvent());
    }

    /** Number of values in {@code sorted} that are at most {@code t}. */
    private static int atOrBefore(long[] sorted, long t) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
