package io.fraudstream.job.pop;

import io.fraudstream.features.VarInts;
import io.fraudstream.features.pop.PopCounts;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Compact Flink serializer for a point of purchase's hourly counts ({@link PopCounts}), the values of the broadcast
 * state {@code JobStreams.POP_COUNTS}. Replaces Flink's POJO serializer, which wrote each {@code int[]} at its full
 * capacity and 12 B per hourly bucket. Never Kryo, never Java serialization.
 *
 * <p><b>Format, version 1</b> (varints are unsigned LEB128: 7 bits per byte, low bits first):
 * <pre>
 * byte    version (1)
 * varint  size, the number of hourly buckets (at most {@value #MAX_BUCKETS})
 * size times:
 *   varint64  (h &lt;&lt; 1) | hasFraud, where h is the first hour zigzag-encoded (hours may be negative), then the
 *             hour's delta from the previous bucket's hour (at least 1: hours are strictly ascending)
 *   varint    transactions (&ge; 0)
 *   varint    frauds, only when hasFraud (then &gt; 0)
 * </pre>
 * A busy terminal's bucket (delta 1, a few dozen transactions, no fraud) takes 2 bytes.
 *
 * <p>Only the first {@code size} entries are written; what is read is validated (version, size, non-negative and
 * non-overflowing counts, strictly ascending hours, canonical fraud flag) and a violation throws an
 * {@link IOException} naming it rather than building a corrupt object. {@link #serialize} refuses, with an
 * {@link IOException}, a value the reader would refuse, so a checkpoint it completes can be restored. Deserialized
 * and copied values hold packed bytes of exactly their length. Stateless.
 *
 * <p>The format is the one of the release that introduced this serializer, unchanged: only {@link PopCounts}'s
 * in-memory form changed since (varint records in one {@code byte[]}, see its class comment); values are decoded
 * from it and written in this format, and read values are packed again.
 */
public final class PopCountsSerializer extends TypeSerializer<PopCounts> {
    private static final long serialVersionUID = 1L;

    public static final PopCountsSerializer INSTANCE = new PopCountsSerializer();

    /** The format version written first. */
    static final int VERSION = 1;
    /** Most hourly buckets a value may hold: about 120 years of hours (the job keeps 745). */
    public static final int MAX_BUCKETS = 1 << 20;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<PopCounts> duplicate() {
        return this;
    }

    @Override
    public PopCounts createInstance() {
        return new PopCounts();
    }

    /** A deep copy, its packed bytes trimmed to their length. */
    @Override
    public PopCounts copy(PopCounts from) {
        return from.copy();
    }

    @Override
    public PopCounts copy(PopCounts from, PopCounts reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(PopCounts record, DataOutputView target) throws IOException {
        int size = record.size;
        if (size < 0 || size > MAX_BUCKETS) {
            throw new IOException("PopCounts not serializable: size " + size + " is negative or exceeds "
                    + MAX_BUCKETS);
        }
        // Checked before the first byte is written: a refused value leaves nothing half-written.
        record.forEachBucket((hour, tx, fraud) -> {
            if (tx < 0 || fraud < 0) {
                throw new IOException("PopCounts not serializable: negative count at hour " + hour
                        + " (transactions " + tx + ", frauds " + fraud + ")");
            }
        });
        target.writeByte(VERSION);
        VarInts.write(target, size);
        long[] previous = {0};
        boolean[] first = {true};
        record.forEachBucket((hour, tx, fraud) -> {
            long h;
            if (first[0]) {
                h = zigzag(hour);
                first[0] = false;
            } else {
                h = (long) hour - previous[0];
                if (h <= 0) { // cannot happen in the packed form: its hours ascend by construction
                    throw new IOException("PopCounts not serializable: hours not strictly ascending (" + previous[0]
                            + " then " + hour + ")");
                }
            }
            VarInts.write(target, (h << 1) | (fraud != 0 ? 1 : 0));
            VarInts.write(target, tx);
            if (fraud != 0) {
                VarInts.write(target, fraud);
            }
            previous[0] = hour;
        });
    }

    @Override
    public PopCounts deserialize(DataInputView source) throws IOException {
        int version = source.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("Corrupt PopCounts: unknown format version " + version + " (expected " + VERSION
                    + ")");
        }
        int size = VarInts.readInt(source, "PopCounts size");
        if (size > MAX_BUCKETS) {
            throw new IOException("Corrupt PopCounts: size " + size + " exceeds " + MAX_BUCKETS);
        }
        int[] hours = new int[size];
        int[] transactions = new int[size];
        int[] frauds = new int[size];
        long previous = 0;
        for (int i = 0; i < size; i++) {
            long packed = VarInts.readLong(source, "PopCounts hour");
            boolean hasFraud = (packed & 1) != 0;
            long h = packed >>> 1;
            long hour;
            if (i == 0) {
                if (h > 0xFFFF_FFFFL) {
                    throw new IOException("Corrupt PopCounts: first hour out of range (zigzag " + h + ")");
                }
                hour = (h >>> 1) ^ -(h & 1);
            } else {
                if (h == 0) {
                    throw new IOException("Corrupt PopCounts: hours not strictly ascending (bucket " + i
                            + " repeats hour " + previous + ")");
                }
                hour = previous + h;
                if (hour > Integer.MAX_VALUE) {
                    throw new IOException("Corrupt PopCounts: hour overflows at bucket " + i + " (" + previous + " + "
                            + h + ")");
                }
            }
            hours[i] = (int) hour;
            transactions[i] = VarInts.readInt(source, "PopCounts transaction count");
            if (hasFraud) {
                int fraud = VarInts.readInt(source, "PopCounts fraud count");
                if (fraud == 0) {
                    throw new IOException("Corrupt PopCounts: fraud flag set with a zero fraud count at bucket " + i);
                }
                frauds[i] = fraud;
            }
            previous = hour;
        }
        return PopCounts.of(hours, transactions, frauds, size);
    }

    @Override
    public PopCounts deserialize(PopCounts reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof PopCountsSerializer;
    }

    @Override
    public int hashCode() {
        return PopCountsSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<PopCounts> snapshotConfiguration() {
        return new PopCountsSerializerSnapshot();
    }

    private static long zigzag(int value) {
        return ((long) value << 1) ^ ((long) value >> 63); // in [0, 2^32)
    }
}
