package io.fraudstream.job.scoring;

import io.fraudstream.features.CardHistory;
import io.fraudstream.features.HistoryChunk;
import io.fraudstream.features.RawTransaction;
import io.fraudstream.job.JobMetrics;
import io.fraudstream.job.JobStreams;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A card's history in keyed state, append-only (docs/STATE.md): {@link HistoryChunk}s of 32 entries in arrival order,
 * raw fields only ({@code MapState<Integer, HistoryChunk>}), and a small {@link CardStateHeader}. Scoring one event
 * changes the tail chunk and the header, never the whole history; in the job those two are written at the next
 * checkpoint barrier or when the card leaves the cache ({@link #deferWrites}), elsewhere at once. Whole chunks are
 * dropped once all their entries
 * have left the window. Nothing stored depends on a model: every model scores a card read from state without
 * recomputing anything but the entries' tokens. Chunks of the previous form, which also carried one model's K/V, are
 * written back without them a few per event. A card of the v1 state (one {@code ValueState<CardHistory>}) is
 * migrated on its first event.
 *
 * <p>Deserialized histories are kept in a {@link HistoryCache} sized as a share of the JVM's heap divided among the
 * scoring subtasks open in it, with every state backend (the cached objects are never state objects).
 *
 * <p>Not thread-safe: one per subtask, used on the task thread with the current key set.
 */
final class CardStateStore {

    /** One card's deserialized state: its history, its header, its tail chunk and its stored last-seen time. */
    static final class Card {
        final CardHistory history;
        final CardStateHeader header;
        HistoryChunk tail;
        /** Entries of the tail chunk that are in state; with deferred writes the rest wait for {@link #write}. */
        int tailWritten;
        /** The last-seen processing time as stored ({@link #NEVER_SEEN}: none stored yet); see {@link #touch}. */
        long lastSeen = NEVER_SEEN;
        /**
         * With deferred writes: the processing time of the card's last change ({@link #NEVER_CHANGED} until it
         * changes after being loaded or created).
         */
        long changedAt = NEVER_CHANGED;

        Card(CardHistory history, CardStateHeader header, HistoryChunk tail) {
            this.history = history;
            this.header = header;
            this.tail = tail;
            this.tailWritten = tail == null ? 0 : tail.size();
        }

        CardHistory history() {
            return history;
        }
    }

    static final long NEVER_SEEN = Long.MIN_VALUE;
    /** {@link Card#changedAt} of a card that has not changed since it was loaded or created. */
    static final long NEVER_CHANGED = Long.MIN_VALUE;
    /**
     * With deferred writes and idle writes on: a card whose previous change is this many times
     * {@code state.card-write-idle} old (or that has none since it was loaded) is predicted cold and written at once.
     */
    static final double COLD_GAP_IDLE_MULTIPLE = 2.5;
    /** Chunks of the previous form (with K/V) written back without them per event. */
    static final int STRIP_CHUNKS_PER_EVENT = 4;
    /**
     * Most delta segments of a tail chunk; the next write of the tail stores it whole (and drops them), so a cache
     * miss reads at most this many small entries beyond the chunks.
     */
    static final int MAX_TAIL_SEGMENTS = 16;
    /**
     * Most cards an event writes because their deferred changes are {@link #idleMillis} old: above one, so the
     * writes catch up after a burst (each event defers one card).
     */
    static final int IDLE_WRITES_PER_EVENT = 4;
    /** Share of the JVM heap for deserialized histories, divided among the scoring subtasks in the JVM. */
    static final double CACHE_HEAP_SHARE = 0.25;
    private static final AtomicInteger OPEN_STORES = new AtomicInteger();
    private static final Logger LOG = LoggerFactory.getLogger(CardStateStore.class);

    private final ValueState<CardHistory> legacy;
    private final MapState<Integer, HistoryChunk> chunks;
    private final ValueState<CardStateHeader> headers;
    private final ValueState<Long> lastSeen;
    private final HistoryCache<Card> cache;
    private final long cacheCeiling;
    private final Counter migrated;
    private final Counter warmedCards;
    private boolean closed;
    private int storesSeen;
    /** Set by {@link #deferWrites}: the backend whose current key is switched to write a card back. */
    private KeyedStateBackend<String> backend;
    /**
     * With deferred writes: cards whose tail chunk or header differ from state, in order of their last change (access
     * order: the card changed longest ago first); written by {@link #flush}, or ahead of it once there are more than
     * {@link #maxUnwritten}.
     */
    private final java.util.LinkedHashMap<String, Card> dirty = new java.util.LinkedHashMap<>(1024, 0.75f, true);
    private int maxUnwritten;
    /** With deferred writes: changes this old (processing time, ms) are written between barriers; 0: never. */
    private long idleMillis;
    /** With deferred writes: {@link #COLD_GAP_IDLE_MULTIPLE} × {@link #idleMillis}; 0: no card is predicted cold. */
    private long coldGapMillis;
    private final Counter writtenAhead;
    private final Counter writtenIdle;
    private final Counter writtenCold;
    private volatile long lastFlushMicros;
    private volatile int lastFlushCards;

    /**
     * {@code maxCachedBytes}: upper bound of the cache (0: no cache); the cache gets the smaller of it and its
     * share of the heap.
     */
    CardStateStore(RuntimeContext context, long maxCachedBytes) {
        legacy = context.getState(JobStreams.CARD_HISTORY);
        chunks = context.getMapState(JobStreams.CARD_CHUNKS);
        headers = context.getState(JobStreams.CARD_HEADER);
        lastSeen = context.getState(JobStreams.LAST_SEEN);
        cacheCeiling = maxCachedBytes;
        int open = OPEN_STORES.incrementAndGet();
        cache = maxCachedBytes > 0 ? new HistoryCache<>(budget(open), this::evicted) : null;
        MetricGroup metrics = context.getMetricGroup();
        migrated = metrics.counter(JobMetrics.CARDS_MIGRATED);
        warmedCards = metrics.counter(JobMetrics.CARD_CACHE_WARMED);
        writtenAhead = metrics.counter(JobMetrics.CARD_WRITTEN_AHEAD);
        writtenIdle = metrics.counter(JobMetrics.CARD_WRITTEN_IDLE);
        writtenCold = metrics.counter(JobMetrics.CARD_WRITTEN_COLD);
        metrics.gauge(JobMetrics.CARD_CACHE_HIT_RATE, () -> cache == null ? 0.0 : cache.hitRate());
        metrics.gauge(JobMetrics.CARD_CACHE_BYTES, () -> cache == null ? 0L : cache.bytes());
        metrics.gauge(JobMetrics.CARD_BARRIER_WRITE_MICROS, () -> lastFlushMicros);
        metrics.gauge(JobMetrics.CARD_BARRIER_WRITE_CARDS, () -> lastFlushCards);
    }

    private long budget(int openStores) {
        long share = (long) (Runtime.getRuntime().maxMemory() * CACHE_HEAP_SHARE / Math.max(1, openStores));
        return Math.min(cacheCeiling, share);
    }

    void close() {
        if (!closed) {
            closed = true;
            OPEN_STORES.decrementAndGet();
            if (cache != null) {
                LOG.info("card history cache at close: {} lookups, hit rate {}, {} of {} bytes held",
                        cache.lookups(), String.format(java.util.Locale.ROOT, "%.4f", cache.hitRate()), cache.bytes(),
                        cache.budget());
            }
        }
    }

    /** Share of lookups served by the cache since open (0: no cache or no lookup). */
    double cacheHitRate() {
        return cache == null ? 0 : cache.hitRate();
    }

    /** The current card's state, or null when it has none. */
    Card load(String key) throws Exception {
        if (cache != null) {
            int open = OPEN_STORES.get();
            if (open != storesSeen) { // another scoring subtask opened or closed in this JVM: a new share
                storesSeen = open;
                cache.resize(budget(open));
            }
            Card cached = cache.get(key);
            if (cached != null) {
                return cached;
            }

        }
        CardStateHeader header = headers.value();
        Card card;
        if (header == null) {
            CardHistory v1 = legacy.value();
            if (v1 == null) {
                return null;
            }
            card = migrate(v1);
        } else {
            card = read(header);
        }
        if (cache != null) {
            cache.put(key, card, card.history.estimatedBytes());
        }
        return card;
    }

    /** The current card's history, header and tail, read from its chunks. */
    private Card read(CardStateHeader header) throws Exception {
        // One iteration over the card's map (in RocksDB a single prefix seek, then next), not a point get per
        // chunk: each get searches every level and L0 file on its own, which made a cache miss of a 1,000-entry
        // card 32 such searches (measured: the scoring threads spent their time in RocksDB.get).
        List<HistoryChunk> list = assemble(header, chunks.entries());
        CardHistory history = CardHistory.fromChunks(header.window, header.head, list);
        Card card = new Card(history, header, list.isEmpty() ? null : list.get(list.size() - 1).copy());
        card.lastSeen = storedLastSeen();
        return card;
    }

    /**
     * A card's chunks in order from its map's entries (any order): chunk {@code i} at key {@code i}, and the tail
     * chunk completed by its delta segments (keys -1, -2, ...; {@link CardStateHeader#segments}). Entries the header
     * does not name, and chunks it names that are missing, are corruption: refused with the header in the message.
     */
    static List<HistoryChunk> assemble(CardStateHeader header, Iterable<Map.Entry<Integer, HistoryChunk>> entries) {
        HistoryChunk[] byIndex = new HistoryChunk[header.next - header.first];
        HistoryChunk[] segments = new HistoryChunk[header.segments];
        for (Map.Entry<Integer, HistoryChunk> e : entries) {
            int key = e.getKey();
            if (key < 0) {
                int s = -1 - key;
                if (s >= segments.length) {
                    throw new IllegalStateException("card state: tail segment " + s + " outside " + header);
                }
                segments[s] = e.getValue();
                continue;
            }
            int i = key - header.first;
            if (i < 0 || i >= byIndex.length) {
                throw new IllegalStateException("card state: chunk " + key + " outside " + header);
            }
            byIndex[i] = e.getValue();
        }
        if (segments.length > 0) {
            if (byIndex.length == 0) {
                throw new IllegalStateException("card state: tail segments without a tail chunk in " + header);
            }
            int last = byIndex.length - 1;
            // A copy: the heap backend hands out the stored object itself.
            HistoryChunk tail = byIndex[last] == null ? new HistoryChunk() : byIndex[last].copy();
            for (int s = 0; s < segments.length; s++) {
                if (segments[s] == null) {
                    throw new IllegalStateException("card state: tail segment " + s + " of " + header + " is missing");
                }
                tail.appendAll(segments[s]);
            }
            byIndex[last] = tail;
        }
        List<HistoryChunk> list = new ArrayList<>(byIndex.length);
        for (int i = 0; i < byIndex.length; i++) {
            if (byIndex[i] == null) {
                throw new IllegalStateException("card state: chunk " + (header.first + i) + " of " + header
                        + " is missing");
            }
            list.add(byIndex[i]);
        }
        return list;
    }

    /** The current card's last-seen time as stored, {@link #NEVER_SEEN} when none is. */
    long storedLastSeen() throws Exception {
        Long v = lastSeen.value();
        return v == null ? NEVER_SEEN : v;
    }

    /**
     * How stale a stored last-seen time may be: {@link #touch} writes it only when it is at least this much older than
     * now (a card seen every second then costs one write a minute, not one per event, and no read: the cached card
     * holds the stored value). A card's processing-time TTL counts from the stored time plus this, so it is never
     * deleted early, and at most this much late: a hundredth of the TTL, at most a minute.
     */
    static long lastSeenGranularity(long ttlMillis) {
        return Math.min(ttlMillis / 100, 60_000L);
    }

    /**
     * Records that the current card was seen at processing time {@code now} (see {@link #lastSeenGranularity}).
     * True when it had no last-seen time stored: the caller arms its TTL timer, at {@link #expiresAt}.
     */
    boolean touch(Card card, long now, long ttlMillis) throws Exception {
        boolean first = card.lastSeen == NEVER_SEEN;
        if (first || now - card.lastSeen >= lastSeenGranularity(ttlMillis)) {
            lastSeen.update(now);
            card.lastSeen = now;
        }
        return first;
    }

    /** When a card whose stored last-seen time is {@code storedLastSeen} has been inactive for the whole TTL. */
    static long expiresAt(long storedLastSeen, long ttlMillis) {
        return storedLastSeen + ttlMillis + lastSeenGranularity(ttlMillis);
    }

    /** What {@link #warm} did. {@code stoppedBy}: why it stopped ("all cards", "cache full", "time limit"). */
    record Warmed(int cards, long transactions, long bytes, long millis, String stoppedBy) {}

    /**
     * Fills the history cache from state in one pass over the subtask's cards (in the backend's key order), before
     * the operator takes traffic: right after a restore, each card's first event would otherwise read its whole
     * history from a state backend that has just been rebuilt (RocksDB: cold block cache, restored files not yet
     * compacted), and those reads, one per card in the first seconds, put the job seconds behind (docs/STATE.md).
     * Stops when every card is in, when the next card does not fit (nothing loaded is evicted again), or after
     * {@code limitMillis}. Cards still in the v1 form are left to be migrated by their first event. Loads here are
     * neither hits nor misses. Leaves the backend's current key at the last card read; the operator sets it for
     * every record and timer. Null when there is no cache or {@code limitMillis} is 0.
     */
    Warmed warm(KeyedStateBackend<String> backend, long limitMillis) throws Exception {
        if (cache == null || limitMillis <= 0) {
            return null;
        }
        long start = System.nanoTime();
        long deadline = start + limitMillis * 1_000_000L;
        int cards = 0;
        long transactions = 0;
        String stoppedBy = "all cards";
        storesSeen = OPEN_STORES.get();
        cache.resize(budget(storesSeen));
        try (Stream<String> keys = backend.getKeys(JobStreams.CARD_HEADER.getName(), VoidNamespace.INSTANCE)) {
            Iterator<String> it = keys.iterator();
            while (it.hasNext()) {
                if (System.nanoTime() - deadline > 0) {
                    stoppedBy = "time limit";
                    break;
                }
                String key = it.next();
                backend.setCurrentKey(key);
                CardStateHeader header = headers.value();
                if (header == null) {
                    continue;
                }
                Card card = read(header);
                if (!cache.putIfRoom(key, card, card.history.estimatedBytes())) {
                    stoppedBy = "cache full";
                    break;
                }
                cards++;
                transactions += card.history.size();
            }
        }
        Warmed warmed = new Warmed(cards, transactions, cache.bytes(), (System.nanoTime() - start) / 1_000_000,
                stoppedBy);
        warmedCards.inc(cards);
        LOG.info("card history cache warmed from state: {} cards, {} transactions, {} of {} bytes, in {} ms ({})",
                warmed.cards(), warmed.transactions(), warmed.bytes(), cache.budget(), warmed.millis(),
                warmed.stoppedBy());
        return warmed;
    }

    /** Writes a v1 history as chunks (event-time order stands for arrival order) and drops it. */
    private Card migrate(CardHistory v1) throws Exception {
        CardStateHeader header = new CardStateHeader(v1.window());
        HistoryChunk tail = null;
        for (int i = 0; i < v1.size(); i++) {
            if (tail == null || tail.isFull()) {
                if (tail != null) {
                    chunks.put(header.next - 1, tail);
                }
                tail = new HistoryChunk();
                header.addChunk();
            }
            tail.append(v1, i);
            header.stored++;
        }
        if (tail != null) {
            chunks.put(header.next - 1, tail.copy());
        }
        header.head = v1.headForState();
        headers.update(header);
        legacy.clear();
        migrated.inc();
        Card card = new Card(v1, header, tail);
        card.lastSeen = storedLastSeen();
        return card;
    }

    /** Forgets everything of the current card (processing-time TTL): {@link #clear} and its last-seen time. */
    void expire(String key) throws Exception {
        clear(key);
        lastSeen.clear();
    }

    /**
     * A new, empty card (its state is written by the first {@link #append}). {@code lastSeen}: the stored last-seen
     * time the caller knows it keeps, that of a card it has just {@link #clear}ed ({@link #NEVER_SEEN} for a card
     * {@link #load} found no state of: no read for it). Were one stored all the same (a card cleared, then its first
     * event refused before {@link #append}), the next {@link #touch} arms one more TTL timer, and
     * {@code onTimer} of the earlier one only re-arms it.
     */
    Card create(String key, int window, long lastSeen) {
        Card card = new Card(new CardHistory(window), new CardStateHeader(window), null);
        card.lastSeen = lastSeen;
        if (cache != null) {
            cache.put(key, card, card.history.estimatedBytes());
        }
        return card;
    }

    /**
     * Appends a scored transaction: to the history, and (unless the full window is newer than it) to the tail chunk.
     * Writes up to {@value #STRIP_CHUNKS_PER_EVENT} chunks of the previous form back without their K/V, drops the
     * oldest chunk once none of its entries is in the window, and writes the header. {@code now}: processing time
     * (ms), when writes are deferred; up to {@value #IDLE_WRITES_PER_EVENT} other cards whose deferred changes are
     * {@code state.card-write-idle} old are written then.
     */
    void append(String key, Card card, RawTransaction raw, long now) throws Exception {
        CardHistory h = card.history;
        if (!h.add(raw)) {
            return; // older than the whole full window: not stored, as the history does not keep it
        }
        CardStateHeader header = card.header;
        appendEntry(card, h.indexOf(raw.transactionId(), raw.eventTimeMillis()));
        int tailIndex = header.next - 1;
        int budget = STRIP_CHUNKS_PER_EVENT;
        for (int i = header.first; i < tailIndex && budget > 0; i++) {
            if (header.tag(i) != null) {
                chunks.put(i, chunks.get(i)); // written in the current form: without the K/V
                header.setTag(i, null);
                budget--;
            }
        }
        evict(card);
        header.head = h.headForState();
        if (backend != null) {
            long previous = card.changedAt;
            card.changedAt = now;
            if (coldGapMillis > 0 && (previous == NEVER_CHANGED || now - previous >= coldGapMillis)) {
                // Predicted cold (no change since it was loaded, or none for a long while): it would most likely
                // wait alone for the idle pass or the barrier, and be written once either way. Written now, it
                // costs the same write and leaves the barrier's pause.
                dirty.remove(key);
                write(card);
                writtenCold.inc();
            } else {
                dirty.put(key, card); // to the end: the card changed last
            }
        } else {
            headers.update(header);
        }
        if (cache != null) {
            cache.put(key, card, h.estimatedBytes());
        }
        while (dirty.size() > maxUnwritten) {
            Iterator<Map.Entry<String, Card>> oldest = dirty.entrySet().iterator();
            Map.Entry<String, Card> e = oldest.next();
            oldest.remove();
            writeBack(e.getKey(), e.getValue());
            writtenAhead.inc();
        }
        if (idleMillis > 0) {
            // Oldest change first (access order), so the first card not old enough ends the pass.
            for (int n = 0; n < IDLE_WRITES_PER_EVENT && !dirty.isEmpty(); n++) {
                Iterator<Map.Entry<String, Card>> oldest = dirty.entrySet().iterator();
                Map.Entry<String, Card> e = oldest.next();
                if (now - e.getValue().changedAt < idleMillis) {
                    break;
                }
                oldest.remove();
                writeBack(e.getKey(), e.getValue());
                writtenIdle.inc();
            }
        }
    }

    /**
     * Defers the writes of every event (the tail chunk and the header) to {@link #flush}, which the operator calls
     * before each checkpoint barrier, and to the eviction of a card from the cache: a card seen ten times between
     * two checkpoints is written once, not ten times. State and cache agree at every snapshot (a restore rolls the
     * state back to a snapshot anyway, and the source with it), and a card that is not cached is always in state.
     * Chunks that fill up, dropped chunks, migrations and last-seen times are still written at once. Needs the cache
     * (without it every event writes through). {@code backend}: the keyed backend, whose current key is switched to
     * write other cards back.
     *
     * <p>At most {@code maxUnwrittenCards} cards wait for the barrier: beyond that, the card whose last change is
     * oldest is written at once. The barrier's writes pause the subtask, and with a bank's millions of cards most
     * events between two checkpoints are of different cards, so without this bound the barrier would write every one
     * of them (tens of thousands per subtask at 10 s intervals). Keep it above the cards a subtask sees several times
     * per checkpoint interval: each of those written ahead is written again (docs/STATE.md: a bound of 1,000 with
     * 2,500 such cards per subtask quadrupled the writes and RocksDB's compactions).
     *
     * <p>A card whose deferred changes are {@code idleMillis} old (processing time) is written between barriers, up to
     * {@value #IDLE_WRITES_PER_EVENT} per event, oldest first ({@code state.card-write-idle}; 0: never). A bank's
     * cards are mostly seen once per interval: without this the barrier writes all of them, with it only those
     * changed in the last {@code idleMillis}. A card seen again within that time stays coalesced, so a hot card seen
     * every second is written about as rarely as before.
     *
     * <p>With idle writes on, a card predicted cold is not deferred at all: one whose previous change is
     * {@value #COLD_GAP_IDLE_MULTIPLE} × {@code idleMillis} old, or that has not changed since it was loaded from
     * state or created (counted in {@code fraudstreamCardWrittenCold}). Such a card is seldom seen again before the
     * idle pass writes it, so writing it at once costs the same single write and takes it off the barrier, which then
     * writes only the cards seen recently and more than once. A hot card seen every second (gaps Poisson with a mean
     * of 1 s) has a 5 s gap once in 150 events: about 7 % more writes than coalescing it every time.
     */
    void deferWrites(KeyedStateBackend<String> keyedBackend, int maxUnwrittenCards, long idleMillis) {
        if (cache != null && maxUnwrittenCards > 0) {
            backend = keyedBackend;
            maxUnwritten = maxUnwrittenCards;
            this.idleMillis = Math.max(0, idleMillis);
            this.coldGapMillis = (long) Math.ceil(this.idleMillis * COLD_GAP_IDLE_MULTIPLE);
        }
    }

    /** Writes every card changed since the last flush to state (before a checkpoint barrier). Leaves the key switched. */
    void flush() throws Exception {
        long start = System.nanoTime();
        int cards = dirty.size();
        for (Map.Entry<String, Card> e : dirty.entrySet()) {
            backend.setCurrentKey(e.getKey());
            write(e.getValue());
        }
        dirty.clear();
        lastFlushMicros = (System.nanoTime() - start) / 1_000;
        lastFlushCards = cards;
        LOG.debug("deferred card writes at the checkpoint barrier: {} cards in {} us", cards, lastFlushMicros);
    }

    /** Cards written by the last {@link #flush}. */
    int lastFlushCards() {
        return lastFlushCards;
    }

    /** Cards changed and not yet written (deferred writes). */
    int unwritten() {
        return dirty.size();
    }

    private void write(Card card) throws Exception {
        writeTail(card);
        headers.update(card.header);
    }

    /**
     * Writes the tail chunk's entries that are not in state yet. With deferred writes, as one delta segment (a card
     * seen once between two checkpoints writes its one new entry, ~50 bytes, not its whole tail of up to 32); the
     * whole tail (its segments dropped) once it is full or has {@value #MAX_TAIL_SEGMENTS} segments, and always when
     * writing through. The header records the segments; the caller writes it.
     */
    private void writeTail(Card card) throws Exception {
        HistoryChunk tail = card.tail;
        if (tail == null || card.tailWritten == tail.size()) {
            return;
        }
        CardStateHeader header = card.header;
        if (backend == null || tail.isFull() || header.segments >= MAX_TAIL_SEGMENTS) {
            // A copy: the heap backend keeps the object put, and a running snapshot may still be writing it.
            chunks.put(header.next - 1, tail.copy());
            dropSegments(header);
        } else {
            chunks.put(-1 - header.segments, tail.slice(card.tailWritten, tail.size()));
            header.segments++;
        }
        card.tailWritten = tail.size();
    }

    private void dropSegments(CardStateHeader header) throws Exception {
        for (int s = 0; s < header.segments; s++) {
            chunks.remove(-1 - s);
        }
        header.segments = 0;
    }

    /** The cache dropped a card: written back first if it has deferred writes, under its own key. */
    private void evicted(String key, Card card) {
        if (dirty.remove(key) != null) {
            writeBack(key, card);
        }
    }

    /** Writes a card's deferred changes under its own key; the current key is set back after. */
    private void writeBack(String key, Card card) {
        String current = backend.getCurrentKey();
        try {
            backend.setCurrentKey(key);
            write(card);
        } catch (Exception e) {
            throw new IllegalStateException("card state: writing back a card's deferred changes failed", e);
        } finally {
            backend.setCurrentKey(current);
        }
    }

    private void appendEntry(Card card, int logical) throws Exception {
        CardStateHeader header = card.header;
        if (card.tail == null || card.tail.isFull()) {
            if (card.tail != null && (card.tailWritten < card.tail.size() || header.segments > 0)) {
                // A full chunk leaves the tail: stored whole now, its segments dropped (only the tail has any).
                chunks.put(header.next - 1, card.tail.copy());
                dropSegments(header);
            }
            card.tail = new HistoryChunk();
            card.tailWritten = 0;
            header.addChunk();
        }
        card.tail.append(card.history, logical);
        header.stored++;
        header.setTag(header.next - 1, null);
        if (backend == null) {
            writeTail(card);
        }
    }

    /**
     * Drops the oldest chunk when the chunks hold a chunk's worth more entries than the window and none of its
     * entries is in the window any more (the usual case: entries leave the window oldest first). An out-of-order
     * arrival can keep an old chunk alive; beyond two chunks' worth, its live entries move to the tail first.
     */
    private void evict(Card card) throws Exception {
        CardStateHeader header = card.header;
        CardHistory h = card.history;
        while (header.next - header.first > 1 && header.stored - h.size() >= HistoryChunk.CAPACITY) {
            int first = header.first;
            HistoryChunk oldest = chunks.get(first);
            List<Integer> live = new ArrayList<>();
            for (int j = 0; j < oldest.size(); j++) {
                int i = oldest.indexIn(h, j);
                if (i >= 0) {
                    live.add(j);
                }
            }
            if (!live.isEmpty()) {
                if (header.stored - h.size() < 2 * HistoryChunk.CAPACITY) {
                    return;
                }
                for (int j : live) {
                    appendEntry(card, oldest.indexIn(h, j));
                }
            }
            chunks.remove(first);
            header.dropFirst(oldest.size());
        }
    }

    /**
     * Forgets the current card's history (event-time TTL: a long gap before its new event): its chunks, header and
     * any v1 state. Its last-seen time stays, and so does its TTL timer.
     */
    void clear(String key) throws Exception {
        dirty.remove(key);
        chunks.clear();
        headers.clear();
        legacy.clear();
        if (cache != null) {
            cache.remove(key);
        }
    }
}
