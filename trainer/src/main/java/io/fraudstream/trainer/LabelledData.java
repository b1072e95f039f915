package io.fraudstream.trainer;

import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.features.pop.PopTable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Labelled history grouped into per-card sequences, each in the order the job would have scored it:
 * event time, then transaction id (the order {@code CardHistory} keeps). Cards are ordered by id, so the
 * same input always gives the same sequences, whatever order the source listed them in. Immutable.
 */
public final class LabelledData {
    /** The order a card's transactions are processed in: (event time, transaction id). */
    public static final Comparator<LabelledTransaction> CARD_ORDER = Comparator
            .comparingLong(LabelledTransaction::time)
            .thenComparing(t -> t.tx().transactionId());

    private final String source;
    private final List<List<LabelledTransaction>> cards;
    private final int size;
    private final int frauds;
    private final long minTime;
    private final long maxTime;
    /** Point-of-purchase counts when the model is to use them; null otherwise. */
    private final PopTable pointOfPurchase;

    private LabelledData(String source, List<List<LabelledTransaction>> cards, PopTable pointOfPurchase) {
        this.source = source;
        this.cards = cards;
        this.pointOfPurchase = pointOfPurchase;
        int n = 0;
        int f = 0;
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (List<LabelledTransaction> card : cards) {
            for (LabelledTransaction t : card) {
                n++;
                f += t.fraud() ? 1 : 0;
                lo = Math.min(lo, t.time());
                hi = Math.max(hi, t.time());
            }
        }
        this.size = n;
        this.frauds = f;
        this.minTime = lo;
        this.maxTime = hi;
    }

    /** Groups {@code transactions} by card and sorts each card's sequence into {@link #CARD_ORDER}. */
    public static LabelledData of(String source, Iterable<LabelledTransaction> transactions) {
        Objects.requireNonNull(source, "source");
        Map<String, List<LabelledTransaction>> byCard = new TreeMap<>();
        for (LabelledTransaction t : transactions) {
            byCard.computeIfAbsent(t.cardId(), k -> new ArrayList<>()).add(t);
        }
        List<List<LabelledTransaction>> cards = new ArrayList<>(byCard.size());
        for (List<LabelledTransaction> card : byCard.values()) {
            card.sort(CARD_ORDER);
            cards.add(Collections.unmodifiableList(card));
        }
        return new LabelledData(source, Collections.unmodifiableList(cards), null);
    }

    /**
     * The same data with point-of-purchase features on: every transaction counted at its merchant and terminal,
     * every fraud counted from its label's reported time ({@code labelDelay} after the transaction where the
     * source does not say). See {@link PopFeatures} for the point-in-time rule.
     */
    public LabelledData withPointOfPurchase(java.time.Duration labelDelay) {
        PopTable table = new PopTable();
        for (List<LabelledTransaction> card : cards) {
            for (LabelledTransaction t : card) {
                table.addTransaction(t.tx().merchantId(), t.terminalId(), t.time());
                if (t.fraud()) {
                    long reported = t.labelReportedAt() != LabelledTransaction.UNKNOWN_REPORT_TIME
                            ? t.labelReportedAt() : t.time() + labelDelay.toMillis();
                    table.addFraudLabel(t.tx().merchantId(), t.terminalId(), reported);
                }
            }
        }
        return new LabelledData(source + ", point-of-purchase features (label delay " + labelDelay + ")", cards,
                table);
    }

    /** Point-of-purchase counts, or null when the model does not use them. */
    public PopTable pointOfPurchase() { return pointOfPurchase; }

    /** Where the data came from (file, simulator settings); goes into the bundle's data range. */
    public String source() { return source; }
    /** Per-card sequences, cards ordered by id, each in {@link #CARD_ORDER}. */
    public List<List<LabelledTransaction>> cards() { return cards; }
    public int size() { return size; }
    public int frauds() { return frauds; }
    public boolean isEmpty() { return size == 0; }
    /** Earliest event time (UTC ms); {@code Long.MAX_VALUE} when empty. */
    public long minTime() { return minTime; }
    /** Latest event time (UTC ms); {@code Long.MIN_VALUE} when empty. */
    public long maxTime() { return maxTime; }

    /** Counts per {@link TimeSplit.Segment}, for logs and reports. */
    public Map<TimeSplit.Segment, int[]> countBySegment(TimeSplit split) {
        Map<TimeSplit.Segment, int[]> out = new LinkedHashMap<>();
        for (TimeSplit.Segment s : TimeSplit.Segment.values()) {
            out.put(s, new int[2]);
        }
        for (List<LabelledTransaction> card : cards) {
            for (LabelledTransaction t : card) {
                int[] c = out.get(split.segmentOf(t.time()));
                c[0]++;
                c[1] += t.fraud() ? 1 : 0;
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "LabelledData{" + source + ", " + cards.size() + " cards, " + size + " transactions, " + frauds
                + " fraud}";
    }
}
