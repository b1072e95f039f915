package io.fraudstream.features;

import java.util.Arrays;
import java.util.Objects;

/**
 * The learned part of the extractor: projections W_q, W_k, W_v (each d x F, flat, row-major: element
 * (r, c) at {@code r * F + c}) and per-head non-negative temporal-decay (alpha) and spatial (beta)
 * coefficients, tagged with a model version. Immutable; getters return copies so the trainer and the
 * bundle code can serialize them in their own format (never Java serialization).
 *
 * <p>The model version names the weights (two weight sets with the same version must be equal; {@code trainer
 * --attention keep} keeps it with them). It tags no per-card data: card histories hold tokens that depend on no
 * model's weights.
 */
public final class ExtractorWeights {
    private final String modelVersion;
    private final int tokenWidth;
    private final int dim;
    private final int heads;
    private final float[] wq;
    private final float[] wk;
    private final float[] wv;
    private final float[] alpha;
    private final float[] beta;

    public ExtractorWeights(String modelVersion, int tokenWidth, float[] wq, float[] wk, float[] wv, float[] alpha,
            float[] beta) {
        if (modelVersion == null || modelVersion.isEmpty()) {
            throw new IllegalArgumentException("modelVersion must be non-empty");
        }
        if (tokenWidth < 1) {
            throw new IllegalArgumentException("tokenWidth must be >= 1, was " + tokenWidth);
        }
        Objects.requireNonNull(wq, "wq");
        if (wq.length == 0 || wq.length % tokenWidth != 0) {
            throw new IllegalArgumentException("wq length " + wq.length + " is not d * F with F = " + tokenWidth);
        }
        int d = wq.length / tokenWidth;
        checkMatrix("wk", wk, d, tokenWidth);
        checkMatrix("wv", wv, d, tokenWidth);
        checkFinite("wq", wq);
        Objects.requireNonNull(alpha, "alpha");
        Objects.requireNonNull(beta, "beta");
        if (alpha.length == 0 || alpha.length != beta.length || d % alpha.length != 0) {
            throw new IllegalArgumentException("alpha and beta need one value per head (heads dividing d = " + d
                    + "), were " + alpha.length + " and " + beta.length);
        }
        checkCoefficients("alpha", alpha);
        checkCoefficients("beta", beta);
        this.modelVersion = modelVersion;
        this.tokenWidth = tokenWidth;
        this.dim = d;
        this.heads = alpha.length;
        this.wq = wq.clone();
        this.wk = wk.clone();
        this.wv = wv.clone();
        this.alpha = alpha.clone();
        this.beta = beta.clone();
    }

    private static void checkMatrix(String name, float[] m, int d, int f) {
        Objects.requireNonNull(m, name);
        if (m.length != d * f) {
            throw new IllegalArgumentException(name + " length must be d * F = " + d * f + ", was " + m.length);
        }
        checkFinite(name, m);
    }

    private static void checkFinite(String name, float[] m) {
        for (int i = 0; i < m.length; i++) {
            if (!Float.isFinite(m[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] is not finite: " + m[i]);
            }
        }
    }

    private static void checkCoefficients(String name, float[] c) {
        for (int i = 0; i < c.length; i++) {
            if (!(c[i] >= 0) || Float.isInfinite(c[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] must be finite and >= 0, was " + c[i]);
            }
        }
    }

    /**
     * Deterministic seeded initialisation, identical on every JVM: projections uniform in
     * [-sqrt(3/F), sqrt(3/F)] (variance 1/F) from SplitMix64; head h gets alpha = 0.5 * h / (H - 1) and
     * beta = 0.5 - alpha, so the heads range from purely spatial to purely temporal locality.
     */
    public static ExtractorWeights bootstrap(ExtractorConfig config, long seed) {
        int f = TokenEncoder.WIDTH;
        int d = config.dim();
        int h = config.heads();
        SplitMix64 rnd = new SplitMix64(seed);
        float scale = (float) Math.sqrt(3.0 / f);
        float[] wq = rnd.uniform(d * f, scale);
        float[] wk = rnd.uniform(d * f, scale);
        float[] wv = rnd.uniform(d * f, scale);
        float[] alpha = new float[h];
        float[] beta = new float[h];
        for (int i = 0; i < h; i++) {
            alpha[i] = h == 1 ? 0.25f : 0.5f * i / (h - 1);
            beta[i] = 0.5f - alpha[i];
        }
        String version = "bootstrap-" + Long.toUnsignedString(seed) + "-d" + d + "-h" + h + "-f" + f;
        return new ExtractorWeights(version, f, wq, wk, wv, alpha, beta);
    }

    public String modelVersion() { return modelVersion; }
    /** F: the token width these weights expect. */
    public int tokenWidth() { return tokenWidth; }
    public int dim() { return dim; }
    public int heads() { return heads; }
    public float[] queryWeights() { return wq.clone(); }
    public float[] keyWeights() { return wk.clone(); }
    public float[] valueWeights() { return wv.clone(); }
    public float[] alpha() { return alpha.clone(); }
    public float[] beta() { return beta.clone(); }

    // Package-private zero-copy access for the kernels.
    float[] wq() { return wq; }
    float[] wk() { return wk; }
    float[] wv() { return wv; }
    float alphaOf(int head) { return alpha[head]; }
    float betaOf(int head) { return beta[head]; }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ExtractorWeights)) {
            return false;
        }
        ExtractorWeights w = (ExtractorWeights) o;
        return tokenWidth == w.tokenWidth && modelVersion.equals(w.modelVersion) && Arrays.equals(wq, w.wq)
                && Arrays.equals(wk, w.wk) && Arrays.equals(wv, w.wv) && Arrays.equals(alpha, w.alpha)
                && Arrays.equals(beta, w.beta);
    }

    @Override
    public int hashCode() {
        return modelVersion.hashCode() * 31 + Arrays.hashCode(wq);
    }

    @Override
    public String toString() {
        return "ExtractorWeights{" + modelVersion + ", d=" + dim + ", heads=" + heads + ", F=" + tokenWidth + "}";
    }

    /** SplitMix64 (Steele, Lea, Flood 2014), spelled out so bootstrap weights never depend on the JDK. */
    private static final class SplitMix64 {
        private long state;

        SplitMix64(long seed) {
            state = seed;
        }

        long next() {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        float[] uniform(int n, float scale) {
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                double u = (next() >>> 11) * 0x1.0p-53; // [0, 1)
                out[i] = (float) ((2.0 * u - 1.0) * scale);
            }
            return out;
        }
    }
}
