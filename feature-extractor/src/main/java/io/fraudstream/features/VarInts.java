package io.fraudstream.features;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Unsigned LEB128 varints, the one codec of every state format that writes them ({@link CardHistory}'s v1 form, the
 * job's card-state header and point-of-purchase counts): seven bits per byte, low group first, the high bit set on
 * every byte but the last. Values are non-negative longs (at most 63 bits, nine bytes); a reader refuses a longer
 * varint or, for an int, one above {@link Integer#MAX_VALUE}, naming what it was reading, instead of returning a
 * wrapped value.
 */
public final class VarInts {

    private VarInts() {}

    /** Writes {@code value} (must be non-negative: a negative one is a bug in the writer, not in the data). */
    public static void write(DataOutput out, long value) throws IOException {
        if (value < 0) {
            throw new IllegalArgumentException("negative varint " + value);
        }
        while ((value & ~0x7FL) != 0) {
            out.writeByte((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.writeByte((int) value);
    }

    /** Reads a varint of at most 63 bits; {@code what} names the field in the error of a corrupt one. */
    public static long readLong(DataInput in, String what) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            int b = in.readUnsignedByte();
            if (shift == 56 && (b & 0x80) != 0) {
                break; // a tenth byte would follow: more than 63 bits
            }
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("corrupt " + what + ": varint longer than 63 bits");
    }

    /** Reads a varint that must fit a non-negative int. */
    public static int readInt(DataInput in, String what) throws IOException {
        long value = readLong(in, what);
        if (value > Integer.MAX_VALUE) {
            throw new IOException("corrupt " + what + ": " + value + " above " + Integer.MAX_VALUE);
        }
        return (int) value;
    }
}
