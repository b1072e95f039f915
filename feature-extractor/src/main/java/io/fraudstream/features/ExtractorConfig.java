package io.fraudstream.features;

/**
 * Extractor settings. Immutable; validated on build with messages that name the setting
 * (configuration keys {@code extractor.window}, {@code extractor.k}, {@code extractor.heads},
 * {@code extractor.dim}, {@code extractor.explain-top}).
 */
public final class ExtractorConfig {
    public static final int DEFAULT_WINDOW = 1024;
    public static final int MAX_WINDOW = 16384;
    public static final int DEFAULT_K = 32;
    public static final int DEFAULT_HEADS = 4;
    public static final int DEFAULT_DIM = 32;
    public static final int DEFAULT_EXPLAIN_TOP = 5;

    private final int window;
    private final int k;
    private final int heads;
    private final int dim;
    private final AttentionMode mode;
    private final int explainTop;

    private ExtractorConfig(Builder b) {
        check(b.window >= 1 && b.window <= MAX_WINDOW, "extractor.window must be in [1, " + MAX_WINDOW + "], was "
                + b.window);
        check(b.k >= 1, "extractor.k must be >= 1, was " + b.k);
        check(b.heads >= 1, "extractor.heads must be >= 1, was " + b.heads);
        check(b.dim >= 1, "extractor.dim must be >= 1, was " + b.dim);
        check(b.dim % b.heads == 0, "extractor.dim must be a multiple of extractor.heads (" + b.heads + "), was "
                + b.dim);
        check(b.mode != null, "extractor.mode must be set");
        check(b.explainTop >= 0, "extractor.explain-top must be >= 0, was " + b.explainTop);
        this.window = b.window;
        this.k = b.k;
        this.heads = b.heads;
        this.dim = b.dim;
        this.mode = b.mode;
        this.explainTop = b.explainTop;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static ExtractorConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().window(window).k(k).heads(heads).dim(dim).mode(mode).explainTop(explainTop);
    }

    /** W: the most recent transactions a card's history keeps. */
    public int window() { return window; }
    /** k: attended past transactions per head in SPARSE_TOP_K mode. */
    public int k() { return k; }
    /** H: attention heads. */
    public int heads() { return heads; }
    /** d: model width (H * head width). */
    public int dim() { return dim; }
    public int headDim() { return dim / heads; }
    public AttentionMode mode() { return mode; }
    /** m: attended transactions reported in an {@link Explanation}. */
    public int explainTop() { return explainTop; }

    @Override
    public String toString() {
        return "ExtractorConfig{window=" + window + ", k=" + k + ", heads=" + heads + ", dim=" + dim + ", mode="
                + mode + ", explainTop=" + explainTop + "}";
    }

    public static final class Builder {
        private int window = DEFAULT_WINDOW;
        private int k = DEFAULT_K;
        private int heads = DEFAULT_HEADS;
        private int dim = DEFAULT_DIM;
        private AttentionMode mode = AttentionMode.SPARSE_TOP_K;
        private int explainTop = DEFAULT_EXPLAIN_TOP;

        private Builder() {}

        public Builder window(int v) { window = v; return this; }
        public Builder k(int v) { k = v; return this; }
        public Builder heads(int v) { heads = v; return this; }
        public Builder dim(int v) { dim = v; return this; }
        public Builder mode(AttentionMode v) { mode = v; return this; }
        public Builder explainTop(int v) { explainTop = v; return this; }

        public ExtractorConfig build() {
            return new ExtractorConfig(this);
        }
    }
}
