package io.fraudstream.features;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What the tests of the Vector API kernels share: bit patterns to compare, and skipping where the kernels cannot run. */
final class VectorKernelChecks {

    private VectorKernelChecks() {}

    /** The raw bits of v[0..n): equal arrays mean bit-identical floats (NaN payloads and -0.0 included). */
    static int[] bits(float[] v, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }

    static int[] bits(float[] v) {
        return bits(v, v.length);
    }

    /** Skips the test on a JVM whose preferred float vector has fewer than 8 lanes (no AVX2): the scalar kernels run. */
    static void assumeVectorHardware() {
        assumeTrue(FeatureExtractor.vectorTopKSupported(), "Vector API kernels not supported on this CPU");
    }
}
