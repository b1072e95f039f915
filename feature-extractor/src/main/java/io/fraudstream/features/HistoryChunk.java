package io.fraudstream.features;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.UUID;

/**
 * Up to {@link #CAPACITY} of a card's stored transactions, in <b>arrival</b> order, with their keys (full precision)
 * and values (half precision) under one K/V tag (the weights version that computed them, see {@link FeatureExtractor#kvTag}).
 * The unit of the append-only card state: the job writes only the tail chunk per event, drops whole chunks when all
 * their entries have left the window, and rebuilds a history from its chunks with {@link CardHistory#fromChunks}.
 * Not thread-safe.
 */
public final class HistoryChunk {
    /** Entries per chunk: a chunk written per event stays a few KB, a 1024-window needs 32 reads on a cache miss. */
    public static final int CAPACITY = 32;
    /** First byte of the state form. */
    public static final byte FORMAT_VERSION = 1;

    int count;
    final long[] time = new long[CAPACITY];
    final float[] amount = new float[CAPACITY];
    /** NaN when unknown. */
    final float[] lat = new float[CAPACITY];
    final float[] lon = new float[CAPACITY];
    final float[] homeKm = new float[CAPACITY];
    final byte[] channel = new byte[CAPACITY];
    final int[] categoryHash = new int[CAPACITY];
    final int[] merchantHash = new int[CAPACITY];
    final String[] id = new String[CAPACITY];
    /** Tag of the stored K/V; null when none is stored (e.g. migrated from the v1 state). */
    String kvTag;
    /** Width d of the stored K/V (0 when none). */
    int dim;
    /** Per entry: d values, as halves; null when no K/V is stored. */
    short[] kv;
    /** Per entry: d keys (full precision: they decide the top-k selection); null when no K/V is stored. */
    float[] keys;

    public int size() { return count; }
    public boolean isFull() { return count == CAPACITY; }
    public String kvTag() { return kvTag; }
    public String transactionIdAt(int j) { return id[j]; }
    public long eventTimeAt(int j) { return time[j]; }

    /**
     * Appends the history's entry at {@code logical}: raw fields, and its K/V from the history's cache for
     * {@code tag}. Entries already in the chunk under another tag are restamped to {@code tag} from the history;
     * when that (or the new entry's K/V) is not available the chunk stores no K/V. The chunk must not be full.
     */
    public void append(CardHistory h, int logical, String tag) {
        if (count == CAPACITY) {
            throw new IllegalStateException("chunk full");
        }
        int s = h.slot(logical);
        CardHistory.KvCache c = tag == null ? null : h.cacheFor(tag);
        boolean withKv = c != null && c.valid[s];
        if (count == 0) {
            kvTag = withKv ? tag : null;
            dim = withKv ? c.dim : 0;
            kv = withKv ? new short[CAPACITY * dim] : null;
            keys = withKv ? new float[CAPACITY * dim] : null;
        } else if (withKv && (kv == null || !tag.equals(kvTag))) {
            if (!restamp(h, tag)) {
                dropKv();
            }
        } else if (!withKv) {
            dropKv();
        }
        int j = count++;
        time[j] = h.time[s];
        amount[j] = h.amount[s];
        boolean known = h.locKnown[s] != 0f;
        lat[j] = known ? h.lat[s] : Float.NaN;
        lon[j] = known ? h.lon[s] : Float.NaN;
        homeKm[j] = h.homeKm[s];
        channel[j] = h.channel[s];
        categoryHash[j] = h.categoryHash[s];
        merchantHash[j] = h.merchantHash[s];
        id[j] = h.id[s];
        if (kv != null) {
            copyKv(c, s, j);
        }
    }

    /** Stores no K/V any more (they are recomputed when read); see {@link #restamp} to store them again. */
    void dropKv() {
        kvTag = null;
        kv = null;
        keys = null;
        dim = 0;
    }

    private void copyKv(CardHistory.KvCache c, int s, int j) {
        int d = c.dim;
        int base = j * d;
        for (int r = 0; r < d; r++) {
            keys[base + r] = c.keys[r][s];
        }
        for (int r = 0; r < d; r++) {
            kv[base + r] = Fp16.fromFloat(c.values[s * d + r]);
        }
    }

    /**
     * Stores the K/V of {@code tag} for every entry still in {@code h} (evicted entries keep zeros: they are never
     * read). Returns false, changing nothing, when the history's cache of {@code tag} lacks one of them.
     */
    public boolean restamp(CardHistory h, String tag) {
        CardHistory.KvCache c = h.cacheFor(tag);
        if (c == null) {
            return false;
        }
        int[] slots = new int[count];
        for (int j = 0; j < count; j++) {
            int i = h.indexOf(id[j], time[j]);
            slots[j] = i < 0 ? -1 : h.slot(i);
            if (i >= 0 && !c.valid[slots[j]]) {
                return false;
            }
        }
        kvTag = tag;
        dim = c.dim;
        kv = new short[CAPACITY * dim];
        keys = new float[CAPACITY * dim];
        for (int j = 0; j < count; j++) {
            if (slots[j] >= 0) {
                copyKv(c, slots[j], j);
            }
        }
        return true;
    }

    /** The key (r < d) or value (r - d) component r of entry j, as a float. */
    float kvAt(int j, int r) {
        return r < dim ? keys[j * dim + r] : Fp16.toFloat(kv[j * dim + r - dim]);
    }

    /**
     * Writes the state form: byte FORMAT_VERSION; byte count; UTF tag ("" when none); [byte d when tagged]; per
     * entry: long time, float amount, byte flags (bits 0-2 channel, bit 3 location known, bit 4 home distance
     * known, bit 5 UUID id), [float lat, lon], [float homeKm], int category hash, int merchant hash, the id (two
     * longs or UTF), [d float keys, d half values]. About 45 bytes of raw fields and 6d bytes of K/V per entry.
     */
    public void writeTo(DataOutput out) throws IOException {
        out.writeByte(FORMAT_VERSION);
        out.writeByte(count);
        out.writeUTF(kv == null ? "" : kvTag);
        if (kv != null) {
            out.writeByte(dim);
        }
        for (int j = 0; j < count; j++) {
            out.writeLong(time[j]);
            out.writeFloat(amount[j]);
            boolean known = lat[j] == lat[j] && lon[j] == lon[j];
            boolean home = homeKm[j] == homeKm[j];
            UUID uuid = CardHistory.canonicalUuid(id[j]);
            out.writeByte(channel[j] | (known ? 8 : 0) | (home ? 16 : 0) | (uuid != null ? 32 : 0));
            if (known) {
                out.writeFloat(lat[j]);
                out.writeFloat(lon[j]);
            }
            if (home) {
                out.writeFloat(homeKm[j]);
            }
            out.writeInt(categoryHash[j]);
            out.writeInt(merchantHash[j]);
            if (uuid != null) {
                out.writeLong(uuid.getMostSignificantBits());
                out.writeLong(uuid.getLeastSignificantBits());
            } else {
                out.writeUTF(id[j]);
            }
            if (kv != null) {
                int base = j * dim;
                for (int r = 0; r < dim; r++) {
                    out.writeFloat(keys[base + r]);
                }
                for (int r = 0; r < dim; r++) {
                    out.writeShort(kv[base + r]);
                }
            }
        }
    }

    public static HistoryChunk readFrom(DataInput in) throws IOException {
        int version = in.readByte();
        if (version != FORMAT_VERSION) {
            throw new IOException("unsupported HistoryChunk format version " + version + " (this build reads "
                    + FORMAT_VERSION + ")");
        }
        HistoryChunk c = new HistoryChunk();
        int n = in.readUnsignedByte();
        if (n > CAPACITY) {
            throw new IOException("corrupt HistoryChunk: " + n + " entries");
        }
        String tag = in.readUTF();
        if (!tag.isEmpty()) {
            c.kvTag = tag;
            c.dim = in.readUnsignedByte();
            c.kv = new short[CAPACITY * c.dim];
            c.keys = new float[CAPACITY * c.dim];
        }
        c.count = n;
        for (int j = 0; j < n; j++) {
            c.time[j] = in.readLong();
            c.amount[j] = in.readFloat();
            int flags = in.readUnsignedByte();
            c.channel[j] = (byte) (flags & 7);
            c.lat[j] = Float.NaN;
            c.lon[j] = Float.NaN;
            if ((flags & 8) != 0) {
                c.lat[j] = in.readFloat();
                c.lon[j] = in.readFloat();
            }
            c.homeKm[j] = (flags & 16) != 0 ? in.readFloat() : Float.NaN;
            c.categoryHash[j] = in.readInt();
            c.merchantHash[j] = in.readInt();
            c.id[j] = (flags & 32) != 0 ? new UUID(in.readLong(), in.readLong()).toString() : in.readUTF();
            if (c.kv != null) {
                int base = j * c.dim;
                for (int r = 0; r < c.dim; r++) {
                    c.keys[base + r] = in.readFloat();
                }
                for (int r = 0; r < c.dim; r++) {
                    c.kv[base + r] = in.readShort();
                }
            }
        }
        return c;
    }

    /** A deep copy. */
    public HistoryChunk copy() {
        HistoryChunk c = new HistoryChunk();
        c.count = count;
        System.arraycopy(time, 0, c.time, 0, count);
        System.arraycopy(amount, 0, c.amount, 0, count);
        System.arraycopy(lat, 0, c.lat, 0, count);
        System.arraycopy(lon, 0, c.lon, 0, count);
        System.arraycopy(homeKm, 0, c.homeKm, 0, count);
        System.arraycopy(channel, 0, c.channel, 0, count);
        System.arraycopy(categoryHash, 0, c.categoryHash, 0, count);
        System.arraycopy(merchantHash, 0, c.merchantHash, 0, count);
        System.arraycopy(id, 0, c.id, 0, count);
        c.kvTag = kvTag;
        c.dim = dim;
        c.kv = kv == null ? null : kv.clone();
        c.keys = keys == null ? null : keys.clone();
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HistoryChunk c) || c.count != count || !java.util.Objects.equals(kvTag, c.kvTag)
                || !Arrays.equals(kv, c.kv) || !Arrays.equals(keys, c.keys)) {
            return false;
        }
        for (int j = 0; j < count; j++) {
            if (time[j] != c.time[j] || !id[j].equals(c.id[j])
                    || Float.floatToIntBits(amount[j]) != Float.floatToIntBits(c.amount[j])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return count * 31 + (count > 0 ? id[count - 1].hashCode() : 0);
    }
}
