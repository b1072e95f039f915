package io.fraudstream.features.pop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The packed {@link PopCounts} against the three-{@code int}-array implementation it replaced ({@link Arrays3}, its
 * code as it was): the same buckets and bit-identical window sums after random sequences of adds (in and out of
 * order, counts up to {@link Integer#MAX_VALUE} and sums that wrap), evictions, trims and copies, and from the legacy
 * form a POJO restore leaves.
 */
class PopCountsPackedTest {

    /** The previous in-memory form, verbatim (add, evictBefore, windowSums, copy). */
    static final class Arrays3 {
        int[] hours = new int[4];
        int[] transactions = new int[4];
        int[] frauds = new int[4];
        int size;

        void add(int hour, int transactionCount, int fraudCount) {
            int i = size - 1;
            while (i >= 0 && hours[i] > hour) {
                i--;
            }
            if (i >= 0 && hours[i] == hour) {
                transactions[i] += transactionCount;
                frauds[i] += fraudCount;
                return;
            }
            if (size == hours.length) {
                int cap = size + Math.max(4, size >> 2);
                hours = Arrays.copyOf(hours, cap);
                transactions = Arrays.copyOf(transactions, cap);
                frauds = Arrays.copyOf(frauds, cap);
            }
            int at = i + 1;
            int tail = size - at;
            System.arraycopy(hours, at, hours, at + 1, tail);
            System.arraycopy(transactions, at, transactions, at + 1, tail);
            System.arraycopy(frauds, at, frauds, at + 1, tail);
            hours[at] = hour;
            transactions[at] = transactionCount;
            frauds[at] = fraudCount;
            size++;
        }

        void evictBefore(int hour) {
            int drop = 0;
            while (drop < size && hours[drop] < hour) {
                drop++;
            }
            if (drop > 0) {
                int keep = size - drop;
                System.arraycopy(hours, drop, hours, 0, keep);
                System.arraycopy(transactions, drop, transactions, 0, keep);
                System.arraycopy(frauds, drop, frauds, 0, keep);
                size = keep;
            }
        }

        int latestHour() {
            return size == 0 ? Integer.MIN_VALUE : hours[size - 1];
        }

        void windowSums(int horizon, int[] windows, long[] txOut, long[] fraudOut) {
            Arrays.fill(txOut, 0);
            Arrays.fill(fraudOut, 0);
            int i = size - 1;
            while (i >= 0 && hours[i] >= horizon) {
                i--;
            }
            long tx = 0;
            long fraud = 0;
            for (int w = 0; w < windows.length; w++) {
                int from = horizon - windows[w];
                while (i >= 0 && hours[i] >= from) {
                    tx += transactions[i];
                    fraud += frauds[i];
                    i--;
                }
                txOut[w] = tx;
                fraudOut[w] = fraud;
            }
        }

        Arrays3 copy() {
            Arrays3 c = new Arrays3();
            c.hours = Arrays.copyOf(hours, Math.max(size, 1));
            c.transactions = Arrays.copyOf(transactions, Math.max(size, 1));
            c.frauds = Arrays.copyOf(frauds, Math.max(size, 1));
            c.size = size;
            return c;
        }
    }

    private static int count(SplittableRandom r) {
        return switch (r.nextInt(10)) {
            case 0 -> 0;
            case 1 -> Integer.MAX_VALUE - r.nextInt(3); // sums of these wrap, in both forms
            case 2 -> 65_535 + r.nextInt(3);
            case 3 -> r.nextInt(Integer.MAX_VALUE);
            case 4 -> 60 + r.nextInt(10); // around the 1-byte limit of (tx << 1 | f)
            default -> 1 + r.nextInt(30);
        };
    }

    private static void assertSame(Arrays3 expected, PopCounts actual, SplittableRandom r, String what) {
        assertEquals(expected.size, actual.size, what + ": size");
        int[][] a = actual.toArrays();
        assertArrayEquals(Arrays.copyOf(expected.hours, expected.size), a[0], what + ": hours");
        assertArrayEquals(Arrays.copyOf(expected.transactions, expected.size), a[1], what + ": transactions");
        assertArrayEquals(Arrays.copyOf(expected.frauds, expected.size), a[2], what + ": frauds");
        assertEquals(expected.latestHour(), actual.latestHour(), what + ": latest hour");
        assertTrue(actual.packedLength <= actual.packed.length, what + ": length within the array");
        int[][] windowSets = {PopFeatures.WINDOW_HOURS, {1}, {0, 5, 5, 400}, {3, 48, 2_000, Integer.MAX_VALUE / 2}};
        int newest = expected.size == 0 ? 1_000 : expected.latestHour();
        int oldest = expected.size == 0 ? 1_000 : expected.hours[0];
        for (int k = 0; k < 6; k++) {
            int[] windows = windowSets[r.nextInt(windowSets.length)];
            int horizon = switch (r.nextInt(5)) {
                case 0 -> newest + 1 + r.nextInt(3);
                case 1 -> oldest - r.nextInt(3);
                case 2 -> newest;
                default -> oldest + r.nextInt(Math.max(1, newest - oldest + 2));
            };
            long[] tx = new long[windows.length];
            long[] fraud = new long[windows.length];
            long[] tx2 = new long[windows.length];
            long[] fraud2 = new long[windows.length];
            Arrays.fill(tx2, -7);
            Arrays.fill(fraud2, -7);
            expected.windowSums(horizon, windows, tx, fraud);
            actual.windowSums(horizon, windows, tx2, fraud2);
            assertArrayEquals(tx, tx2, what + ": transaction sums at " + horizon + " " + Arrays.toString(windows));
            assertArrayEquals(fraud, fraud2, what + ": fraud sums at " + horizon + " " + Arrays.toString(windows));
            // Both horizons in one walk: the same as two walks.
            int lagged = switch (r.nextInt(4)) {
                case 0 -> horizon;
                case 1 -> horizon - PopFeatures.RATIO_LAG_HOURS;
                case 2 -> horizon - 1 - r.nextInt(3);
                default -> (int) Math.max(Integer.MIN_VALUE, (long) horizon - r.nextInt(3_000));
            };
            long[] lagTx = new long[windows.length];
            long[] lagFraud = new long[windows.length];
            expected.windowSums(lagged, windows, lagTx, lagFraud);
            long[] tx3 = new long[windows.length];
            long[] fraud3 = new long[windows.length];
            long[] lagTx3 = new long[windows.length];
            long[] lagFraud3 = new long[windows.length];
            actual.windowSums(horizon, lagged, windows, tx3, fraud3, lagTx3, lagFraud3);
            String at = " at " + horizon + " and " + lagged + " " + Arrays.toString(windows);
            assertArrayEquals(tx, tx3, what + ": transaction sums" + at);
            assertArrayEquals(fraud, fraud3, what + ": fraud sums" + at);
            assertArrayEquals(lagTx, lagTx3, what + ": lagged transaction sums" + at);
            assertArrayEquals(lagFraud, lagFraud3, what + ": lagged fraud sums" + at);
        }
    }

    @Test
    void randomOperationsMatchTheIntArrays() {
        SplittableRandom r = new SplittableRandom(14);
        long inserts = 0;
        long evictions = 0;
        for (int run = 0; run < 400; run++) {
            Arrays3 expected = new Arrays3();
            PopCounts actual = new PopCounts();
            int base = switch (r.nextInt(4)) {
                case 0 -> Integer.MIN_VALUE + 10;
                case 1 -> -r.nextInt(1_000_000);
                case 2 -> Integer.MAX_VALUE - 5_000;
                default -> 490_000 + r.nextInt(10_000);
            };
            int now = base;
            int ops = 1 + r.nextInt(run % 10 == 0 ? 3_000 : 300);
            for (int op = 0; op < ops; op++) {
                int choice = r.nextInt(100);
                if (choice < 70) { // mostly the newest hour or the next ones
                    int step = r.nextInt(4) == 0 ? r.nextInt(200) : r.nextInt(2);
                    now = (int) Math.min(Integer.MAX_VALUE - 1, (long) now + step);
                    int hour = now;
                    int tx = count(r);
                    int fraud = r.nextInt(5) == 0 ? count(r) : 0;
                    expected.add(hour, tx, fraud);
                    actual.add(hour, tx, fraud);
                } else if (choice < 85) { // out of order: into the past, existing or new hours, before the oldest
                    int hour = (int) Math.max(Integer.MIN_VALUE, (long) now - r.nextInt(r.nextBoolean() ? 10 : 1_500));
                    int tx = count(r);
                    int fraud = r.nextInt(3) == 0 ? count(r) : 0;
                    expected.add(hour, tx, fraud);
                    actual.add(hour, tx, fraud);
                    inserts++;
                } else if (choice < 92) {
                    int back = r.nextInt(r.nextInt(20) == 0 ? 5 : 800);
                    int cutoff = (int) Math.max(Integer.MIN_VALUE, (long) now - back);
                    expected.evictBefore(cutoff);
                    actual.evictBefore(cutoff);
                    evictions++;
                } else if (choice < 96) {
                    assertEquals(actual.trimToSize(r.nextInt(3)) || true, true);
                } else {
                    PopCounts copy = actual.copy();
                    assertEquals(copy.packedLength, copy.packed.length, "a copy is trimmed");
                    Arrays3 expectedCopy = expected.copy();
                    assertSame(expectedCopy, copy, r, "copy");
                    actual.add(now, 1, 1); // the copy is deep: changing the original leaves it
                    assertSame(expectedCopy, copy, r, "copy after the original changed");
                    expected.add(now, 1, 1);
                    if (r.nextBoolean()) { // carry on with the copy
                        actual = copy;
                        expected = expectedCopy;
                    }
                }
                if (op % 17 == 0 || op == ops - 1) {
                    assertSame(expected, actual, r, "run " + run + " op " + op);
                }
            }
        }
        assertTrue(inserts > 1_000 && evictions > 500, inserts + " inserts, " + evictions + " evictions");
    }

    @Test
    void theLegacyFormOfAPojoRestoreIsRepackedOnFirstUse() {
        SplittableRandom r = new SplittableRandom(7);
        for (int run = 0; run < 50; run++) {
            Arrays3 expected = new Arrays3();
            int hour = 400_000 + r.nextInt(1_000);
            int n = r.nextInt(run % 5 == 0 ? 1 : 800);
            for (int i = 0; i < n; i++) {
                hour += r.nextInt(3) == 0 ? 1 + r.nextInt(100) : 1;
                expected.add(hour, count(r), r.nextInt(6) == 0 ? count(r) : 0);
            }
            // What Flink's POJO serializer leaves: a new instance, then the fields of the previous release set.
            PopCounts legacy = new PopCounts();
            legacy.hours = Arrays.copyOf(expected.hours, expected.hours.length); // at capacity, as they were written
            legacy.transactions = Arrays.copyOf(expected.transactions, expected.transactions.length);
            legacy.frauds = Arrays.copyOf(expected.frauds, expected.frauds.length);
            legacy.size = expected.size;
            switch (run % 4) { // any first use repacks
                case 0 -> assertEquals(expected.latestHour(), legacy.latestHour());
                case 1 -> legacy.windowSums(hour, PopFeatures.WINDOW_HOURS, new long[3], new long[3]);
                case 2 -> legacy.evictBefore(Integer.MIN_VALUE);
                default -> legacy = legacy.copy();
            }
            assertNull(legacy.hours);
            assertNull(legacy.transactions);
            assertNull(legacy.frauds);
            assertSame(expected, legacy, r, "legacy run " + run);
            expected.add(hour + 1, 3, 1);
            legacy.add(hour + 1, 3, 1);
            assertSame(expected, legacy, r, "legacy run " + run + " after an add");
        }
        // Java serialization of the legacy form (no constructor runs: packed is null) repacks too.
        PopCounts javaLegacy = new PopCounts();
        javaLegacy.packed = null;
        javaLegacy.hours = new int[] {10, 12, 0};
        javaLegacy.transactions = new int[] {1, 2, 0};
        javaLegacy.frauds = new int[] {0, 1, 0};
        javaLegacy.size = 2;
        assertEquals("PopCounts[10:1/0, 12:2/1]", javaLegacy.toString());
    }

    @Test
    void aBusyHourTakesTwoBytesAndTheFlagOneMore() {
        PopCounts c = new PopCounts();
        for (int h = 0; h < 745; h++) {
            c.add(1_000 + h, 1 + h % 30, 0);
        }
        assertEquals(745 * 2, c.packedLength);
        c.add(1_000 + 100, 0, 1); // a fraud: 1 byte of count
        assertEquals(745 * 2 + 1, c.packedLength);
        c.add(1_000 + 744, 100, 0); // 1 + 744 % 30 + 100 = 125 transactions: (125 << 1) takes 2 bytes
        assertEquals(745 * 2 + 2, c.packedLength);
        c.evictBefore(1_000 + 101); // the fraud's hour goes
        assertEquals(644 * 2 + 1, c.packedLength);
        assertEquals(1_000 + 101, c.toArrays()[0][0]);
        PopCounts exact = PopCounts.of(c.toArrays()[0], c.toArrays()[1], c.toArrays()[2], c.size);
        assertEquals(c.toString(), exact.toString());
        assertEquals(exact.packedLength, exact.packed.length);
        assertArrayEquals(Arrays.copyOf(c.packed, c.packedLength), exact.packed);
    }
}
