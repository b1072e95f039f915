package io.fraudstream.features;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Up to {@link #CAPACITY} of a card's stored transactions, in <b>arrival</b> order: their raw fields only (about 45
 * bytes each). No keys or values: the attention reads tokens derived from the raw fields, the same for every model
 * ({@link FeatureExtractor}). Chunks written by the previous release also carry one model's K/V; they are read
 * (and the K/V skipped) and {@link #carriesLegacyKv} tells the job to write them again without.
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
    /** The id, packed as in {@link CardHistory} ({@link TxIds}); idText only for ids of neither packed form. */
    final byte[] idKind = new byte[CAPACITY];
    final long[] idHi = new long[CAPACITY];
    final long[] idLo = new long[CAPACITY];
    final String[] idText = new String[CAPACITY];
    /** Whether the stored form this chunk was read from carried K/V (the previous release's form). */
    boolean legacyKv;

    public int size() { return count; }
    public boolean isFull() { return count == CAPACITY; }
    /** Whether this chunk was read from a stored form that carried K/V; writing it again drops them. */
    public boolean carriesLegacyKv() { return legacyKv; }
    public String transactionIdAt(int j) {
        return idKind[j] == TxIds.TEXT_KIND ? idText[j] : TxIds.text(idHi[j], idLo[j], idKind[j]);
    }
    public long eventTimeAt(int j) { return time[j]; }

    /**
     * {@code h}'s logical index of entry {@code j} ({@link CardHistory#indexOf(String, long)}), -1 when it is not in
     * the window; compares the packed ids, no id formatted.
     */
    public int indexIn(CardHistory h, int j) {
        return h.indexOf(time[j], idKind[j], idHi[j], idLo[j], idText[j]);
    }

    /** Appends the raw fields of the history's entry at {@code logical}. The chunk must not be full. */
    public void append(CardHistory h, int logical) {
        if (count == CAPACITY) {
            throw new IllegalStateException("chunk full");
        }
        int s = h.slot(logical);
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
        idKind[j] = h.idKind[s];
        idHi[j] = h.idHi[s];
        idLo[j] = h.idLo[s];
        idText[j] = h.textAt(s);
    }

    /**
     * Writes the state form: byte FORMAT_VERSION; byte count; UTF K/V tag (always "" now: no K/V; the previous
     * release wrote a model version and then byte d); per entry: long time, float amount, byte flags (bits 0-2
     * channel, bit 3 location known, bit 4 home distance known, bit 5 UUID id), [float lat, lon], [float homeKm], int
     * category hash, int merchant hash, the id (two longs or UTF), [d float keys, d half values when tagged].
     * About 45 bytes per entry.
     */
    public void writeTo(DataOutput out) throws IOException {
        out.writeByte(FORMAT_VERSION);
        out.writeByte(count);
        out.writeUTF("");
        for (int j = 0; j < count; j++) {
            out.writeLong(time[j]);
            out.writeFloat(amount[j]);
            boolean known = lat[j] == lat[j] && lon[j] == lon[j];
            boolean home = homeKm[j] == homeKm[j];
            boolean uuid = idKind[j] == TxIds.UUID_KIND;
            out.writeByte(channel[j] | (known ? 8 : 0) | (home ? 16 : 0) | (uuid ? 32 : 0));
            if (known) {
                out.writeFloat(lat[j]);
                out.writeFloat(lon[j]);
            }
            if (home) {
                out.writeFloat(homeKm[j]);
            }
            out.writeInt(categoryHash[j]);
            out.writeInt(merchantHash[j]);
            if (uuid) {
                out.writeLong(idHi[j]);
                out.writeLong(idLo[j]);
            } else {
                out.writeUTF(transactionIdAt(j));
            }
        }
    }

    /** Packs {@code id} into entry {@code j}. */
    private void setId(int j, String id) {
        byte kind = TxIds.kind(id);
        idKind[j] = kind;
        boolean text = kind == TxIds.TEXT_KIND;
        idHi[j] = text ? 0 : TxIds.hi(id, kind);
        idLo[j] = text ? 0 : TxIds.lo(id, kind);
        idText[j] = text ? id : null;
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
        int kvBytes = 0;
        if (!tag.isEmpty()) {
            c.legacyKv = true;
            kvBytes = in.readUnsignedByte() * (Float.BYTES + Short.BYTES); // d float keys, d half values
        }
        byte[] skipped = new byte[kvBytes];
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
            if ((flags & 32) != 0) {
                c.idKind[j] = TxIds.UUID_KIND;
                c.idHi[j] = in.readLong();
                c.idLo[j] = in.readLong();
            } else {
                c.setId(j, in.readUTF());
            }
            in.readFully(skipped); // K/V of the previous form: not used
        }
        return c;
    }

    /**
     * A new chunk of this chunk's entries {@code [from, to)}: what the job stores as a delta segment of a card's tail
     * chunk (the entries appended since the tail was last written), instead of the whole tail.
     */
    public HistoryChunk slice(int from, int to) {
        if (from < 0 || from > to || to > count) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") of " + count + " entries");
        }
        HistoryChunk c = new HistoryChunk();
        c.appendRange(this, from, to);
        return c;
    }

    /** Appends every entry of {@code other} (a delta segment of this tail chunk), in order. */
    public void appendAll(HistoryChunk other) {
        appendRange(other, 0, other.count);
    }

    private void appendRange(HistoryChunk o, int from, int to) {
        int n = to - from;
        if (count + n > CAPACITY) {
            throw new IllegalStateException("chunk full: " + count + " + " + n + " entries");
        }
        System.arraycopy(o.time, from, time, count, n);
        System.arraycopy(o.amount, from, amount, count, n);
        System.arraycopy(o.lat, from, lat, count, n);
        System.arraycopy(o.lon, from, lon, count, n);
        System.arraycopy(o.homeKm, from, homeKm, count, n);
        System.arraycopy(o.channel, from, channel, count, n);
        System.arraycopy(o.categoryHash, from, categoryHash, count, n);
        System.arraycopy(o.merchantHash, from, merchantHash, count, n);
        System.arraycopy(o.idKind, from, idKind, count, n);
        System.arraycopy(o.idHi, from, idHi, count, n);
        System.arraycopy(o.idLo, from, idLo, count, n);
        System.arraycopy(o.idText, from, idText, count, n);
        count += n;
    }

    /** A deep copy. */
    public HistoryChunk copy() {
        HistoryChunk c = new HistoryChunk();
        c.appendRange(this, 0, count);
        c.legacyKv = legacyKv;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HistoryChunk c) || c.count != count) {
            return false;
        }
        for (int j = 0; j < count; j++) {
            if (time[j] != c.time[j] || idKind[j] != c.idKind[j] || idHi[j] != c.idHi[j] || idLo[j] != c.idLo[j]
                    || !java.util.Objects.equals(idText[j], c.idText[j])
                    || Float.floatToIntBits(amount[j]) != Float.floatToIntBits(c.amount[j])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return count * 31 + (count > 0 ? Long.hashCode(idLo[count - 1]) : 0);
    }
}
