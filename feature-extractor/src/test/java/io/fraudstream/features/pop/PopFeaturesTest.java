package io.fraudstream.features.pop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PopFeaturesTest {
    private static final long H = PopFeatures.HOUR_MS;
    private static final long DAY = 24 * H;
    private static final long T0 = 1_700_000_000_000L / H * H; // an hour boundary

    private static float[] features(PopTable table, String merchant, String terminal, long t, int settle) {
        float[] out = new float[PopFeatures.ATTACHED_COUNT + 2];
        table.features(merchant, terminal, t, settle, new PopFeatures.Scratch(), out, 2);
        return java.util.Arrays.copyOfRange(out, 2, out.length);
    }

    @Test
    void namesAreMerchantThenTerminalTransactionsThenFrauds() {
        assertEquals(12, PopFeatures.COUNT);
        assertEquals("pop_merchant_transactions_1d", PopFeatures.NAMES.get(0));
        assertEquals("pop_merchant_frauds_7d", PopFeatures.NAMES.get(PopFeatures.MERCHANT_FRAUDS_7D));
        assertEquals("pop_terminal_frauds_7d", PopFeatures.NAMES.get(PopFeatures.TERMINAL_FRAUDS_7D));
        assertEquals("pop_terminal_frauds_30d", PopFeatures.NAMES.get(11));
    }

    @Test
    void ratiosAreFraudsOverTheTransactionsAWeekEarlierCappedAtOne() {
        PopTable table = new PopTable();
        for (int i = 0; i < 10; i++) {
            table.addTransaction("shop", "term-1", T0 - 7 * DAY - 2 * H - i * 60_000); // the 1d window a week back
        }
        for (int i = 0; i < 30; i++) {
            table.addTransaction("shop", "term-1", T0 - 10 * DAY - i * 60_000); // the 7d window a week back
        }
        for (int i = 0; i < 5; i++) {
            table.addTransaction("shop", "term-1", T0 - 2 * H - i * 60_000); // recent: only the 30d denominator
        }
        table.addFraudLabel("shop", null, T0 - 5 * H);      // merchant only, last day
        for (int i = 0; i < 3; i++) {
            table.addFraudLabel(null, "term-1", T0 - 2 * DAY); // terminal, 7 days
        }
        for (int i = 0; i < 50; i++) {
            table.addFraudLabel(null, "term-1", T0 - 20 * DAY); // 53 frauds over 45 transactions in 30 days
        }
        float[] block = features(table, "shop", "term-1", T0, 1);
        assertEquals(PopFeatures.ATTACHED_COUNT, block.length);
        assertEquals((float) Math.log1p(10), block[PopFeatures.COUNT], "merchant transactions 1d, a week back");
        assertEquals((float) Math.log1p(40), block[PopFeatures.COUNT + 1], "merchant transactions 7d, a week back");
        assertEquals((float) Math.log1p(5), block[0], "merchant transactions 1d, recent");
        float[] ratios = new float[PopFeatures.RATIO_COUNT + 1];
        ratios[0] = 7f;
        PopFeatures.ratios(block, 0, ratios, 1);
        assertEquals(7f, ratios[0], "nothing written before the offset");
        assertEquals(List.of("pop_merchant_fraud_ratio_1d", "pop_merchant_fraud_ratio_7d",
                "pop_merchant_fraud_ratio_30d", "pop_terminal_fraud_ratio_1d", "pop_terminal_fraud_ratio_7d",
                "pop_terminal_fraud_ratio_30d"), PopFeatures.RATIO_NAMES);
        assertEquals(1 / 10f, ratios[1], 1e-6f, "merchant 1d");
        assertEquals(1 / 40f, ratios[2], 1e-6f, "merchant 7d");
        assertEquals(1 / 45f, ratios[3], 1e-6f, "merchant 30d (not lagged)");
        assertEquals(0f, ratios[4], "terminal 1d");
        assertEquals(3 / 40f, ratios[5], 1e-6f, "terminal 7d");
        assertEquals(1f, ratios[6], "terminal 30d: 53 of 45, capped");

        float[] none = new float[PopFeatures.RATIO_COUNT];
        java.util.Arrays.fill(none, 5f);
        PopFeatures.ratios(null, 0, none, 0);
        assertArrayEquals(new float[PopFeatures.RATIO_COUNT], none, "no block: zeros");
        // frauds without any transaction in the window: divided by one, capped
        PopTable labelsOnly = new PopTable();
        labelsOnly.addFraudLabel("quiet", null, T0 - 5 * H);
        PopFeatures.ratios(features(labelsOnly, "quiet", null, T0, 1), 0, none, 0);
        assertEquals(1f, none[0]);
        assertThrows(IllegalArgumentException.class,
                () -> PopFeatures.ratios(new float[PopFeatures.COUNT], 0, new float[PopFeatures.RATIO_COUNT], 0),
                "a block without the lagged counts");
    }

    @Test
    void aLabelChangesNothingBeforeItsReportedTimeAndTheFeaturesAfterIt() {
        PopTable without = new PopTable();
        PopTable with = new PopTable();
        for (PopTable t : List.of(without, with)) {
            for (int i = 0; i < 50; i++) {
                t.addTransaction("shop", "term-1", T0 - 10 * DAY + i * H);
            }
        }
        long reported = T0 + 17 * 60_000; // 00:17 into the hour
        with.addFraudLabel("shop", "term-1", reported);
        int settle = 1;
        // Every transaction before the label's reported time sees exactly what it saw without the label.
        for (long t = T0 - 12 * DAY; t < reported; t += 7 * 60_000) {
            assertArrayEquals(features(without, "shop", "term-1", t, settle), features(with, "shop", "term-1", t, settle),
                    "at " + t);
        }
        // Visible once the reported hour is settle hours old, for both the merchant and the terminal.
        long visible = T0 + (1 + settle) * H;
        assertArrayEquals(features(without, "shop", "term-1", visible - 1, settle),
                features(with, "shop", "term-1", visible - 1, settle));
        float[] after = features(with, "shop", "term-1", visible, settle);
        float one = (float) Math.log1p(1);
        assertEquals(one, after[3], "merchant frauds 1d");
        assertEquals(one, after[4], "merchant frauds 7d");
        assertEquals(one, after[5], "merchant frauds 30d");
        assertEquals(one, after[9], "terminal frauds 1d");
        assertEquals(1, PopFeatures.count(after[PopFeatures.TERMINAL_FRAUDS_7D]));
        // ... and out of the 1-day window a day later, still in the 7-day window.
        float[] dayLater = features(with, "shop", "term-1", visible + DAY, settle);
        assertEquals(0f, dayLater[3]);
        assertEquals(one, dayLater[4]);
    }

    @Test
    void aTransactionNeverCountsItselfOrItsOwnHour() {
        PopTable table = new PopTable();
        table.addTransaction("shop", null, T0 + 5 * 60_000);
        table.addTransaction("shop", null, T0 + 6 * 60_000);
        float[] f = features(table, "shop", null, T0 + 6 * 60_000, 0);
        assertEquals(0f, f[0]);
        assertEquals(2, PopFeatures.count(features(table, "shop", null, T0 + H, 0)[0]));
        assertEquals(0, PopFeatures.count(features(table, "shop", null, T0 + H, 1)[0]), "settle 1 h: not yet");
    }

    @Test
    void unknownPointsOfPurchaseGiveZeros() {
        PopTable table = new PopTable();
        table.addTransaction("shop", "t", T0);
        assertArrayEquals(new float[PopFeatures.ATTACHED_COUNT], features(table, null, null, T0 + DAY, 1));
        assertArrayEquals(new float[PopFeatures.ATTACHED_COUNT], features(table, "other", "", T0 + DAY, 1));
    }

    @Test
    void windowSumsMatchANaiveCountInAnyInsertionOrder() {
        Random r = new Random(7);
        for (int round = 0; round < 30; round++) {
            List<long[]> events = new ArrayList<>(); // {time, isFraudLabel}
            for (int i = 0; i < 400; i++) {
                events.add(new long[] {T0 + (long) (r.nextDouble() * 60 * DAY), r.nextInt(10) == 0 ? 1 : 0});
            }
            Collections.shuffle(events, r);
            PopTable table = new PopTable();
            for (long[] e : events) {
                if (e[1] == 1) {
                    table.addFraudLabel("m", null, e[0]);
                } else {
                    table.addTransaction("m", null, e[0]);
                }
            }
            int settle = r.nextInt(3);
            long t = T0 + (long) (r.nextDouble() * 70 * DAY);
            float[] f = features(table, "m", null, t, settle);
            long horizonStart = (Math.floorDiv(t, H) - settle) * H;
            int[] windows = {1, 7, 30};
            for (int w = 0; w < 3; w++) {
                long from = horizonStart - windows[w] * DAY;
                long tx = 0;
                long fraud = 0;
                for (long[] e : events) {
                    if (e[0] >= from && e[0] < horizonStart) {
                        tx += e[1] == 0 ? 1 : 0;
                        fraud += e[1];
                    }
                }
                assertEquals((float) Math.log1p(tx), f[w], "tx window " + w + " round " + round);
                assertEquals((float) Math.log1p(fraud), f[3 + w], "fraud window " + w + " round " + round);
            }
        }
    }

    @Test
    void trimmingKeepsEveryHourAndTheWindowSums() {
        PopCounts c = new PopCounts();
        for (int h = 0; h < 800; h++) {
            c.add(h, 1 + h % 5, h % 97 == 0 ? 1 : 0);
        }
        c.evictBefore(400);
        int[] windows = {24, 168, 720};
        long[] tx = new long[3];
        long[] fraud = new long[3];
        c.windowSums(790, windows, tx, fraud);
        String before = c.toString();
        assertEquals(400, c.size);
        // 400 buckets of 2 bytes (delta 1, 1-5 transactions; the oldest kept 1 + 1, frauds 1 more byte each)
        int bytes = c.packedLength;
        assertEquals(true, bytes >= 800 && bytes < 820, "packed bytes: " + bytes);
        assertEquals(true, c.packed.length > bytes + 16, "grown past the kept hours: " + c.packed.length);
        assertEquals(true, c.trimToSize(8));
        assertEquals(bytes + 8 * 3, c.packed.length, "8 buckets of slack at the mean (rounded up: 3 bytes)");
        assertEquals(false, c.trimToSize(8), "already trimmed");
        assertEquals(before, c.toString());
        long[] tx2 = new long[3];
        long[] fraud2 = new long[3];
        c.windowSums(790, windows, tx2, fraud2);
        assertEquals(java.util.Arrays.toString(tx), java.util.Arrays.toString(tx2));
        assertEquals(java.util.Arrays.toString(fraud), java.util.Arrays.toString(fraud2));
        for (int h = 800; h < 900; h++) {
            c.add(h, 1, 0); // grows again after a trim
        }
        assertEquals(500, c.size);
        assertEquals(899, c.latestHour());
        c.trimToSize(0);
        assertEquals(c.packedLength, c.packed.length);
    }

    @Test
    void evictionKeepsTheNewestHoursAndCopiesAreDeep() {
        PopCounts c = new PopCounts();
        for (int h = 100; h > 0; h -= 3) {
            c.add(h, 1, 0);
        }
        c.add(50, 2, 1);
        c.evictBefore(60);
        int[] hours = c.toArrays()[0];
        assertEquals(61, hours[0], "oldest kept hour");
        for (int i = 1; i < c.size; i++) {
            assertEquals(true, hours[i] > hours[i - 1]);
        }
        assertEquals(100, c.latestHour());
        PopCounts copy = c.copy();
        copy.add(200, 1, 1);
        assertEquals(100, c.latestHour());
        assertEquals(200, copy.latestHour());
    }

    @Test
    void settleMustBeWholeHours() {
        assertEquals(1, PopFeatures.settleHours(Duration.ofHours(1)));
        assertEquals(0, PopFeatures.settleHours(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> PopFeatures.settleHours(Duration.ofMinutes(90)));
        assertThrows(IllegalArgumentException.class, () -> PopFeatures.settleHours(Duration.ofHours(-1)));
    }
}
