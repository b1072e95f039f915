package io.fraudstream.features.pop;

import java.util.Arrays;

/**
 * Hourly counts of one point of purchase (a merchant or a terminal): how many transactions it saw in
 * each hour of event time, and how many confirmed frauds were <i>reported</i> in each hour. Only hours
 * with activity are stored, in ascending order.
 *
 * <p>Also a Flink POJO (public fields, public no-argument constructor; the job keeps one per point of
 * purchase in broadcast state), which is why the arrays are public. Not thread-safe.
 */
public final class PopCounts implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Hour index (epoch millis / 3,600,000) of entry i, ascending, for i in [0, size). */
    public int[] hours;
    public int[] transactions;
    public int[] frauds;
    public int size;

    public PopCounts() {
        this(4);
    }

    PopCounts(int capacity) {
        hours = new int[capacity];
        transactions = new int[capacity];
        frauds = new int[capacity];
    }

    /** Adds counts to an hour; hours usually arrive in order, so the search starts at the end. */
    public void add(int hour, int transactionCount, int fraudCount) {
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
            // x1.25, not x2: a busy point of purchase settles near 745 hours, which doubling would hold in 1,024
            // slots (every slot is memory and, in the job, checkpoint bytes); the daily trim takes the rest.
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

    /** Forgets every hour before {@code hour}. */
    public void evictBefore(int hour) {
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

    /**
     * Shrinks the arrays to {@code size + slack} entries when they hold more (a point of purchase whose activity fell,
     * or one grown mid-day). Contents are unchanged. Returns whether the arrays were replaced.
     */
    public boolean trimToSize(int slack) {
        if (slack < 0) {
            throw new IllegalArgumentException("slack must be >= 0, was " + slack);
        }
        int cap = size + slack;
        if (hours.length <= cap) {
            return false;
        }
        hours = Arrays.copyOf(hours, cap);
        transactions = Arrays.copyOf(transactions, cap);
        frauds = Arrays.copyOf(frauds, cap);
        return true;
    }

    /** The newest hour with activity, or {@link Integer#MIN_VALUE} when empty. */
    public int latestHour() {
        return size == 0 ? Integer.MIN_VALUE : hours[size - 1];
    }

    /**
     * Sums over the hours [{@code horizon - windows[w]}, {@code horizon}) for each window, into
     * {@code txOut[w]} and {@code fraudOut[w]}. {@code windows} must be ascending.
     */
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

    /** A deep copy (broadcast state values must not be shared between keys or snapshots). */
    public PopCounts copy() {
        PopCounts c = new PopCounts(0);
        c.hours = Arrays.copyOf(hours, size);
        c.transactions = Arrays.copyOf(transactions, size);
        c.frauds = Arrays.copyOf(frauds, size);
        c.size = size;
        return c;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("PopCounts[");
        for (int i = 0; i < size; i++) {
            s.append(i == 0 ? "" : ", ").append(hours[i]).append(':').append(transactions[i]).append('/').append(frauds[i]);
        }
        return s.append(']').toString();
    }
}
