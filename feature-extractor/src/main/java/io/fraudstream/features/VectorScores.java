package io.fraudstream.features;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * One head's scores ({@link FeatureExtractor#scoreHead}) in one Vector API pass: the biases, u_h against the 9 dense
 * token columns, and the one-hot and flag contribution gathered from the head's table by each entry's combination,
 * one store per vector, where the scalar code makes five passes that each load and store the scores.
 *
 * <p>Bit-identical to the scalar passes: s = a lt + b ls, then s + (((u0 x0 + u1 x1) + u2 x2) + u3 x3), the same
 * with columns 4..7, then s + u8 x8, then s + table[combo], each operation lanewise in that order (no FMA). Loaded
 * only where the vector kernels run, like {@link VectorTopK}.
 */
final class VectorScores {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    private VectorScores() {}

    /**
     * s[0..n) = a lt + b ls + sum over the dense columns c of u[DENSE[c]] x[c] + table[combo], summed as the scalar
     * passes do. The weights are broadcast before the loop: loop-invariant vectors made inside a call stay in registers.
     */
    static void scoreHead(float[] s, float[] lt, float[] ls, float a, float b, float[][] x, float[] u, float[] table,
            int[] combo, int n) {
        final int[] dense = TokenEncoder.DENSE;
        final float u0 = u[dense[0]], u1 = u[dense[1]], u2 = u[dense[2]], u3 = u[dense[3]], u4 = u[dense[4]],
                u5 = u[dense[5]], u6 = u[dense[6]], u7 = u[dense[7]], u8 = u[dense[8]];
        final float[] x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3], x4 = x[4], x5 = x[5], x6 = x[6], x7 = x[7],
                x8 = x[8];
        final FloatVector av = FloatVector.broadcast(SPECIES, a);
        final FloatVector bv = FloatVector.broadcast(SPECIES, b);
        final FloatVector w0 = FloatVector.broadcast(SPECIES, u0);
        final FloatVector w1 = FloatVector.broadcast(SPECIES, u1);
        final FloatVector w2 = FloatVector.broadcast(SPECIES, u2);
        final FloatVector w3 = FloatVector.broadcast(SPECIES, u3);
        final FloatVector w4 = FloatVector.broadcast(SPECIES, u4);
        final FloatVector w5 = FloatVector.broadcast(SPECIES, u5);
        final FloatVector w6 = FloatVector.broadcast(SPECIES, u6);
        final FloatVector w7 = FloatVector.broadcast(SPECIES, u7);
        final FloatVector w8 = FloatVector.broadcast(SPECIES, u8);
        final int end = n - n % LANES;
        int j = 0;
        for (; j < end; j += LANES) {
            FloatVector v = av.mul(FloatVector.fromArray(SPECIES, lt, j))
                    .add(bv.mul(FloatVector.fromArray(SPECIES, ls, j)));
            v = v.add(w0.mul(FloatVector.fromArray(SPECIES, x0, j))
                    .add(w1.mul(FloatVector.fromArray(SPECIES, x1, j)))
                    .add(w2.mul(FloatVector.fromArray(SPECIES, x2, j)))
                    .add(w3.mul(FloatVector.fromArray(SPECIES, x3, j))));
            v = v.add(w4.mul(FloatVector.fromArray(SPECIES, x4, j))
                    .add(w5.mul(FloatVector.fromArray(SPECIES, x5, j)))
                    .add(w6.mul(FloatVector.fromArray(SPECIES, x6, j)))
                    .add(w7.mul(FloatVector.fromArray(SPECIES, x7, j))));
            v = v.add(w8.mul(FloatVector.fromArray(SPECIES, x8, j)));
            v = v.add(FloatVector.fromArray(SPECIES, table, 0, combo, j));
            v.intoArray(s, j);
        }
        for (; j < n; j++) {
            float v = a * lt[j] + b * ls[j];
            v += u0 * x0[j] + u1 * x1[j] + u2 * x2[j] + u3 * x3[j];
            v += u4 * x4[j] + u5 * x5[j] + u6 * x6[j] + u7 * x7[j];
            v += u8 * x8[j];
            v += table[combo[j]];
            s[j] = v;
        }
    }
}
