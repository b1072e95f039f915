package io.fraudstream.features.pop;

import java.util.HashMap;
import java.util.Map;

/**
 * Every point of purchase's hourly counts over a whole bounded history, for the trainer and for bounded
 * replay. Because {@link PopFeatures} only ever reads hours before a transaction's horizon, one table
 * built from <i>all</i> transactions and labels gives each transaction exactly what the live job would
 * have known at its event time — no look-ahead, and independent of the order the table was built in.
 *
 * <p>Not thread-safe while being built; {@link #features} only reads and may be called from many
 * threads (each with its own scratch) once building is done.
 */
public final class PopTable implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, PopCounts> counts = new HashMap<>();
    private long transactions;
    private long frauds;

    /** Counts one transaction at its merchant and terminal (either may be null). */
    public void addTransaction(String merchantId, String terminalId, long eventTimeMillis) {
        int hour = PopFeatures.hourOf(eventTimeMillis);
        add(PopFeatures.merchantKey(merchantId), hour, 1, 0);
        add(PopFeatures.terminalKey(terminalId), hour, 1, 0);
        transactions++;
    }

    /** Counts one confirmed fraud, visible from the hour it was reported in. */
    public void addFraudLabel(String merchantId, String terminalId, long reportedAtMillis) {
        int hour = PopFeatures.hourOf(reportedAtMillis);
        add(PopFeatures.merchantKey(merchantId), hour, 0, 1);
        add(PopFeatures.terminalKey(terminalId), hour, 0, 1);
        frauds++;
    }

    private void add(String key, int hour, int tx, int fraud) {
        if (key != null) {
            counts.computeIfAbsent(key, k -> new PopCounts()).add(hour, tx, fraud);
        }
    }

    /** The counts of a state key ({@link PopFeatures#merchantKey}, {@link PopFeatures#terminalKey}), or null. */
    public PopCounts get(String key) {
        return key == null ? null : counts.get(key);
    }

    public void features(String merchantId, String terminalId, long eventTimeMillis, int settleHours,
            PopFeatures.Scratch scratch, float[] out, int offset) {
        PopFeatures.compute(get(PopFeatures.merchantKey(merchantId)), get(PopFeatures.terminalKey(terminalId)),
                eventTimeMillis, settleHours, scratch, out, offset);
    }

    /** All keys with their counts (read-only use). */
    public Map<String, PopCounts> entries() {
        return java.util.Collections.unmodifiableMap(counts);
    }

    public long transactions() { return transactions; }
    public long frauds() { return frauds; }
    public int pointsOfPurchase() { return counts.size(); }
}
