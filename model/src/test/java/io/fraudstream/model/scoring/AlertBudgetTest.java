package io.fraudstream.model.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AlertBudgetTest {

    private static final long HOUR = 3_600_000L;
    private static final AlertBudget.Settings ONE_PERCENT = new AlertBudget.Settings(0.01, 24 * HOUR, 100);

    private static double sigmoid(double logit) {
        return 1 / (1 + Math.exp(-logit));
    }

    private static double logit(double p) {
        return Math.log(p / (1 - p));
    }

    /** Feeds {@code perHour} scores per hour for hours [from, to), log-odds normal around {@code mean}. */
    private static void feed(AlertBudget b, Random r, int from, int to, int perHour, double mean) {
        for (int h = from; h < to; h++) {
            for (int i = 0; i < perHour; i++) {
                b.observe(h * HOUR + i * (HOUR / perHour), sigmoid(mean + r.nextGaussian()));
            }
        }
    }

    @Test
    void thresholdIsTheWindowsQuantile() {
        AlertBudget b = new AlertBudget(ONE_PERCENT);
        // log-odds evenly spread over [-6, 6): the 1 % at the top starts at 6 - 0.12
        for (int h = 0; h < 24; h++) {
            for (int i = 0; i < 1000; i++) {
                b.observe(h * HOUR + i, sigmoid(-6 + 12 * ((i * 7919) % 1000) / 1000.0));
            }
        }
        double t = b.threshold(24 * HOUR, 0.5);
        assertTrue(b.active());
        assertEquals(24_000, b.windowScores());
        assertEquals(5.88, logit(t), 0.03, "log-odds of the threshold");
    }

    @Test
    void holdsTheBudgetWhenTheScoresShift() {
        Random r = new Random(7);
        AlertBudget b = new AlertBudget(ONE_PERCENT);
        feed(b, r, 0, 24, 2000, -4);
        double fixed = b.threshold(24 * HOUR, 0.5); // what a threshold chosen on day one would stay at
        // from day two on, every score moves up by 0.8 in log-odds (more fraud, a drifting feature)
        int alertsBudget = 0;
        int alertsFixed = 0;
        int n = 0;
        for (int h = 24; h < 96; h++) {
            for (int i = 0; i < 2000; i++) {
                long t = h * HOUR + i * (HOUR / 2000);
                double s = sigmoid(-3.2 + r.nextGaussian());
                double threshold = b.threshold(t, 0.5);
                if (h >= 72) { // day four: the window holds shifted scores only
                    n++;
                    alertsBudget += s >= threshold ? 1 : 0;
                    alertsFixed += s >= fixed ? 1 : 0;
                }
                b.observe(t, s);
            }
        }
        double rateBudget = alertsBudget / (double) n;
        double rateFixed = alertsFixed / (double) n;
        assertEquals(0.01, rateBudget, 0.0015, "alert rate with the budget");
        assertTrue(rateFixed > 0.03, "a fixed threshold alerts on " + rateFixed);
    }

    @Test
    void fallbackUntilTheWindowHoldsEnoughScores() {
        Random r = new Random(1);
        AlertBudget b = new AlertBudget(ONE_PERCENT); // needs 10,000 scores
        feed(b, r, 0, 24, 400, 0); // 9,600
        assertEquals(0.37, b.threshold(24 * HOUR, 0.37));
        assertFalse(b.active());
        feed(b, r, 24, 25, 400, 0); // the window [1, 25) now holds 9,600 too
        assertEquals(0.37, b.threshold(25 * HOUR, 0.37));
        feed(b, r, 25, 26, 800, 0); // [2, 26): 10,000
        double t = b.threshold(26 * HOUR, 0.37);
        assertTrue(b.active());
        assertEquals(2.326, logit(t), 0.15, "the normal's 99th percentile");
    }

    @Test
    void aScoreNeverMovesItsOwnThreshold() {
        Random r = new Random(3);
        AlertBudget b = new AlertBudget(ONE_PERCENT);
        feed(b, r, 0, 24, 1000, 0);
        double before = b.threshold(24 * HOUR, 0.5);
        for (int i = 0; i < 5000; i++) {
            b.observe(24 * HOUR + i, 0.999); // a burst of high scores in the current hour
        }
        assertEquals(before, b.threshold(24 * HOUR + 5000, 0.5));
        assertTrue(b.threshold(25 * HOUR, 0.5) > before, "the burst counts once its hour is complete");
    }

    @Test
    void lateScoresCountInTheirHourOrNotAtAll() {
        AlertBudget b = new AlertBudget(ONE_PERCENT);
        b.observe(100 * HOUR, 0.5);
        b.observe(77 * HOUR, 0.5); // still inside the window of hour 101, [77, 101): counted
        b.observe(75 * HOUR + HOUR - 1, 0.5); // hour 75 is outside every window from hour 100 on: too late
        assertEquals(1, b.tooLate());
        b.threshold(101 * HOUR, 0.5);
        assertEquals(2, b.windowScores());
    }

    @Test
    void encodeAndMergeRestoreTheSameThreshold() {
        Random r = new Random(11);
        AlertBudget all = new AlertBudget(ONE_PERCENT);
        AlertBudget even = new AlertBudget(ONE_PERCENT);
        AlertBudget odd = new AlertBudget(ONE_PERCENT);
        for (int h = 0; h < 30; h++) {
            for (int i = 0; i < 1000; i++) {
                long t = h * HOUR + i * (HOUR / 1000);
                double s = sigmoid(-2 + r.nextGaussian() + h * 0.05);
                all.observe(t, s);
                (i % 2 == 0 ? even : odd).observe(t, s);
            }
        }
        AlertBudget restored = new AlertBudget(ONE_PERCENT);
        assertTrue(restored.merge(all.encode()));
        assertArrayEquals(all.encode(), restored.encode());
        assertEquals(all.threshold(30 * HOUR, 0.5), restored.threshold(30 * HOUR, 0.5));

        // after rescaling, a subtask merges every subtask's budget: the same window as one budget fed with all
        AlertBudget merged = new AlertBudget(ONE_PERCENT);
        assertTrue(merged.merge(even.encode()));
        assertTrue(merged.merge(odd.encode()));
        assertEquals(all.threshold(31 * HOUR, 0.5), merged.threshold(31 * HOUR, 0.5), 1e-12);
        assertEquals(all.windowScores(), merged.windowScores());

        // another window length does not line up: ignored, the window refills
        AlertBudget other = new AlertBudget(new AlertBudget.Settings(0.01, 48 * HOUR, 100));
        assertFalse(other.merge(all.encode()));
        assertThrows(IllegalArgumentException.class, () -> other.merge(new byte[] {1, 2}));
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new AlertBudget.Settings(0, HOUR, 100));
        assertThrows(IllegalArgumentException.class, () -> new AlertBudget.Settings(0.6, HOUR, 100));
        assertThrows(IllegalArgumentException.class, () -> new AlertBudget.Settings(0.01, 10, 100));
        assertThrows(IllegalArgumentException.class, () -> new AlertBudget.Settings(0.01, HOUR, 0));
        assertEquals(10_000, ONE_PERCENT.minScores());
        assertEquals(HOUR, ONE_PERCENT.bucketMillis());
    }

    @Test
    void binsClampTheExtremes() {
        assertEquals(0, AlertBudget.bin(0));
        assertEquals(AlertBudget.BINS - 1, AlertBudget.bin(1));
        assertEquals(AlertBudget.BINS / 2, AlertBudget.bin(0.5));
        assertEquals(0, AlertBudget.bin(Double.NaN));
    }
}
