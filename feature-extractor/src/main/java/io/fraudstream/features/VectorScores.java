package io.fraudstream.features;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * One head's scores ({@link FeatureExtractor#scoreHead}) for head width 8 in one Vector API pass: the biases and
 * both groups of four key dimensions per vector, one store, where the scalar code makes three passes that each
 * load and store the scores (C2 left a fused scalar loop unvectorized).
 *
 * <p>Bit-identical to the scalar passes: s = a lt + b ls, then s + (((q0 k0 + q1 k1) + q2 k2) + q3 k3), then the
 * same with dimensions 4..7, each operation lanewise in that order (no FMA). Loaded only where the vector kernels
 * run, like {@link VectorTopK}.
 */
final class VectorScores {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** The head width this pass is written for (the default: d = 32, 4 heads). */
    static final int HEAD_DIM = 8;

    private VectorScores() {}

    /**
     * s[0..n) = a lt + b ls + sum over the key dimensions c .. c+7 of (q[c + i] * invSqrtDh) keys[c + i], summed as
     * the scalar passes do. The query weights are broadcast before the loop: loop-invariant vectors made inside a
     * call stay in registers.
     */
    static void scoreHead8(float[] s, float[] lt, float[] ls, float a, float b, float[][] keys, int c, float[] q,
            float invSqrtDh, int n) {
        final float q0 = q[c] * invSqrtDh;
        final float q1 = q[c + 1] * invSqrtDh;
        final float q2 = q[c + 2] * invSqrtDh;
        final float q3 = q[c + 3] * invSqrtDh;
        final float q4 = q[c + 4] * invSqrtDh;
        final float q5 = q[c + 5] * invSqrtDh;
        final float q6 = q[c + 6] * invSqrtDh;
        final float q7 = q[c + 7] * invSqrtDh;
        final float[] k0 = keys[c];
        final float[] k1 = keys[c + 1];
        final float[] k2 = keys[c + 2];
        final float[] k3 = keys[c + 3];
        final float[] k4 = keys[c + 4];
        final float[] k5 = keys[c + 5];
        final float[] k6 = keys[c + 6];
        final float[] k7 = keys[c + 7];
        final FloatVector av = FloatVector.broadcast(SPECIES, a);
        final FloatVector bv = FloatVector.broadcast(SPECIES, b);
        final FloatVector w0 = FloatVector.broadcast(SPECIES, q0);
        final FloatVector w1 = FloatVector.broadcast(SPECIES, q1);
        final FloatVector w2 = FloatVector.broadcast(SPECIES, q2);
        final FloatVector w3 = FloatVector.broadcast(SPECIES, q3);
        final FloatVector w4 = FloatVector.broadcast(SPECIES, q4);
        final FloatVector w5 = FloatVector.broadcast(SPECIES, q5);
        final FloatVector w6 = FloatVector.broadcast(SPECIES, q6);
        final FloatVector w7 = FloatVector.broadcast(SPECIES, q7);
        final int end = n - n % LANES;
        int j = 0;
        for (; j < end; j += LANES) {
            FloatVector v = av.mul(FloatVector.fromArray(SPECIES, lt, j))
                    .add(bv.mul(FloatVector.fromArray(SPECIES, ls, j)));
            v = v.add(w0.mul(FloatVector.fromArray(SPECIES, k0, j))
                    .add(w1.mul(FloatVector.fromArray(SPECIES, k1, j)))
                    .add(w2.mul(FloatVector.fromArray(SPECIES, k2, j)))
                    .add(w3.mul(FloatVector.fromArray(SPECIES, k3, j))));
            v = v.add(w4.mul(FloatVector.fromArray(SPECIES, k4, j))
                    .add(w5.mul(FloatVector.fromArray(SPECIES, k5, j)))
                    .add(w6.mul(FloatVector.fromArray(SPECIES, k6, j)))
                    .add(w7.mul(FloatVector.fromArray(SPECIES, k7, j))));
            v.intoArray(s, j);
        }
        for (; j < n; j++) {
            float v = a * lt[j] + b * ls[j];
            v += q0 * k0[j] + q1 * k1[j] + q2 * k2[j] + q3 * k3[j];
            v += q4 * k4[j] + q5 * k5[j] + q6 * k6[j] + q7 * k7[j];
            s[j] = v;
        }
    }
}
