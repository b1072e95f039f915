package io.fraudstream.features;

/**
 * IEEE 754 half precision (binary16) conversions, round to nearest even, for the compact K/V form (Java 17 has no
 * {@code Float.floatToFloat16}). Half keeps 11 significant bits: a relative error of at most 2^-11 for values in
 * [6.1e-5, 65504]; smaller magnitudes become subnormal (absolute error at most 2^-25), larger ones infinity.
 */
public final class Fp16 {
    private Fp16() {}

    /** The half nearest to {@code f} (ties to even), as its 16 bits. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7FFF_FFFF;
        if (abs >= 0x7F80_0000) { // Inf or NaN
            return (short) (sign | 0x7C00 | (abs > 0x7F80_0000 ? 0x200 | ((abs >>> 13) & 0x3FF) : 0));
        }
        if (abs >= 0x477F_F000) { // rounds to >= 65520: overflow
            return (short) (sign | 0x7C00);
        }
        if (abs < 0x3880_0000) { // below 2^-14: subnormal half (or zero)
            if (abs < 0x3300_0000) { // below 2^-25: rounds to zero
                return (short) sign;
            }
            int exp = abs >>> 23;
            int mant = (abs & 0x7F_FFFF) | 0x80_0000;
            int shift = 126 - exp; // 14..24 below: value = mant * 2^(exp-150), half subnormal unit 2^-24
            int m = mant >>> shift;
            int rest = mant & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (m & 1) != 0)) {
                m++;
            }
            return (short) (sign | m);
        }
        int e = (abs >>> 23) - 127 + 15;
        int mant = abs & 0x7F_FFFF;
        int h = (e << 10) | (mant >>> 13);
        int rest = mant & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (h & 1) != 0)) {
            h++; // may carry into the exponent, which is right
        }
        return (short) (sign | h);
    }

    /** The float value of the half {@code h} (exact). */
    public static float toFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** {@code f} rounded to the nearest half: what a float is after a round trip through the compact form. */
    public static float round(float f) {
        return toFloat(fromFloat(f));
    }
}
