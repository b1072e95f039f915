package io.fraudstream.features.pop;

import java.util.Arrays;

/**
 * Hourly counts of one point of purchase (a merchant or a terminal): how many transactions it saw in
 * each hour of event time, and how many confirmed frauds were <i>reported</i> in each hour. Only hours
 * with activity are stored, in ascending order.
 *
 * <p><b>In memory: packed.</b> The buckets are varint records in one {@code byte[]} ({@link #packed}, its first
 * {@link #packedLength} bytes), oldest first; a busy hour takes 2 bytes instead of the 12 of three {@code int}
 * (docs/POINT_OF_PURCHASE.md, "Packed in memory"). Record of the bucket at hour {@code h} with {@code tx}
 * transactions and {@code fraud} frauds, {@code f = fraud != 0 ? 1 : 0}, varints unsigned LEB128:
 * <pre>
 * varint  (d &lt;&lt; 1) | f     d = h - the previous bucket's hour (0 for the oldest: its hour is {@link #oldest})
 * varint  fraud              only when f
 * varint  (tx &lt;&lt; 1) | f    tx as an unsigned 32-bit value
 * </pre>
 * The flag sits in the first and the last varint of a record, so records decode forwards (eviction of the oldest,
 * iteration) and backwards from {@link #newest} (the window sums, {@link #add} at or near the newest hour): an
 * LEB128 varint ends at the first byte below 0x80, so the byte before a varint's first byte is always below 0x80.
 * Counts keep {@code int} arithmetic (an overflowing sum wraps as it did in the arrays it replaces).
 *
 * <p><b>Legacy form.</b> {@link #hours}, {@link #transactions} and {@link #frauds} are the arrays of the releases
 * before the packed form (three {@code int} per bucket). They are null in the packed form; Flink's POJO serializer
 * sets them when it restores state of those releases (the broadcast state of a release before
 * {@code PopCountsSerializer}, the aggregator's pending counts), and every method first repacks such a value
 * (and nulls them). {@link #size} is the bucket count in both forms.
 *
 * <p>Also a Flink POJO (public fields, public no-argument constructor; the job keeps one per point of
 * purchase in broadcast state), which is why the fields are public. Not thread-safe: even the reading methods
 * repack a legacy value in place.
 */
public final class PopCounts implements java.io.Serializable {
    // 1 still: a Java-serialized value of the legacy form reads into the legacy fields (packed null) and is repacked.
    private static final long serialVersionUID = 1L;

    /** Legacy form only (see the class comment): hour index (epoch millis / 3,600,000) of entry i, ascending. */
    public int[] hours;
    /** Legacy form only. */
    public int[] transactions;
    /** Legacy form only. */
    public int[] frauds;
    /** The number of hourly buckets. */
    public int size;
    /** The records, oldest first, in the first {@link #packedLength} bytes (spare capacity after). */
    public byte[] packed;
    public int packedLength;
    /** Hour of the oldest and of the newest bucket (meaningless when {@code size == 0}). */
    public int oldest;
    public int newest;

    /** The largest record: two 5-byte varints of 33 bits and a 5-byte fraud count. */
    private static final int MAX_RECORD = 15;

    public PopCounts() {
        this(8);
    }

    PopCounts(int capacityBytes) {
        packed = new byte[capacityBytes];
    }

    /**
     * A value of the given buckets (hours strictly ascending, which is not checked), packed into exactly the bytes
     * they need: what a deserializer builds.
     */
    public static PopCounts of(int[] hours, int[] transactions, int[] frauds, int size) {
        int bytes = 0;
        int previous = 0;
        for (int i = 0; i < size; i++) {
            bytes += recordBytes(i == 0 ? 0 : (long) hours[i] - previous, transactions[i], frauds[i]);
            previous = hours[i];
        }
        PopCounts c = new PopCounts(bytes);
        previous = 0;
        for (int i = 0; i < size; i++) {
            c.packedLength = putRecord(c.packed, c.packedLength, i == 0 ? 0 : (long) hours[i] - previous,
                    transactions[i], frauds[i]);
            previous = hours[i];
        }
        if (size > 0) {
            c.oldest = hours[0];
            c.newest = hours[size - 1];
        }
        c.size = size;
        return c;
    }

    // ---- the legacy form ----

    /** Repacks a value in the legacy form (arrays set by a POJO restore); a no-op in the packed form. */
    private void unpackLegacy() {
        if (hours == null) {
            return;
        }
        int[] h = hours;
        int[] t = transactions;
        int[] f = frauds;
        int n = size;
        hours = null;
        transactions = null;
        frauds = null;
        size = 0;
        packedLength = 0;
        if (packed == null) {
            packed = new byte[8];
        }
        for (int i = 0; i < n; i++) {
            add(h[i], t[i], f[i]); // add, not append: keeps whatever order the arrays had, as the arrays' add did
        }
    }

    // ---- varints ----

    private static int varBytes(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    private static int recordBytes(long delta, int tx, int fraud) {
        int f = fraud != 0 ? 1 : 0;
        return varBytes((delta << 1) | f) + (f != 0 ? varBytes(fraud & 0xFFFF_FFFFL) : 0)
                + varBytes(((tx & 0xFFFF_FFFFL) << 1) | f);
    }

    private static int putVar(byte[] b, int at, long v) {
        while ((v & ~0x7FL) != 0) {
            b[at++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        b[at++] = (byte) v;
        return at;
    }

    /** Writes a record at {@code at}; returns the position after it. */
    private static int putRecord(byte[] b, int at, long delta, int tx, int fraud) {
        int f = fraud != 0 ? 1 : 0;
        at = putVar(b, at, (delta << 1) | f);
        if (f != 0) {
            at = putVar(b, at, fraud & 0xFFFF_FFFFL);
        }
        return putVar(b, at, ((tx & 0xFFFF_FFFFL) << 1) | f);
    }

    /** Start of the varint that ends just before {@code end}. */
    private static int varStart(byte[] b, int end) {
        int p = end - 1;
        while (p > 0 && b[p - 1] < 0) {
            p--;
        }
        return p;
    }

    /** The varint at {@code at} (which must hold one). */
    private static long getVar(byte[] b, int at) {
        long v = 0;
        int shift = 0;
        byte x;
        do {
            x = b[at++];
            v |= (long) (x & 0x7F) << shift;
            shift += 7;
        } while (x < 0);
        return v;
    }

    private static int skipVar(byte[] b, int at) {
        while (b[at++] < 0) {
            // continuation byte
        }
        return at;
    }

    /**
     * One record decoded backwards from its end: fills {@code r} with its start, hour delta, transactions and frauds.
     */
    private static void recordBefore(byte[] b, int end, long[] r) {
        int p = varStart(b, end);
        long last = getVar(b, p);
        long fraud = 0;
        if ((last & 1) != 0) {
            int q = varStart(b, p);
            fraud = getVar(b, q);
            p = q;
        }
        int q = varStart(b, p);
        r[0] = q;
        r[1] = getVar(b, q) >>> 1;
        r[2] = last >>> 1;
        r[3] = fraud;
    }

    /** Makes room for {@code extra} more bytes. */
    private void ensureCapacity(int extra) {
        int need = packedLength + extra;
        if (need > packed.length) {
            // x1.125: a busy point of purchase settles near 1,500 bytes, and each spare byte is heap; the daily trim
            // takes the rest.
            packed = Arrays.copyOf(packed, Math.max(need, packedLength + Math.max(16, packedLength >> 3)));
        }
    }

    /** Replaces the bytes [{@code from}, {@code to}) with {@code len} bytes of {@code with}. */
    private void splice(int from, int to, byte[] with, int len) {
        int grow = len - (to - from);
        if (grow > 0) {
            ensureCapacity(grow);
        }
        System.arraycopy(packed, to, packed, to + grow, packedLength - to);
        System.arraycopy(with, 0, packed, from, len);
        packedLength += grow;
    }

    /** Appends a bucket newer than every other (or the first). */
    private void append(int hour, int tx, int fraud) {
        long delta = size == 0 ? 0 : (long) hour - newest;
        if (packed.length - packedLength < MAX_RECORD) {
            ensureCapacity(recordBytes(delta, tx, fraud));
        }
        packedLength = putRecord(packed, packedLength, delta, tx, fraud);
        if (size == 0) {
            oldest = hour;
        }
        newest = hour;
        size++;
    }

    // ---- the operations ----

    /** Adds counts to an hour; hours usually arrive in order, so the search starts at the newest. */
    public void add(int hour, int transactionCount, int fraudCount) {
        unpackLegacy();
        if (size == 0 || hour > newest) {
            append(hour, transactionCount, fraudCount);
            return;
        }
        byte[] b = packed;
        long[] r = new long[4];
        byte[] scratch = new byte[2 * MAX_RECORD];
        int end = packedLength;
        int h = newest;
        int i = size - 1;
        while (true) {
            recordBefore(b, end, r);
            int start = (int) r[0];
            if (h == hour) { // the hour exists: new counts, same delta
                int len = putRecord(scratch, 0, i == 0 ? 0 : r[1], (int) r[2] + transactionCount,
                        (int) r[3] + fraudCount);
                splice(start, end, scratch, len);
                return;
            }
            int older = i == 0 ? Integer.MIN_VALUE : (int) (h - r[1]);
            if (i == 0 || older < hour) {
                // A new bucket between `older` (or before the oldest) and h: its record, then h's with its new delta.
                int len;
                if (i == 0) {
                    len = putRecord(scratch, 0, 0, transactionCount, fraudCount);
                    oldest = hour;
                } else {
                    len = putRecord(scratch, 0, (long) hour - older, transactionCount, fraudCount);
                }
                len = putRecord(scratch, len, (long) h - hour, (int) r[2], (int) r[3]);
                splice(start, end, scratch, len);
                size++;
                return;
            }
            end = start;
            h = older;
            i--;
        }
    }

    /** Forgets every hour before {@code hour}. */
    public void evictBefore(int hour) {
        unpackLegacy();
        if (size == 0 || oldest >= hour) {
            return;
        }
        byte[] b = packed;
        int p = 0;
        int h = oldest;
        int drop = 0;
        while (true) {
            if (drop == size) { // everything goes
                size = 0;
                packedLength = 0;
                return;
            }
            int start = p;
            long first = getVar(b, p);
            int afterFirst = skipVar(b, p);
            if (drop > 0) {
                h += (int) (first >>> 1);
            }
            if (h >= hour) {
                // The new oldest record: its delta becomes 0 (one byte, written just before the rest of the record).
                int at = afterFirst - 1;
                b[at] = (byte) (first & 1);
                System.arraycopy(b, at, b, 0, packedLength - at);
                packedLength -= at;
                size -= drop;
                oldest = h;
                return;
            }
            p = afterFirst;
            if ((first & 1) != 0) {
                p = skipVar(b, p);
            }
            p = skipVar(b, p);
            drop++;
        }
    }

    /**
     * Shrinks the packed bytes to their length plus {@code slack} buckets (at this value's mean bytes per bucket)
     * when they hold more (a point of purchase whose activity fell, or one grown mid-day). Contents are unchanged.
     * Returns whether the array was replaced.
     */
    public boolean trimToSize(int slack) {
        if (slack < 0) {
            throw new IllegalArgumentException("slack must be >= 0, was " + slack);
        }
        unpackLegacy();
        long perBucket = size == 0 ? 0 : (packedLength + size - 1) / size;
        int cap = (int) Math.min(Integer.MAX_VALUE - 8, packedLength + slack * perBucket);
        if (packed.length <= cap) {
            return false;
        }
        packed = Arrays.copyOf(packed, cap);
        return true;
    }

    /** The newest hour with activity, or {@link Integer#MIN_VALUE} when empty. */
    public int latestHour() {
        unpackLegacy();
        return size == 0 ? Integer.MIN_VALUE : newest;
    }

    /**
     * Sums over the hours [{@code horizon - windows[w]}, {@code horizon}) for each window, into
     * {@code txOut[w]} and {@code fraudOut[w]}. {@code windows} must be ascending.
     */
    void windowSums(int horizon, int[] windows, long[] txOut, long[] fraudOut) {
        unpackLegacy();
        Arrays.fill(txOut, 0);
        Arrays.fill(fraudOut, 0);
        byte[] b = packed;
        int end = packedLength;
        long h = newest; // long: stepping below the oldest bucket must not wrap
        int left = size;
        long tx = 0;
        long fraud = 0;
        int w = 0;
        int from = horizon - windows[0]; // int, wrapping as the arrays' walk did
        while (left > 0) {
            // Backwards: (tx << 1 | f), then the fraud count when f, then (delta << 1 | f).
            int p = end - 1;
            long last = b[p];
            if (p > 0 && b[p - 1] < 0) {
                p = varStart(b, end);
                last = getVar(b, p);
            }
            long f = 0;
            if ((last & 1) != 0) {
                int q = varStart(b, p);
                f = (int) getVar(b, q);
                p = q;
            }
            int q = p - 1;
            long first = b[q];
            if (q > 0 && b[q - 1] < 0) {
                q = varStart(b, p);
                first = getVar(b, q);
            }
            if (h < horizon) {
                while (h < from) {
                    txOut[w] = tx;
                    fraudOut[w] = fraud;
                    if (++w == windows.length) {
                        return;
                    }
                    from = horizon - windows[w];
                }
                tx += (int) (last >>> 1);
                fraud += (int) f;
            }
            h -= first >>> 1;
            end = q;
            left--;
        }
        for (; w < windows.length; w++) {
            txOut[w] = tx;
            fraudOut[w] = fraud;
        }
    }

    /**
     * {@link #windowSums} at two horizons in one walk: at {@code horizon} into {@code txOut}/{@code fraudOut}, and at
     * {@code lagged} (any hour; {@link PopFeatures} passes {@code horizon} minus the ratio lag) into
     * {@code laggedTxOut}/{@code laggedFraudOut}: the same sums as two calls, each record decoded once
     * ({@link PopFeatures} reads the windows and the lagged windows of the ratios).
     */
    void windowSums(int horizon, int lagged, int[] windows, long[] txOut, long[] fraudOut, long[] laggedTxOut,
            long[] laggedFraudOut) {
        unpackLegacy();
        int n = windows.length;
        if (n == 0) {
            return;
        }
        boolean plain = n > 0 && lagged <= horizon && windows[0] >= 0
                && (long) lagged - windows[n - 1] >= Integer.MIN_VALUE;
        for (int i = 1; plain && i < n; i++) {
            plain = windows[i] >= windows[i - 1];
        }
        if (plain) {
            cutSums(horizon, lagged, windows, txOut, fraudOut, laggedTxOut, laggedFraudOut);
        } else {
            twoWalkSums(horizon, lagged, windows, txOut, fraudOut, laggedTxOut, laggedFraudOut);
        }
    }

    /**
     * The common case of {@link #windowSums(int, int, int[], long[], long[], long[], long[])}: ascending windows,
     * {@code lagged <= horizon}, no window bound below {@link Integer#MIN_VALUE}. One running sum from the horizon
     * back; each window's sum is read where the walk crosses its lower bound (a lagged window's as the difference
     * from the sum at the lagged horizon), so a record costs its decode and one comparison.
     */
    private void cutSums(int horizon, int lagged, int[] windows, long[] txOut, long[] fraudOut, long[] laggedTxOut,
            long[] laggedFraudOut) {
        int n = windows.length;
        byte[] b = packed;
        int end = packedLength;
        long h = newest;
        int left = size;
        long tx = 0;
        long fraud = 0;
        int w = 0;
        int from = horizon - windows[0];
        boolean inLagged = false;
        long baseTx = 0;
        long baseFraud = 0;
        int lw = 0;
        int lFrom = lagged - windows[0];
        long next = Math.max(from, lagged); // the highest bound not yet crossed
        while (left > 0) {
            int p = end - 1;
            long last = b[p];
            if (p > 0 && b[p - 1] < 0) {
                p = varStart(b, end);
                last = getVar(b, p);
            }
            long f = 0;
            if ((last & 1) != 0) {
                int q = varStart(b, p);
                f = (int) getVar(b, q);
                p = q;
            }
            int q = p - 1;
            long first = b[q];
            if (q > 0 && b[q - 1] < 0) {
                q = varStart(b, p);
                first = getVar(b, q);
            }
            if (h < horizon) {
                if (h < next) {
                    while (true) { // every bound above h, highest first (equal bounds in any order: same sums)
                        if (w < n && h < from) {
                            txOut[w] = tx;
                            fraudOut[w] = fraud;
                            if (++w < n) {
                                from = horizon - windows[w];
                            }
                        } else if (!inLagged && h < lagged) {
                            inLagged = true;
                            baseTx = tx;
                            baseFraud = fraud;
                        } else if (inLagged && lw < n && h < lFrom) {
                            laggedTxOut[lw] = tx - baseTx;
                            laggedFraudOut[lw] = fraud - baseFraud;
                            if (++lw < n) {
                                lFrom = lagged - windows[lw];
                            }
                        } else {
                            break;
                        }
                    }
                    if (w == n && lw == n) {
                        return;
                    }
                    next = Math.max(w < n ? from : Long.MIN_VALUE,
                            !inLagged ? lagged : lw < n ? lFrom : Long.MIN_VALUE);
                }
                tx += (int) (last >>> 1);
                fraud += (int) f;
            }
            h -= first >>> 1;
            end = q;
            left--;
        }
        for (; w < n; w++) {
            txOut[w] = tx;
            fraudOut[w] = fraud;
        }
        if (!inLagged) {
            baseTx = tx;
            baseFraud = fraud;
        }
        for (; lw < n; lw++) {
            laggedTxOut[lw] = tx - baseTx;
            laggedFraudOut[lw] = fraud - baseFraud;
        }
    }

    /** {@link #windowSums(int, int, int[], long[], long[], long[], long[])} in general: two walks in one loop. */
    private void twoWalkSums(int horizon, int lagged, int[] windows, long[] txOut, long[] fraudOut,
            long[] laggedTxOut, long[] laggedFraudOut) {
        Arrays.fill(txOut, 0);
        Arrays.fill(fraudOut, 0);
        Arrays.fill(laggedTxOut, 0);
        Arrays.fill(laggedFraudOut, 0);
        byte[] b = packed;
        int end = packedLength;
        long h = newest;
        int left = size;
        int n = windows.length;
        long tx = 0;
        long fraud = 0;
        int w = 0;
        int from = horizon - windows[0]; // int, wrapping as the arrays' walk did
        long lTx = 0;
        long lFraud = 0;
        int lw = 0;
        int lFrom = lagged - windows[0];
        while (left > 0) {
            int p = end - 1;
            long last = b[p];
            if (p > 0 && b[p - 1] < 0) {
                p = varStart(b, end);
                last = getVar(b, p);
            }
            long f = 0;
            if ((last & 1) != 0) {
                int q = varStart(b, p);
                f = (int) getVar(b, q);
                p = q;
            }
            int q = p - 1;
            long first = b[q];
            if (q > 0 && b[q - 1] < 0) {
                q = varStart(b, p);
                first = getVar(b, q);
            }
            int t = (int) (last >>> 1);
            if (h < horizon && w < n) {
                while (h < from) {
                    txOut[w] = tx;
                    fraudOut[w] = fraud;
                    if (++w == n) {
                        break;
                    }
                    from = horizon - windows[w];
                }
                if (w < n) {
                    tx += t;
                    fraud += f;
                } else if (lw == n) {
                    return;
                }
            }
            if (h < lagged && lw < n) {
                while (h < lFrom) {
                    laggedTxOut[lw] = lTx;
                    laggedFraudOut[lw] = lFraud;
                    if (++lw == n) {
                        break;
                    }
                    lFrom = lagged - windows[lw];
                }
                if (lw < n) {
                    lTx += t;
                    lFraud += f;
                } else if (w == n) {
                    return;
                }
            }
            h -= first >>> 1;
            end = q;
            left--;
        }
        for (; w < n; w++) {
            txOut[w] = tx;
            fraudOut[w] = fraud;
        }
        for (; lw < n; lw++) {
            laggedTxOut[lw] = lTx;
            laggedFraudOut[lw] = lFraud;
        }
    }

    /** A deep copy, its bytes trimmed to their length (broadcast state values must not be shared). */
    public PopCounts copy() {
        unpackLegacy();
        PopCounts c = new PopCounts(0);
        c.packed = Arrays.copyOf(packed, packedLength);
        c.packedLength = packedLength;
        c.size = size;
        c.oldest = oldest;
        c.newest = newest;
        return c;
    }

    /** Receives the buckets, oldest first. */
    @FunctionalInterface
    public interface BucketVisitor<E extends Exception> {
        void bucket(int hour, int transactions, int frauds) throws E;
    }

    /** Every bucket, oldest first. */
    public <E extends Exception> void forEachBucket(BucketVisitor<E> visitor) throws E {
        unpackLegacy();
        byte[] b = packed;
        int p = 0;
        int h = oldest;
        for (int i = 0; i < size; i++) {
            long first = getVar(b, p);
            p = skipVar(b, p);
            if (i > 0) {
                h += (int) (first >>> 1);
            }
            int fraud = 0;
            if ((first & 1) != 0) {
                fraud = (int) getVar(b, p);
                p = skipVar(b, p);
            }
            int tx = (int) (getVar(b, p) >>> 1);
            p = skipVar(b, p);
            visitor.bucket(h, tx, fraud);
        }
    }

    /** The buckets as three arrays of exactly {@link #size} entries: hours, transactions, frauds (tests, tools). */
    public int[][] toArrays() {
        int[][] out = new int[3][size];
        int[] i = {0};
        forEachBucket((h, t, f) -> {
            out[0][i[0]] = h;
            out[1][i[0]] = t;
            out[2][i[0]] = f;
            i[0]++;
        });
        return out;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("PopCounts[");
        forEachBucket((h, t, f) -> s.append(s.length() == 10 ? "" : ", ").append(h).append(':').append(t).append('/')
                .append(f));
        return s.append(']').toString();
    }
}
