package io.fraudstream.job.scoring;

import io.fraudstream.features.CardHistory;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded, least-recently-used set of card histories kept deserialized (with their K/V caches) in
 * front of RocksDB state, so a hot card is not deserialized and its K/V cache not recomputed on every
 * transaction. Write-through: the state stays the source of truth for checkpoints and restores, and
 * only this subtask writes its keys, so a cached history always equals the stored one.
 *
 * <p>Only for RocksDB. With the heap backend the state already holds live objects, and reusing them
 * outside {@code ValueState#value()} would bypass the copy-on-write protection of running snapshots.
 * The budget counts stored transactions (a full 1024-entry history with d = 32 holds about 300 KB).
 */
final class HistoryCache {

    private static final class Entry {
        final CardHistory history;
        int counted;

        Entry(CardHistory history) {
            this.history = history;
        }
    }

    private final long budget;
    private long held;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(1024, 0.75f, true);

    HistoryCache(long budgetTransactions) {
        this.budget = budgetTransactions;
    }

    CardHistory get(String card) {
        Entry e = entries.get(card);
        return e == null ? null : e.history;
    }

    /** Records (or refreshes) a card's history after it was written to state. */
    void put(String card, CardHistory history) {
        Entry e = entries.get(card);
        if (e == null || e.history != history) {
            if (e != null) {
                held -= e.counted;
            }
            e = new Entry(history);
            entries.put(card, e);
        }
        held += history.size() - e.counted;
        e.counted = history.size();
        Iterator<Map.Entry<String, Entry>> eldest = entries.entrySet().iterator();
        while (held > budget && eldest.hasNext()) {
            Map.Entry<String, Entry> victim = eldest.next();
            if (victim.getValue() == e) {
                break; // never evict the card being scored
            }
            held -= victim.getValue().counted;
            eldest.remove();
        }
    }

    void remove(String card) {
        Entry e = entries.remove(card);
        if (e != null) {
            held -= e.counted;
        }
    }

    int cards() {
        return entries.size();
    }

    long transactions() {
        return held;
    }
}
