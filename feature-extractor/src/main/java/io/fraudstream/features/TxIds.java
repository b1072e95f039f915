package io.fraudstream.features;

import java.util.UUID;

/**
 * Transaction ids held as two longs instead of a string where the id's form allows it exactly: a canonical
 * lower-case UUID ({@link #UUID_KIND}, what the simulator and most payment switches issue) or 32 lower-case hex
 * digits ({@link #HEX32_KIND}, the Sparkov {@code trans_num}). Any other id is kept as its string
 * ({@link #TEXT_KIND}). A 36-character id string costs about 80 bytes of heap; its two longs cost 16, which is most
 * of what lets a 1,024-entry history fit in half the memory ({@link CardHistory#estimatedBytes}).
 *
 * <p>Both packed forms keep the string order: the hex digits sit at the same positions in every id of a form, and
 * {@code '0' < '9' < 'a' < 'f'}, so comparing (hi, lo) unsigned orders them exactly as {@link String#compareTo}
 * does. Ids of different forms are compared as strings. Stateless.
 */
final class TxIds {
    static final byte UUID_KIND = 0;
    static final byte HEX32_KIND = 1;
    static final byte TEXT_KIND = 2;

    private TxIds() {
    }

    /** The form of {@code id}. */
    static byte kind(String id) {
        int n = id.length();
        if (n == 36) {
            for (int i = 0; i < 36; i++) {
                char c = id.charAt(i);
                boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
                if (dash ? c != '-' : hexDigit(c) < 0) {
                    return TEXT_KIND;
                }
            }
            return UUID_KIND;
        }
        if (n == 32) {
            for (int i = 0; i < 32; i++) {
                if (hexDigit(id.charAt(i)) < 0) {
                    return TEXT_KIND;
                }
            }
            return HEX32_KIND;
        }
        return TEXT_KIND;
    }

    /** The high 64 bits of a packed id ({@code kind} from {@link #kind}, not TEXT). */
    static long hi(String id, byte kind) {
        return kind == UUID_KIND ? parse(id, 0, 18) : parse(id, 0, 16);
    }

    /** The low 64 bits of a packed id. */
    static long lo(String id, byte kind) {
        return kind == UUID_KIND ? parse(id, 19, 36) : parse(id, 16, 32);
    }

    /** The string of a packed id. */
    static String text(long hi, long lo, byte kind) {
        if (kind == UUID_KIND) {
            return new UUID(hi, lo).toString();
        }
        if (kind != HEX32_KIND) {
            throw new IllegalArgumentException("not a packed id kind: " + kind);
        }
        char[] c = new char[32];
        for (int i = 0; i < 16; i++) {
            c[i] = Character.forDigit((int) (hi >>> (60 - 4 * i)) & 0xF, 16);
            c[16 + i] = Character.forDigit((int) (lo >>> (60 - 4 * i)) & 0xF, 16);
        }
        return new String(c);
    }

    /**
     * {@code a.compareTo(b)}'s sign for two ids in (kind, hi, lo, text) form: text is the id string for TEXT ids
     * (null otherwise).
     */
    static int compare(byte kindA, long hiA, long loA, String textA, byte kindB, long hiB, long loB, String textB) {
        if (kindA == kindB && kindA != TEXT_KIND) {
            int c = Long.compareUnsigned(hiA, hiB);
            return c != 0 ? c : Long.compareUnsigned(loA, loB);
        }
        String a = kindA == TEXT_KIND ? textA : text(hiA, loA, kindA);
        String b = kindB == TEXT_KIND ? textB : text(hiB, loB, kindB);
        return Integer.signum(a.compareTo(b));
    }

    private static long parse(String s, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c != '-') {
                v = (v << 4) | hexDigit(c);
            }
        }
        return v;
    }

    /** 0-15 for a lower-case hex digit, else -1 (upper case would not round-trip). */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }
}
