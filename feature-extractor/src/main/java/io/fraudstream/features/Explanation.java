package io.fraudstream.features;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one extraction looked at: the m most-attended past transactions (weights averaged over heads,
 * descending) and the direct facts an analyst reads first. A reusable mutable holder, filled by
 * {@link FeatureExtractor#extract}; not thread-safe. Unknown facts are NaN (this is for people, not the
 * model: features never contain NaN).
 */
public final class Explanation {
    private final int capacity;
    /** The attended entries' ids, packed as the history holds them ({@link TxIds}); formatted when read. */
    private final byte[] idKinds;
    private final long[] idHis;
    private final long[] idLos;
    private final String[] idTexts;
    private final long[] times;
    private final float[] weights;
    private int count;
    private boolean hasPrevious;
    private double secondsSincePrevious = Double.NaN;
    private double kmFromPrevious = Double.NaN;
    private double speedKmhFromPrevious = Double.NaN;
    private double kmFromHome = Double.NaN;

    /** Holds up to {@code topM} attended transactions. */
    public Explanation(int topM) {
        if (topM < 0) {
            throw new IllegalArgumentException("topM must be >= 0, was " + topM);
        }
        this.capacity = topM;
        this.idKinds = new byte[topM];
        this.idHis = new long[topM];
        this.idLos = new long[topM];
        this.idTexts = new String[topM];
        this.times = new long[topM];
        this.weights = new float[topM];
    }

    public Explanation(ExtractorConfig config) {
        this(config.explainTop());
    }

    /** One attended past transaction. */
    public record Attended(String transactionId, long eventTimeMillis, float weight) {}

    public int capacity() { return capacity; }
    public int size() { return count; }
    public String transactionIdAt(int i) {
        check(i);
        byte k = idKinds[i];
        return k == TxIds.TEXT_KIND ? idTexts[i] : TxIds.text(idHis[i], idLos[i], k);
    }
    public long eventTimeAt(int i) { check(i); return times[i]; }
    public float weightAt(int i) { check(i); return weights[i]; }
    public boolean hasPrevious() { return hasPrevious; }
    /** Seconds since the previous transaction of the card, NaN when there is none. */
    public double secondsSincePrevious() { return secondsSincePrevious; }
    /** Great-circle km from the previous transaction's merchant, NaN when either location is unknown. */
    public double kmFromPrevious() { return kmFromPrevious; }
    /** km/h implied by the above (time floored at one minute), NaN when unknown. */
    public double speedKmhFromPrevious() { return speedKmhFromPrevious; }
    /** Great-circle km from the card's home, NaN when unknown. */
    public double kmFromHome() { return kmFromHome; }

    /** Copies the attended transactions out (allocates: meant for alerts only). */
    public List<Attended> topAttended() {
        List<Attended> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new Attended(transactionIdAt(i), times[i], weights[i]));
        }
        return Collections.unmodifiableList(out);
    }

    private void check(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("index " + i + ", size " + count);
        }
    }

    void clear() {
        count = 0;
        hasPrevious = false;
        secondsSincePrevious = Double.NaN;
        kmFromPrevious = Double.NaN;
        speedKmhFromPrevious = Double.NaN;
        kmFromHome = Double.NaN;
    }

    /** Whether {@link #offer} would keep an entry of this weight. */
    boolean accepts(float weight) {
        return capacity != 0 && (count < capacity || weight > weights[count - 1]);
    }

    /**
     * Offers an attended transaction; keeps the top {@code capacity} by weight (ties: first offered wins): the entry
     * in physical slot {@code slot} of {@code h}. Its id is copied in packed form (primitives; a
     * string only for ids of neither packed form), so offering costs no formatting and the explanation stays valid
     * after the history changes.
     */
    void offer(CardHistory h, int slot, long time, float weight) {
        if (!accepts(weight)) {
            return;
        }
        int i = count == capacity ? count - 1 : count++;
        while (i > 0 && weights[i - 1] < weight) {
            idKinds[i] = idKinds[i - 1];
            idHis[i] = idHis[i - 1];
            idLos[i] = idLos[i - 1];
            idTexts[i] = idTexts[i - 1];
            times[i] = times[i - 1];
            weights[i] = weights[i - 1];
            i--;
        }
        idKinds[i] = h.idKind[slot];
        idHis[i] = h.idHi[slot];
        idLos[i] = h.idLo[slot];
        idTexts[i] = h.textAt(slot);
        times[i] = time;
        weights[i] = weight;
    }

    void setFacts(boolean hasPrev, double secs, double kmPrev, double speed, double kmHome) {
        this.hasPrevious = hasPrev;
        this.secondsSincePrevious = secs;
        this.kmFromPrevious = kmPrev;
        this.speedKmhFromPrevious = speed;
        this.kmFromHome = kmHome;
    }
}
