package io.fraudstream.job.scoring;

import io.fraudstream.features.VarInts;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The small per-card header of the chunked card state: which chunk indices are live ({@code [first, next)}), how
 * many entries they hold, the history's window and ring head (so a history rebuilt from its chunks has the written
 * layout and scores bit-identically), and, for chunks of the previous form that still carry one model's K/V, that
 * model's tag (so they are found and written back without K/V, without reading the others), and how many delta
 * segments the tail chunk has ({@code CardStateStore}: the entries appended since the tail was last written, stored
 * as their own map entries instead of rewriting the whole tail). A few dozen bytes, rewritten whenever the card is.
 */
public final class CardStateHeader {
    /** Version 2 adds {@link #segments}; version 1 (no segments) is read as 0 segments. */
    static final byte FORMAT_VERSION = 2;
    private static final byte FORMAT_VERSION_1 = 1;

    int window;
    int first;
    int next;
    int stored;
    int head;
    /**
     * Delta segments of the tail chunk (index {@code next - 1}) in the card's map, at keys -1, -2, ... in order; the
     * tail is the chunk stored at its index (absent when all of it is in segments) followed by them.
     */
    int segments;
    /** K/V tag of chunk {@code first + i} when it still carries K/V of the previous form (null: none, as written now). */
    final List<String> tags = new ArrayList<>();

    CardStateHeader(int window) {
        this.window = window;
    }

    String tag(int chunk) {
        return tags.get(chunk - first);
    }

    void setTag(int chunk, String tag) {
        tags.set(chunk - first, tag);
    }

    /** A new tail chunk index. */
    int addChunk() {
        tags.add(null);
        return next++;
    }

    /** Drops the oldest chunk. */
    void dropFirst(int entries) {
        tags.remove(0);
        first++;
        stored -= entries;
    }

    CardStateHeader copy() {
        CardStateHeader c = new CardStateHeader(window);
        c.first = first;
        c.next = next;
        c.stored = stored;
        c.head = head;
        c.segments = segments;
        c.tags.addAll(tags);
        return c;
    }

    /**
     * byte FORMAT_VERSION; varints window, first, next - first, stored, head; byte count of distinct tags, their UTF;
     * per chunk one byte: index of its tag + 1 (0: none); varint segments (version 2).
     */
    void writeTo(DataOutputView out) throws IOException {
        out.writeByte(FORMAT_VERSION);
        VarInts.write(out, window);
        VarInts.write(out, first);
        VarInts.write(out, next - first);
        VarInts.write(out, stored);
        VarInts.write(out, head);
        List<String> dict = new ArrayList<>(3);
        for (String t : tags) {
            if (t != null && !dict.contains(t)) {
                dict.add(t);
            }
        }
        out.writeByte(dict.size());
        for (String t : dict) {
            out.writeUTF(t);
        }
        for (String t : tags) {
            out.writeByte(t == null ? 0 : dict.indexOf(t) + 1);
        }
        VarInts.write(out, segments);
    }

    static CardStateHeader readFrom(DataInputView in) throws IOException {
        int version = in.readByte();
        if (version != FORMAT_VERSION && version != FORMAT_VERSION_1) {
            throw new IOException("unsupported card state header version " + version + " (this build reads "
                    + FORMAT_VERSION_1 + " and " + FORMAT_VERSION + ")");
        }
        CardStateHeader h = new CardStateHeader(VarInts.readInt(in, "card state header"));
        h.first = VarInts.readInt(in, "card state header");
        h.next = h.first + VarInts.readInt(in, "card state header");
        h.stored = VarInts.readInt(in, "card state header");
        h.head = VarInts.readInt(in, "card state header");
        int n = in.readUnsignedByte();
        String[] dict = new String[n];
        for (int i = 0; i < n; i++) {
            dict[i] = in.readUTF();
        }
        for (int c = h.first; c < h.next; c++) {
            int t = in.readUnsignedByte();
            if (t > n) {
                throw new IOException("corrupt card state header: tag " + t + " of " + n);
            }
            h.tags.add(t == 0 ? null : dict[t - 1]);
        }
        h.segments = version == FORMAT_VERSION_1 ? 0 : VarInts.readInt(in, "card state header");
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CardStateHeader h && h.window == window && h.first == first && h.next == next
                && h.stored == stored && h.head == head && h.segments == segments && h.tags.equals(tags);
    }

    @Override
    public int hashCode() {
        return Objects.hash(window, first, next, stored, head, segments, tags);
    }

    @Override
    public String toString() {
        return "CardStateHeader{window=" + window + ", chunks=[" + first + ", " + next + "), stored=" + stored
                + ", head=" + head + ", segments=" + segments + ", tags=" + Arrays.toString(tags.toArray()) + "}";
    }
}
