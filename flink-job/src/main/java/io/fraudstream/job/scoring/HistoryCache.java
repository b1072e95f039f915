package io.fraudstream.job.scoring;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded, least-recently-used set of deserialized card histories (with their token columns) in front of the card
 * state, so a hot card is neither read from its chunks nor has its tokens derived on every transaction. Write-through:
 * the state stays the source of truth for checkpoints and restores, and only this subtask writes its keys, so a
 * cached card always equals the stored one. The cached objects are never state objects (the state holds chunks),
 * so the cache is safe with every state backend. The budget is in (estimated) bytes of heap.
 */
final class HistoryCache<V> {

    private static final class Entry<V> {
        final V value;
        long weight;

        Entry(V value) {
            this.value = value;
        }
    }

    private long budget;
    private long held;
    private long hits;
    private long misses;
    private final LinkedHashMap<String, Entry<V>> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private final java.util.function.BiConsumer<String, V> onEvict;

    HistoryCache(long budgetBytes) {
        this(budgetBytes, (card, value) -> { });
    }

    /** {@code onEvict}: told of every card dropped to stay within the budget (not of {@link #remove}). */
    HistoryCache(long budgetBytes, java.util.function.BiConsumer<String, V> onEvict) {
        this.budget = budgetBytes;
        this.onEvict = onEvict;
    }

    /** The cached value, counted as a hit or a miss. */
    V get(String card) {
        Entry<V> e = entries.get(card);
        if (e == null) {
            misses++;
            return null;
        }
        hits++;
        return e.value;
    }

    /** Records (or refreshes) a card's value, of {@code weight} bytes, after it was written to state. */
    void put(String card, V value, long weight) {
        Entry<V> e = entries.get(card);
        if (e == null || e.value != value) {
            if (e != null) {
                held -= e.weight;
            }
            e = new Entry<>(value);
            e.weight = 0;
            entries.put(card, e);
        }
        held += weight - e.weight;
        e.weight = weight;
        evictBeyondBudget(e);
    }

    /**
     * Records a card's value only if it fits in the budget beside what is held, evicting nothing (filling the cache
     * from state: a card loaded later must not push out one loaded earlier). False if it did not fit.
     */
    boolean putIfRoom(String card, V value, long weight) {
        if (entries.containsKey(card) || held + weight > budget) {
            return false;
        }
        Entry<V> e = new Entry<>(value);
        e.weight = weight;
        entries.put(card, e);
        held += weight;
        return true;
    }

    /** A new budget (e.g. when another subtask opens in the same JVM); evicts down to it. */
    void resize(long budgetBytes) {
        budget = budgetBytes;
        evictBeyondBudget(null);
    }

    private void evictBeyondBudget(Entry<V> keep) {
        Iterator<Map.Entry<String, Entry<V>>> eldest = entries.entrySet().iterator();
        while (held > budget && eldest.hasNext()) {
            Map.Entry<String, Entry<V>> victim = eldest.next();
            if (victim.getValue() == keep) {
                break; // never evict the card being scored
            }
            held -= victim.getValue().weight;
            eldest.remove();
            onEvict.accept(victim.getKey(), victim.getValue().value);
        }
    }

    void remove(String card) {
        Entry<V> e = entries.remove(card);
        if (e != null) {
            held -= e.weight;
        }
    }

    int cards() {
        return entries.size();
    }

    long bytes() {
        return held;
    }

    long budget() {
        return budget;
    }

    long lookups() {
        return hits + misses;
    }

    /** Share of lookups that found the card, since start; 0 before any. */
    double hitRate() {
        long total = hits + misses;
        return total == 0 ? 0 : (double) hits / total;
    }
}
