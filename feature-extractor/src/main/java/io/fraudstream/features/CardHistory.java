package io.fraudstream.features;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * A card's most recent transactions (at most W), in event-time order, with each entry's token in the column form the
 * attention kernel reads. The token depends on the transaction only, never on a model's weights, so every model
 * (champion, shadow, a new champion after a swap) reads the same columns and nothing is recomputed when models
 * change. Not thread-safe: it belongs to one key of one task.
 *
 * <p><b>Order.</b> Entries are ordered by (event time, transaction id). An out-of-order arrival is inserted
 * at its position; entries with the same time and id keep arrival order. Ordering ties by id (rather than by
 * arrival) makes features independent of the arrival order of same-time transactions. When full, the oldest
 * entry is evicted; a transaction older than every entry of a full window is not stored at all.
 *
 * <p><b>Layout.</b> Columns are flat arrays indexed by physical slot; slots form a ring so that appending to a
 * full window is O(1). Slots are always {@code [0, size())}: the ring only rotates once the window is full,
 * which lets the kernels loop over whole arrays from 0 (what HotSpot vectorizes). Capacity grows by doubling
 * up to W, so a card with 3 transactions costs 3-ish slots, not W. The token is held per dense position
 * ({@code tok[c][slot]}, {@link TokenEncoder#DENSE}: the score loop is an axpy over slots) plus one short per slot
 * for its one-hot positions and flags ({@link TokenEncoder#combo}); see {@link FeatureExtractor} for why keys and
 * values need not be held at all.
 *
 * <p><b>State form.</b> {@link #writeTo} stores the raw fields only, in event-time order, times delta-encoded; the
 * token columns are derived when the entries are read.
 */
public final class CardHistory {
    /** First byte of the state form. Version 1: see {@link #writeTo}. */
    public static final byte FORMAT_VERSION = 1;
    private static final int INITIAL_CAPACITY = 8;

    private final int window;
    int capacity;
    int size;
    /** Physical slot of the oldest entry; 0 until the window is full. */
    int head;

    long[] time;
    float[] amount;
    /** Degrees; 0 when unknown (see locKnown), so that kernel arithmetic never meets NaN. */
    float[] lat;
    float[] lon;
    /** Derived: cos(lat), 0 when unknown. */
    float[] cosLat;
    /** Derived: 1 when the merchant location is known, else 0. */
    float[] locKnown;
    /** km from the card's home, NaN when unknown. */
    float[] homeKm;
    byte[] channel;
    int[] categoryHash;
    int[] merchantHash;
    /**
     * The transaction id, packed ({@link TxIds}): its form, and its 128 bits when it is a UUID or 32 hex digits (16
     * bytes instead of an 80-byte string; duplicate checks scan longs).
     */
    byte[] idKind;
    long[] idHi;
    long[] idLo;
    /** Ids of neither form ({@link TxIds#TEXT_KIND}) as strings in their slots; null until the card has one. */
    String[] idText;

    /**
     * Sums of log1p(amount) and its square over the live entries, in fixed point ({@link #LOG_AMOUNT_SCALE}),
     * kept on insert and eviction. Integer sums are exact, so the amount z-score costs O(1) per event, never
     * drifts, and does not depend on insertion order. Derived: recomputed on restore.
     */
    long sumLogAmount;
    long sumLogAmountSq;
    static final double LOG_AMOUNT_SCALE = 1 << 18;

    /** The token's {@link TokenEncoder#DENSE} positions, one column each: {@code tok[c][slot]}. Derived. */
    float[][] tok;
    /** The token's one-hot positions and flags as one {@link TokenEncoder#combo} (int: a gather index). Derived. */
    int[] combo;
    /** Scratch for one token while its columns are written (histories of one thread share it). */
    private static final ThreadLocal<float[]> TOKEN_SCRATCH =
            ThreadLocal.withInitial(() -> new float[TokenEncoder.WIDTH]);

    public CardHistory(int window) {
        if (window < 1 || window > ExtractorConfig.MAX_WINDOW) {
            throw new IllegalArgumentException("extractor.window must be in [1, " + ExtractorConfig.MAX_WINDOW
                    + "], was " + window);
        }
        this.window = window;
        allocate(Math.min(window, INITIAL_CAPACITY));
    }

    /**
     * An empty history that will hold {@code entries} without growing: the capacity a history grown entry by entry
     * would have reached (doubling from {@link #INITIAL_CAPACITY}, at most W), allocated once. For rebuilding a
     * history from state, where the count is known.
     */
    private static CardHistory sizedFor(int window, long entries) {
        CardHistory h = new CardHistory(window);
        int cap = h.capacity;
        while (cap < entries && cap < window) {
            cap = Math.min(window, cap * 2);
        }
        if (cap != h.capacity) {
            h.allocate(cap);
        }
        return h;
    }

    /** Shares nothing with {@code from}: every column is cloned. */
    private CardHistory(CardHistory from) {
        this.window = from.window;
        this.capacity = from.capacity;
        this.size = from.size;
        this.head = from.head;
        this.time = from.time.clone();
        this.amount = from.amount.clone();
        this.lat = from.lat.clone();
        this.lon = from.lon.clone();
        this.cosLat = from.cosLat.clone();
        this.locKnown = from.locKnown.clone();
        this.homeKm = from.homeKm.clone();
        this.channel = from.channel.clone();
        this.categoryHash = from.categoryHash.clone();
        this.merchantHash = from.merchantHash.clone();
        this.idKind = from.idKind.clone();
        this.idHi = from.idHi.clone();
        this.idLo = from.idLo.clone();
        this.idText = from.idText == null ? null : from.idText.clone();
        this.sumLogAmount = from.sumLogAmount;
        this.sumLogAmountSq = from.sumLogAmountSq;
        this.tok = new float[from.tok.length][];
        for (int c = 0; c < tok.length; c++) {
            tok[c] = from.tok[c].clone();
        }
        this.combo = from.combo.clone();
    }

    /**
     * A deep copy, token columns included: equal entries in the same physical layout, so it scores bit-identically
     * without deriving anything again.
     */
    public CardHistory copy() {
        return new CardHistory(this);
    }

    /**
     * The newest {@code w} entries as a history of window {@code w}:
     * what a model trained on window {@code w} would have kept of this card. Used when a history kept for a longer
     * window is scored by a model with a shorter one (a swap between models of different W).
     */
    public CardHistory lastEntries(int w) {
        CardHistory h = new CardHistory(w);
        for (int i = Math.max(0, size - w); i < size; i++) {
            int s = slot(i);
            boolean known = locKnown[s] != 0f;
            h.insert(time[s], idKind[s], idHi[s], idLo[s], textAt(s), amount[s], known ? lat[s] : Float.NaN, known ? lon[s] : Float.NaN, homeKm[s],
                    channel[s], categoryHash[s], merchantHash[s]);
        }
        return h;
    }

    /** An empty history sized by {@code config.window()}. */
    public static CardHistory create(ExtractorConfig config) {
        return new CardHistory(config.window());
    }

    public int window() { return window; }
    public int size() { return size; }
    public boolean isEmpty() { return size == 0; }
    /** Physical slot of the i-th oldest entry. */
    int slot(int logical) {
        int p = head + logical;
        return p >= capacity ? p - capacity : p;
    }

    public String transactionIdAt(int i) { return idAtSlot(slot(checkIndex(i))); }

    /** The id string of the entry in physical slot {@code s} (packed ids are formatted: an allocation). */
    String idAtSlot(int s) {
        byte k = idKind[s];
        return k == TxIds.TEXT_KIND ? idText[s] : TxIds.text(idHi[s], idLo[s], k);
    }

    /** The id string of slot {@code s} when it is a {@link TxIds#TEXT_KIND} id, else null. */
    String textAt(int s) {
        return idText == null ? null : idText[s];
    }

    /**
     * Whether a transaction with this id is in the window. Packs the id once and scans the long columns (slots are
     * always {@code [0, size())}): a few hundred nanoseconds for a full window, no string compared.
     */
    public boolean containsTransactionId(String txId) {
        byte k = TxIds.kind(txId);
        if (k == TxIds.TEXT_KIND) {
            if (idText != null) {
                for (int s = 0; s < size; s++) {
                    if (idKind[s] == TxIds.TEXT_KIND && txId.equals(idText[s])) {
                        return true;
                    }
                }
            }
            return false;
        }
        long hi = TxIds.hi(txId, k);
        long lo = TxIds.lo(txId, k);
        for (int s = 0; s < size; s++) {
            if (idLo[s] == lo && idHi[s] == hi && idKind[s] == k) {
                return true;
            }
        }
        return false;
    }

    /** Whether slot {@code s} holds this (packed) id. */
    private boolean sameId(int s, byte kind, long hi, long lo, String text) {
        if (idKind[s] != kind) {
            return false;
        }
        return kind == TxIds.TEXT_KIND ? text.equals(idText[s]) : idHi[s] == hi && idLo[s] == lo;
    }

    /** Sign of (id of slot {@code s}).compareTo(the given id). */
    private int compareId(int s, byte kind, long hi, long lo, String text) {
        return TxIds.compare(idKind[s], idHi[s], idLo[s], textAt(s), kind, hi, lo, text);
    }
    public long eventTimeAt(int i) { return time[slot(checkIndex(i))]; }
    public double amountAt(int i) { return amount[slot(checkIndex(i))]; }

    private int checkIndex(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index " + i + ", size " + size);
        }
        return i;
    }

    /**
     * Adds a transaction (the job calls this after scoring it). Returns false when the window is full and
     * the transaction is older than all of it, so it would be evicted at once.
     */
    public boolean add(RawTransaction tx) {
        boolean known = tx.merchantLocationKnown();
        return insert(tx.eventTimeMillis(), tx.transactionId(), TokenEncoder.storedAmount(tx.amount()),
                known ? (float) tx.merchantLat() : Float.NaN, known ? (float) tx.merchantLon() : Float.NaN,
                TokenEncoder.homeKm(tx), (byte) tx.channel().ordinal(),
                TokenEncoder.categoryHash(tx.merchantCategory()), TokenEncoder.stableHash(tx.merchantId()));
    }

    private boolean insert(long t, String txId, float amt, float la, float lo, float hk, byte ch, int cat,
            int merch) {
        byte kind = TxIds.kind(txId);
        boolean text = kind == TxIds.TEXT_KIND;
        return insert(t, kind, text ? 0 : TxIds.hi(txId, kind), text ? 0 : TxIds.lo(txId, kind), text ? txId : null,
                amt, la, lo, hk, ch, cat, merch);
    }

    private boolean insert(long t, byte kind, long hi, long lo, String text, float amt, float la, float lon,
            float hk, byte ch, int cat, int merch) {
        int pos = upperBound(t, kind, hi, lo, text);
        if (size == window) {
            if (pos == 0) {
                return false;
            }
            long evicted = fixedLogAmount(tok[0][head]); // the token's first position: (float) log1p(amount)
            sumLogAmount -= evicted;
            sumLogAmountSq -= evicted * evicted;
            head = slot(1);
            size--;
            pos--;
        } else if (size == capacity) {
            grow(Math.min(window, capacity * 2));
        }
        for (int i = size; i > pos; i--) {
            move(slot(i - 1), slot(i));
        }
        int s = slot(pos);
        time[s] = t;
        idKind[s] = kind;
        idHi[s] = hi;
        idLo[s] = lo;
        if (text != null) {
            if (idText == null) {
                idText = new String[capacity];
            }
            idText[s] = text;
        } else if (idText != null) {
            idText[s] = null;
        }
        amount[s] = amt;
        combo[s] = TokenEncoder.encodeColumns(t, amt, la, lon, hk, cat, ch, TOKEN_SCRATCH.get(), tok, s);
        long fixed = fixedLogAmount(tok[0][s]); // (float) log1p(amount), the token's first position
        sumLogAmount += fixed;
        sumLogAmountSq += fixed * fixed;
        boolean known = la == la && lon == lon;
        this.lat[s] = known ? la : 0f;
        this.lon[s] = known ? lon : 0f;
        cosLat[s] = known ? (float) Math.cos(Math.toRadians(la)) : 0f;
        locKnown[s] = known ? 1f : 0f;
        homeKm[s] = hk;
        channel[s] = ch;
        categoryHash[s] = cat;
        merchantHash[s] = merch;
        size++;
        return true;
    }

    /** log1p(amount) in fixed point; amounts are capped at 1e15, so 16384 squares fit a long. */
    static long fixedLogAmount(float logAmount) {
        return Math.round(logAmount * LOG_AMOUNT_SCALE);
    }

    /** Number of entries whose (time, id) is <= the given key. */
    private int upperBound(long t, byte kind, long idHigh, long idLow, String text) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int s = slot(mid);
            int c = Long.compare(time[s], t);
            if (c == 0) {
                c = compareId(s, kind, idHigh, idLow, text);
            }
            if (c <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Number of entries with event time <= t (entries are time-ordered). */
    int countAtOrBefore(long t) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (time[slot(mid)] <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Number of entries with event time < t. */
    int countBefore(long t) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (time[slot(mid)] < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The token of the entry in physical slot {@code s}, from its stored fields. */
    void tokenAt(int s, float[] out, int offset) {
        boolean known = locKnown[s] != 0f;
        TokenEncoder.encodeFields(time[s], amount[s], known ? lat[s] : Float.NaN, known ? lon[s] : Float.NaN,
                homeKm[s], categoryHash[s], channel[s], out, offset);
    }

    private void move(int from, int to) {
        time[to] = time[from];
        idKind[to] = idKind[from];
        idHi[to] = idHi[from];
        idLo[to] = idLo[from];
        if (idText != null) {
            idText[to] = idText[from];
        }
        amount[to] = amount[from];
        lat[to] = lat[from];
        lon[to] = lon[from];
        cosLat[to] = cosLat[from];
        locKnown[to] = locKnown[from];
        homeKm[to] = homeKm[from];
        channel[to] = channel[from];
        categoryHash[to] = categoryHash[from];
        merchantHash[to] = merchantHash[from];
        for (float[] col : tok) {
            col[to] = col[from];
        }
        combo[to] = combo[from];
    }

    private void allocate(int cap) {
        capacity = cap;
        time = new long[cap];
        amount = new float[cap];
        lat = new float[cap];
        lon = new float[cap];
        cosLat = new float[cap];
        locKnown = new float[cap];
        homeKm = new float[cap];
        channel = new byte[cap];
        categoryHash = new int[cap];
        merchantHash = new int[cap];
        idKind = new byte[cap];
        idHi = new long[cap];
        idLo = new long[cap];
        tok = new float[TokenEncoder.DENSE.length][cap];
        combo = new int[cap];
    }

    /** Grows while head == 0 (only possible before the window is full). */
    private void grow(int cap) {
        time = Arrays.copyOf(time, cap);
        amount = Arrays.copyOf(amount, cap);
        lat = Arrays.copyOf(lat, cap);
        lon = Arrays.copyOf(lon, cap);
        cosLat = Arrays.copyOf(cosLat, cap);
        locKnown = Arrays.copyOf(locKnown, cap);
        homeKm = Arrays.copyOf(homeKm, cap);
        channel = Arrays.copyOf(channel, cap);
        categoryHash = Arrays.copyOf(categoryHash, cap);
        merchantHash = Arrays.copyOf(merchantHash, cap);
        idKind = Arrays.copyOf(idKind, cap);
        idHi = Arrays.copyOf(idHi, cap);
        idLo = Arrays.copyOf(idLo, cap);
        if (idText != null) {
            idText = Arrays.copyOf(idText, cap);
        }
        for (int c = 0; c < tok.length; c++) {
            tok[c] = Arrays.copyOf(tok[c], cap);
        }
        combo = Arrays.copyOf(combo, cap);
        capacity = cap;
    }

    /**
     * Moves a full, head-0 window so that its oldest entry sits at slot {@code newHead}: a restored
     * history then has the physical layout of the one written, and the kernels sum in the same order, so
     * scores after a restore are bit-identical to scores without one.
     */
    private void rotate(int newHead) {
        if (newHead == 0) {
            return;
        }
        time = rotated(time, newHead);
        amount = rotated(amount, newHead);
        lat = rotated(lat, newHead);
        lon = rotated(lon, newHead);
        cosLat = rotated(cosLat, newHead);
        locKnown = rotated(locKnown, newHead);
        homeKm = rotated(homeKm, newHead);
        channel = rotated(channel, newHead);
        categoryHash = rotated(categoryHash, newHead);
        merchantHash = rotated(merchantHash, newHead);
        idKind = rotated(idKind, newHead);
        idHi = rotated(idHi, newHead);
        idLo = rotated(idLo, newHead);
        if (idText != null) {
            idText = rotated(idText, newHead);
        }
        for (int c = 0; c < tok.length; c++) {
            tok[c] = rotated(tok[c], newHead);
        }
        combo = rotated(combo, newHead);
        head = newHead;
    }

    /** new[(shift + i) % cap] = old[i]. */
    @SuppressWarnings("unchecked")
    private <A> A rotated(A old, int shift) {
        A out = (A) java.lang.reflect.Array.newInstance(old.getClass().getComponentType(), capacity);
        System.arraycopy(old, 0, out, shift, capacity - shift);
        System.arraycopy(old, capacity - shift, out, 0, shift);
        return out;
    }

    /**
     * About how many bytes of heap this history holds: its columns, token columns included; 98 bytes per slot when
     * its ids are packed ({@link TxIds}), and 84 more per slot (a reference and an id string counted at 80 bytes)
     * once it holds an id of neither packed form. For sizing caches of histories, not exact.
     */
    public long estimatedBytes() {
        long perSlot = 8 + 4 * 6 + 1 + 4 * 2 + (1 + 8 + 8) + 4L * TokenEncoder.DENSE.length + 4;
        return 400L + capacity * (perSlot + (idText != null ? 84 : 0));
    }

    /** Ring position of the oldest entry, to store with the entries (see {@link #fromChunks}). */
    public int headForState() {
        return head;
    }

    /** Logical index (0 = oldest) of the entry with this id and event time, or -1 when it is not in the window. */
    public int indexOf(String txId, long eventTime) {
        byte kind = TxIds.kind(txId);
        boolean text = kind == TxIds.TEXT_KIND;
        return indexOf(eventTime, kind, text ? 0 : TxIds.hi(txId, kind), text ? 0 : TxIds.lo(txId, kind), txId);
    }

    /** {@link #indexOf(String, long)} of an id already packed ({@link TxIds}; {@code txId} read for text ids only). */
    int indexOf(long eventTime, byte kind, long hi, long lo, String txId) {
        int i = countBefore(eventTime);
        if (i == size || time[slot(i)] != eventTime) {
            return -1;
        }
        for (; i < size; i++) {
            int s = slot(i);
            if (time[s] != eventTime) {
                return -1;
            }
            if (sameId(s, kind, hi, lo, txId)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether (t, txId) sorts before the oldest entry: such an entry has left a full window for good. */
    public boolean isOlderThanWindow(long t, String txId) {
        if (size < window) {
            return false;
        }
        int s = slot(0);
        return t < time[s] || (t == time[s] && txId.compareTo(idAtSlot(s)) < 0);
    }

    /**
     * The history stored in {@code chunks} (arrival order): the window is the W greatest (event time, id) of their
     * entries, exactly what inserting them one by one keeps; laid out as the written history was ({@code head}: its
     * ring position of the oldest entry), so that kernels sum in the same order and scores are bit-identical. K/V
     * that chunks of the previous state form still carry are not read: nothing in a history depends on a model.
     */
    public static CardHistory fromChunks(int window, int head, java.util.List<HistoryChunk> chunks) {
        int total = 0;
        for (HistoryChunk c : chunks) {
            total += c.count;
        }
        Integer[] order = new Integer[total];
        int[] chunkOf = new int[total];
        int[] indexIn = new int[total];
        int e = 0;
        boolean sorted = true;
        for (int ci = 0; ci < chunks.size(); ci++) {
            HistoryChunk c = chunks.get(ci);
            for (int j = 0; j < c.count; j++) {
                chunkOf[e] = ci;
                indexIn[e] = j;
                order[e] = e;
                if (e > 0 && sorted) {
                    sorted = compareEntries(chunks.get(chunkOf[e - 1]), indexIn[e - 1], c, j) <= 0;
                }
                e++;
            }
        }
        if (!sorted) { // arrival order is event-time order unless transactions arrived out of order
            java.util.Arrays.sort(order, (a, b) ->
                    compareEntries(chunks.get(chunkOf[a]), indexIn[a], chunks.get(chunkOf[b]), indexIn[b]));
        }
        int n = Math.min(window, total);
        if (head < 0 || head >= window || (head != 0 && n != window)) {
            throw new IllegalArgumentException("corrupt card state: window " + window + ", size " + n + ", head "
                    + head);
        }
        CardHistory h = sizedFor(window, n);
        for (int i = total - n; i < total; i++) {
            HistoryChunk c = chunks.get(chunkOf[order[i]]);
            int j = indexIn[order[i]];
            h.insert(c.time[j], c.idKind[j], c.idHi[j], c.idLo[j], c.idText[j], c.amount[j], c.lat[j], c.lon[j], c.homeKm[j], c.channel[j],
                    c.categoryHash[j], c.merchantHash[j]);
        }
        h.rotate(head);
        return h;
    }

    /** Order of two chunk entries by (event time, id); the sort is stable, so equal keys keep arrival order. */
    private static int compareEntries(HistoryChunk a, int i, HistoryChunk b, int j) {
        int cmp = Long.compare(a.time[i], b.time[j]);
        return cmp != 0 ? cmp : TxIds.compare(a.idKind[i], a.idHi[i], a.idLo[i], a.idText[i], b.idKind[j], b.idHi[j],
                b.idLo[j], b.idText[j]);
    }

    /**
     * Writes the state form, version 1: byte FORMAT_VERSION; varint window; varint n; varint head (ring
     * position of the oldest entry, kept so a restore reproduces the summation order); then per entry, oldest
     * first: varint time delta from the previous entry (the first entry: 8-byte time), float amount, byte flags
     * (bits 0-2 channel ordinal, bit 3 merchant location known, bit 4 home distance known, bit 5 id is a
     * canonical UUID), [float lat, float lon], [float homeKm], int category hash, int merchant-id hash, then the
     * transaction id: two longs when it is a canonical UUID (16 bytes instead of 38), else UTF.
     */
    public void writeTo(DataOutput out) throws IOException {
        out.writeByte(FORMAT_VERSION);
        VarInts.write(out, window);
        VarInts.write(out, size);
        VarInts.write(out, head);
        long prev = 0;
        for (int i = 0; i < size; i++) {
            int s = slot(i);
            if (i == 0) {
                out.writeLong(time[s]);
            } else {
                VarInts.write(out, time[s] - prev);
            }
            prev = time[s];
            out.writeFloat(amount[s]);
            boolean known = locKnown[s] != 0f;
            boolean home = homeKm[s] == homeKm[s];
            boolean uuid = idKind[s] == TxIds.UUID_KIND;
            out.writeByte(channel[s] | (known ? 8 : 0) | (home ? 16 : 0) | (uuid ? 32 : 0));
            if (known) {
                out.writeFloat(lat[s]);
                out.writeFloat(lon[s]);
            }
            if (home) {
                out.writeFloat(homeKm[s]);
            }
            out.writeInt(categoryHash[s]);
            out.writeInt(merchantHash[s]);
            if (uuid) {
                out.writeLong(idHi[s]);
                out.writeLong(idLo[s]);
            } else {
                out.writeUTF(idAtSlot(s));
            }
        }
    }

    /** Reads the state form written by {@link #writeTo}. */
    public static CardHistory readFrom(DataInput in) throws IOException {
        int version = in.readByte();
        if (version != FORMAT_VERSION) {
            throw new IOException("unsupported CardHistory format version " + version + " (this build reads "
                    + FORMAT_VERSION + ")");
        }
        long window = VarInts.readLong(in, "history window");
        long n = VarInts.readLong(in, "history size");
        long head = VarInts.readLong(in, "history head");
        if (window < 1 || window > ExtractorConfig.MAX_WINDOW || n < 0 || n > window || head >= window
                || (head != 0 && n != window)) {
            throw new IOException("corrupt CardHistory header: window " + window + ", size " + n + ", head " + head);
        }
        CardHistory h = sizedFor((int) window, n);
        long t = 0;
        for (int i = 0; i < n; i++) {
            t = i == 0 ? in.readLong() : t + VarInts.readLong(in, "history time delta");
            float amt = in.readFloat();
            int flags = in.readUnsignedByte();
            float la = Float.NaN;
            float lo = Float.NaN;
            if ((flags & 8) != 0) {
                la = in.readFloat();
                lo = in.readFloat();
            }
            float hk = (flags & 16) != 0 ? in.readFloat() : Float.NaN;
            int cat = in.readInt();
            int merch = in.readInt();
            if ((flags & 32) != 0) {
                h.insert(t, TxIds.UUID_KIND, in.readLong(), in.readLong(), null, amt, la, lo, hk, (byte) (flags & 7),
                        cat, merch);
            } else {
                h.insert(t, in.readUTF(), amt, la, lo, hk, (byte) (flags & 7), cat, merch);
            }
        }
        h.rotate((int) head);
        return h;
    }
}
