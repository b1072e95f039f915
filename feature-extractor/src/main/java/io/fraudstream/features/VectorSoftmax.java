package io.fraudstream.features;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The softmax of {@link FeatureExtractor} (over the k kept scores of a head, or all n when dense) written with the
 * Vector API (incubating in JDK 17): the max and the numerators {@link FastMath#expNonPositive} per vector, where
 * the scalar code makes one call, with a branch, per score (k * H = 128 per event by default).
 *
 * <p>Bit-identical to the scalar softmax: every float operation of {@link FastMath#expNonPositive} lanewise, in the
 * same order (IEEE per operation, no FMA); the max is order-independent (Math.max semantics, -0.0 below +0.0); the
 * numerators are summed in double one by one in index order, as the scalar loop does (a vector reduction would
 * round differently). NaN payloads, which the extractor's arithmetic never makes, are not promised.
 *
 * <p>Loaded only where the vector kernels run, like {@link VectorTopK}; no vector type in a signature. The shift
 * takes its count as an int, as in {@link VectorBiases}: a shift by a vector count masks the count with
 * {@code lanewise(AND, int)}, the broadcasting call site that {@code VectorTopK.segment} makes on 256-bit rows,
 * and made it bimorphic (18 kB boxed per event in the replay); an int count goes through lanewiseShift instead.
 */
final class VectorSoftmax {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    private static final float LOG2E = 1.442695f;
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.428606765330187e-6f;
    /** 1.5 * 2^23: x + this - this rounds x to an integer (ties to even) for |x| < 2^22. */
    private static final float ROUND_SHIFTER = 12582912f;
    /** 2^23 + 127: an integer-valued float i in [-127, 128] plus this has i + 127 in its low 8 mantissa bits. */
    private static final float EXP_MAGIC = 8388735f;

    private VectorSoftmax() {}

    /** w[0..n) = softmax of s[0..n) (max-shifted, summed in double); returns the max of s. As the scalar one. */
    static float softmax(float[] s, float[] w, int n) {
        final int end = n - n % LANES;
        FloatVector mv = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j < end; j += LANES) {
            mv = mv.max(FloatVector.fromArray(SPECIES, s, j));
        }
        float max = mv.reduceLanes(VectorOperators.MAX);
        for (; j < n; j++) {
            max = Math.max(max, s[j]);
        }
        exp(s, max, w, end);
        for (j = end; j < n; j++) {
            w[j] = FastMath.expNonPositive(s[j] - max);
        }
        double sum = 0;
        for (j = 0; j < n; j++) {
            sum += w[j];
        }
        final float inv = (float) (1.0 / sum);
        final FloatVector iv = FloatVector.broadcast(SPECIES, inv);
        for (j = 0; j < end; j += LANES) {
            FloatVector.fromArray(SPECIES, w, j).mul(iv).intoArray(w, j);
        }
        for (; j < n; j++) {
            w[j] *= inv;
        }
        return max;
    }

    /** Float lanes of the preferred species (tests). */
    static int lanes() {
        return LANES;
    }

    /**
     * w[j] = {@link FastMath#expNonPositive}(s[j] - max) for j in [0, end), end a multiple of the lanes. JDK 17's C2
     * does not intrinsify the F2I and I2F conversions here (they boxed every vector), so the int i is never made:
     * with t = x * LOG2E in (-126, 0] wherever the result is used (x >= -87; below, the lane is replaced by 0 as
     * the scalar early return does), the float fi = (float) (int) t is ceil(t) (the cast truncates toward zero),
     * found exactly by rounding t to an integer with the 1.5 * 2^23 shifter and adding 1 where that rounded down;
     * fi + (2^23 + 127) is exact and holds i + 127 in its low mantissa bits, shifted into the exponent field for
     * the scale 2^i. Everything after is the scalar arithmetic with fi for i.
     */
    static void exp(float[] s, float max, float[] w, int end) {
        final FloatVector mv = FloatVector.broadcast(SPECIES, max);
        final FloatVector limit = FloatVector.broadcast(SPECIES, -87f);
        final FloatVector log2e = FloatVector.broadcast(SPECIES, LOG2E);
        final FloatVector shifter = FloatVector.broadcast(SPECIES, ROUND_SHIFTER);
        final FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        final FloatVector expMagic = FloatVector.broadcast(SPECIES, EXP_MAGIC);
        final FloatVector ln2Hi = FloatVector.broadcast(SPECIES, LN2_HI);
        final FloatVector ln2Lo = FloatVector.broadcast(SPECIES, LN2_LO);
        final FloatVector zero = FloatVector.zero(SPECIES);
        for (int j = 0; j < end; j += LANES) {
            FloatVector x = FloatVector.fromArray(SPECIES, s, j).sub(mv);
            VectorMask<Float> under = x.compare(VectorOperators.LT, limit);
            FloatVector t = x.mul(log2e);
            FloatVector r = t.add(shifter).sub(shifter);
            FloatVector fi = r.add(one, r.compare(VectorOperators.LT, t));
            FloatVector f = x.sub(fi.mul(ln2Hi)).sub(fi.mul(ln2Lo));
            // Horner from the innermost term out, as the scalar expression nests (a + b and a * b commute exactly)
            FloatVector p = f.mul(2.4801588e-5f).add(1.984127e-4f);
            p = f.mul(p).add(1.3888889e-3f);
            p = f.mul(p).add(8.333334e-3f);
            p = f.mul(p).add(4.1666668e-2f);
            p = f.mul(p).add(1.6666667e-1f);
            p = f.mul(p).add(0.5f);
            p = f.mul(p).add(one);
            p = f.mul(p).add(one);
            FloatVector scale = fi.add(expMagic).reinterpretAsInts().lanewise(VectorOperators.LSHL, 23)
                    .reinterpretAsFloats();
            scale.mul(p).blend(zero, under).intoArray(w, j);
        }
    }
}
