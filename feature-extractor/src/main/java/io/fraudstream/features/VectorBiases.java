package io.fraudstream.features;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The relative biases of {@link FeatureExtractor#computeBiases} written with the Vector API (incubating in JDK 17):
 * each bias in one pass that computes the time distance or the local distance and its log1p per vector, where the
 * scalar code needs a distance pass plus the four passes of {@link FastMath#log1p} (C2 vectorizes each of those
 * only when split, with the distances and the exponent and mantissa going through scratch arrays).
 *
 * <p>Bit-identical to the scalar code: every float operation is the scalar one, in the same order, lanewise (IEEE
 * per operation; no FMA, which would round once where the scalar code rounds twice). The few places where the
 * lanewise form differs from the scalar one say why the result is the same.
 *
 * <p>Loaded only after {@link FeatureExtractor#vectorTopKSupported()} (same discipline as {@link VectorTopK}); no
 * vector type in a signature FeatureExtractor calls. The log1p is written out in both loops rather than shared
 * by a method taking a vector: in the replay C2 did not inline such a helper (too large for the call's frequency,
 * then the node-count cutoff) and boxed every vector passed to it.
 *
 * <p>The int masks are vectors made before the loops, not int arguments: {@code IntVector.lanewise(op, int)} (and
 * {@code or(int)}, {@code and(int)}) broadcasts through a virtual call that {@code VectorTopK.segment} also makes on
 * 256-bit rows; this class's 512-bit calls made that call site's profile bimorphic, C2 merged the two vector types
 * and boxed the rows there, 18 kB per event in the replay.
 */
final class VectorBiases {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final VectorSpecies<Integer> INTS = SPECIES.withLanes(int.class);
    /** Longs of the same width: half as many lanes, so two of them feed one float vector. */
    private static final VectorSpecies<Long> LONGS = SPECIES.withLanes(long.class);
    private static final int HALF = LONGS.length();

    private static final float HOURS_PER_MS = 1f / 3_600_000f;
    private static final float LN2 = 0.6931472f;
    private static final float EXP_MAGIC = 8388735f;

    private VectorBiases() {}

    /**
     * logT[j] = log1p(|(float) (tq - time[j])| * HOURS_PER_MS) for j in [0, n), as the scalar dt pass followed by
     * {@link FastMath#log1p}. A long vector converts to half a float vector (same lane count): two of them, the
     * second converted into the upper half (convertShape part -1), are joined by OR, each being zero outside its
     * half. Measured against a scalar dt pass + this log1p: 650 vs 763 ns per 774 entries standalone, 10.83 vs
     * 11.06 µs/event in the replay (6 alternating pairs); the allocation check in ReplayExtractorLoop stayed at the
     * loop's own 344.7 B/event, so the 256-bit float vectors and shuffles this brings did not box anything.
     */
    static void logTime(long[] time, long tq, float[] logT, int n) {
        final IntVector exponentBias = IntVector.broadcast(INTS, 0x4B000000);
        final IntVector mantissaMask = IntVector.broadcast(INTS, 0x007FFFFF);
        final IntVector one = IntVector.broadcast(INTS, 0x3F800000);
        final LongVector t = LongVector.broadcast(LONGS, tq);
        final int end = n - n % LANES;
        int j = 0;
        for (; j < end; j += LANES) {
            // tq - time[j] is exact in long; long to float rounds to nearest even, as the scalar (float) cast
            FloatVector lo = (FloatVector) t.sub(LongVector.fromArray(LONGS, time, j))
                    .convertShape(VectorOperators.L2F, SPECIES, 0);
            FloatVector hi = (FloatVector) t.sub(LongVector.fromArray(LONGS, time, j + HALF))
                    .convertShape(VectorOperators.L2F, SPECIES, -1);
            FloatVector x = lo.reinterpretAsInts().or(hi.reinterpretAsInts()).reinterpretAsFloats().abs()
                    .mul(HOURS_PER_MS);
            // FastMath.log1p(x), op for op
            IntVector bits = x.add(1f).reinterpretAsInts();
            FloatVector e = bits.lanewise(VectorOperators.LSHR, 23).or(exponentBias).reinterpretAsFloats();
            FloatVector m = bits.and(mantissaMask).or(one).reinterpretAsFloats();
            FloatVector z = m.sub(1f).div(m.add(1f));
            FloatVector z2 = z.mul(z);
            // Horner from the innermost term out, as the scalar expression nests (a + b and a * b commute exactly)
            FloatVector p = z2.mul(0.18181819f).add(0.2222222f);
            p = z2.mul(p).add(0.2857143f);
            p = z2.mul(p).add(0.4f);
            p = z2.mul(p).add(0.6666667f);
            p = z.mul(z2.mul(p).add(2f));
            e.sub(EXP_MAGIC).mul(LN2).add(p).intoArray(logT, j);
        }
        for (; j < n; j++) {
            logT[j] = log1p(Math.abs((float) (tq - time[j])) * HOURS_PER_MS);
        }
    }

    /**
     * logS[j] = log1p(local km from (qLat, qLon) to entry j, 0 where the entry's location is unknown), as the
     * scalar distance pass followed by {@link FastMath#log1p}.
     */
    static void logSpace(float[] lat, float[] lon, float[] cosLat, float[] known, float qLat, float qLon,
            float qCos, float kmPerDeg, float[] logS, int n) {
        final int end = n - n % LANES;
        final IntVector exponentBias = IntVector.broadcast(INTS, 0x4B000000);
        final IntVector mantissaMask = IntVector.broadcast(INTS, 0x007FFFFF);
        final IntVector one = IntVector.broadcast(INTS, 0x3F800000);
        int j = 0;
        for (; j < end; j += LANES) {
            FloatVector dLat = FloatVector.broadcast(SPECIES, qLat).sub(FloatVector.fromArray(SPECIES, lat, j));
            FloatVector dLon = FloatVector.broadcast(SPECIES, qLon).sub(FloatVector.fromArray(SPECIES, lon, j)).abs();
            // Math.min(dLon, 360 - dLon) on ints: both are non-negative and not NaN (stored coordinates are finite;
            // abs gives +0.0, 360 - 360 too), and such floats order as their bits do; one vpminsd instead of the
            // NaN- and -0.0-aware FloatVector min
            FloatVector wrapped = FloatVector.broadcast(SPECIES, 360f).sub(dLon);
            dLon = dLon.reinterpretAsInts().min(wrapped.reinterpretAsInts()).reinterpretAsFloats();
            FloatVector x = dLon.mul(0.5f).mul(FloatVector.fromArray(SPECIES, cosLat, j).add(qCos));
            // the float sqrt is correctly rounded, as is (float) Math.sqrt((double) f)
            FloatVector km = FloatVector.broadcast(SPECIES, kmPerDeg).mul(dLat.mul(dLat).add(x.mul(x)).sqrt())
                    .mul(FloatVector.fromArray(SPECIES, known, j));
            // FastMath.log1p(km), op for op (the same lines as in logTime)
            IntVector bits = km.add(1f).reinterpretAsInts();
            FloatVector e = bits.lanewise(VectorOperators.LSHR, 23).or(exponentBias).reinterpretAsFloats();
            FloatVector m = bits.and(mantissaMask).or(one).reinterpretAsFloats();
            FloatVector z = m.sub(1f).div(m.add(1f));
            FloatVector z2 = z.mul(z);
            // Horner from the innermost term out, as the scalar expression nests (a + b and a * b commute exactly)
            FloatVector p = z2.mul(0.18181819f).add(0.2222222f);
            p = z2.mul(p).add(0.2857143f);
            p = z2.mul(p).add(0.4f);
            p = z2.mul(p).add(0.6666667f);
            p = z.mul(z2.mul(p).add(2f));
            e.sub(EXP_MAGIC).mul(LN2).add(p).intoArray(logS, j);
        }
        for (; j < n; j++) {
            float dLat = qLat - lat[j];
            float dLon = Math.abs(qLon - lon[j]);
            dLon = Math.min(dLon, 360f - dLon);
            float x = dLon * 0.5f * (qCos + cosLat[j]);
            logS[j] = log1p(kmPerDeg * (float) Math.sqrt(dLat * dLat + x * x) * known[j]);
        }
    }

    /** {@link FastMath#log1p}'s arithmetic, op for op, on one float (the tails). */
    private static float log1p(float x) {
        int bits = Float.floatToRawIntBits(x + 1f);
        float e = Float.intBitsToFloat((bits >>> 23) | 0x4B000000);
        float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F800000);
        float z = (m - 1f) / (m + 1f);
        float z2 = z * z;
        float p = z * (2f + z2 * (0.6666667f + z2 * (0.4f + z2 * (0.2857143f + z2 * (0.2222222f
                + z2 * 0.18181819f)))));
        return (e - EXP_MAGIC) * LN2 + p;
    }
}
