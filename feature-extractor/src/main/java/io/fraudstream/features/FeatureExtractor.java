package io.fraudstream.features;

import java.util.Arrays;

/**
 * Per-event feature extraction: sparse top-k multi-head attention over a card's history plus direct
 * temporal/spatial features. The plain-Java kernel.
 *
 * <p>Thread-confined: one instance per task thread. It owns all scratch buffers, so {@link #extract}
 * allocates nothing once the buffers have grown to the largest history seen.
 *
 * <p>Per head h (head width dh = d / H), for every past transaction j:
 * {@code s_j = q_h . K_hj / sqrt(dh) - alpha_h * log1p(|dt| hours) - beta_h * log1p(local km)}; the spatial term
 * is 0 when either location is unknown. SPARSE_TOP_K keeps the k best scores (ties: the older entry) and
 * softmaxes over those only; every other position has weight exactly 0. DENSE softmaxes over all n (and
 * SPARSE_TOP_K with k >= n is computed by the same code, so it equals DENSE exactly). The context is
 * {@code sum_j w_hj V_hj}; the summaries use the head-averaged weights p_j.
 *
 * <p><b>No keys or values are held.</b> K = W_k x and V = W_v x are linear in the entry's token x (no bias), so
 * {@code q_h . K_hj = u_h . x_j} with {@code u_h = W_kh^T q_h}, computed once per event, and
 * {@code sum_j w_hj V_hj = W_vh (sum_j w_hj x_j)}. The kernel reads the tokens, which a {@link CardHistory}
 * derives from its raw fields once per entry and which do not depend on any model: every model scores a card from
 * the same columns, a new model needs nothing recomputed, and the card state stores raw fields only (docs/STATE.md).
 * A token is 9 dense values ({@link TokenEncoder#DENSE}) plus one-hots and flags; per head the latter contribute one table
 * entry per combination ({@link TokenEncoder#combo}), so a score costs 9 multiply-adds and one lookup. Equal to the
 * K/V form up to float rounding (checked against a double-precision K/V reference, {@code ReferenceExtractor}).
 */
public final class FeatureExtractor {
    static final String[] ATTENTION_SUMMARY_NAMES = {
        "attn_max_score",
        "attn_entropy",
        "attn_share_24h",
        "attn_wmean_amount_log_ratio",
        "attn_wmean_log1p_km",
    };
    private static final float HOURS_PER_MS = 1f / 3_600_000f;
    /** Top-k selection samples every SAMPLE_STRIDE-th score when n >= SAMPLE_MIN_FACTOR * k. */
    private static final int SAMPLE_STRIDE = 4;
    private static final int SAMPLE_MIN_FACTOR = 8;
    /**
     * System property: {@code false} forces the scalar top-k even where the Vector API kernel could run (A/B
     * measurement). Read when an extractor is constructed.
     */
    public static final String VECTOR_PROPERTY = "fraudstream.extractor.vector";
    /** Fewest float lanes for the Vector API kernel (measured with 16, AVX-512); narrower keeps the scalar code. */
    private static final int MIN_VECTOR_LANES = 8;
    private static final boolean VECTOR_SUPPORTED = vectorTopKSupported();

    private final ExtractorConfig config;
    private final ExtractorWeights weights;
    private final String[] names;
    private final int d;
    private final int heads;
    private final int dh;
    private final float invSqrtDh;
    /** Transposed projections, [F][d]: y += x_c * W^T[c] is a whole-array axpy (vectorizes). */
    private final float[][] wqT;
    private final float[][] wkT;
    private final float[][] wvT;

    // scratch, thread-confined
    private final float[] token = new float[TokenEncoder.WIDTH];
    private final float[] q;
    private final float[] ctx;
    /** Per head: {@code W_kh^T q_h / sqrt(dh)}, the query in token space. */
    private final float[][] u;
    /** Per head: u's one-hot and flag positions summed for each {@link TokenEncoder#combo}. */
    private final float[][] comboScore;
    /** Weighted token sum of one head (token space), projected by W_v into the head's context. */
    private final float[] tokenSum = new float[TokenEncoder.WIDTH];
    private final int[] heapIdx;
    private final float[] heapVal;
    private final float[] heapW;
    private final float[] sample;
    private float[] dtHours = new float[0];
    private float[] logT = new float[0];
    private float[] dist = new float[0];
    private float[] logS = new float[0];
    private float[] scores = new float[0];
    private float[] denseW = new float[0];
    private float[] pAcc = new float[0];
    private int[] bits = new int[0];
    private float[] mant = new float[0];
    private int[] touched = new int[0];
    private int[] candidates = new int[0];
    /** Kept entries by age rank, one bit each; all zero between selections. */
    private long[] keptRanks = new long[0];
    /** Scratch of the vector top-k: order-preserving int keys of the candidates. */
    private int[] candidateKeys = new int[0];
    private int touchedCount;
    /** The history's ring head and size during selection, for tie-breaking by age. */
    private int tieHead;
    private int tieN;
    /**
     * Whether the Vector API kernels run: the top k ({@link VectorTopK}), the biases ({@link VectorBiases}) and the
     * softmax ({@link VectorSoftmax}). All or none, as they are tested
     * against the scalar path; a k beyond the top-k kernel's network keeps all of them scalar.
     */
    private final boolean vectorKernels;
    /**
     * Uses the Vector API top-k kernel when the JVM has {@code jdk.incubator.vector}
     * ({@code --add-modules jdk.incubator.vector}), its preferred float species has at least 8 lanes, k fits the
     * kernel, and {@value #VECTOR_PROPERTY} is not {@code false}; the scalar kernel otherwise. Both give
     * bit-identical features.
     */
    public FeatureExtractor(ExtractorConfig config, ExtractorWeights weights) {
        this(config, weights, Boolean.parseBoolean(System.getProperty(VECTOR_PROPERTY, "true")));
    }

    /** {@code vector} false forces the scalar top-k; true uses the vector one where supported. */
    FeatureExtractor(ExtractorConfig config, ExtractorWeights weights, boolean vector) {
        if (weights.dim() != config.dim() || weights.heads() != config.heads()
                || weights.tokenWidth() != TokenEncoder.WIDTH) {
            throw new IllegalArgumentException("weights " + weights + " do not fit " + config + " with F = "
                    + TokenEncoder.WIDTH);
        }
        this.config = config;
        this.weights = weights;
        this.d = config.dim();
        this.heads = config.heads();
        this.dh = config.headDim();
        this.invSqrtDh = (float) (1.0 / Math.sqrt(dh));
        this.names = featureNames(d);
        this.wqT = transpose(weights.wq(), d);
        this.wkT = transpose(weights.wk(), d);
        this.wvT = transpose(weights.wv(), d);
        this.q = new float[d];
        this.ctx = new float[d];
        this.u = new float[heads][TokenEncoder.WIDTH];
        this.comboScore = new float[heads][TokenEncoder.COMBOS];
        this.heapIdx = new int[config.k()];
        this.heapVal = new float[config.k()];
        this.heapW = new float[config.k()];
        this.sample = new float[Math.max(1, (3 * config.k() + 2 * SAMPLE_STRIDE - 1) / (2 * SAMPLE_STRIDE))];
        this.vectorKernels = vector && VECTOR_SUPPORTED && VectorTopK.supports(config.k());
    }

    /**
     * Whether this JVM can run the Vector API top-k: {@code jdk.incubator.vector} is in the boot layer and its
     * preferred float species has at least 8 lanes. {@link VectorTopK} is loaded only after the module check, so
     * a JVM without the module never resolves a vector class.
     */
    static boolean vectorTopKSupported() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return VectorTopK.lanes() >= MIN_VECTOR_LANES;
        } catch (LinkageError e) {
            return false;
        }
    }

    /** Whether this extractor selects the top k with the Vector API kernel (for logs and tests). */
    public boolean usesVectorTopK() {
        return vectorKernels;
    }

    /** A line for start-up logs: which top-k kernel a default-constructed extractor uses here, and why. */
    public static String topKKernelDescription() {
        if (!VECTOR_SUPPORTED) {
            return ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()
                    ? "scalar top-k (jdk.incubator.vector not in the JVM: --add-modules jdk.incubator.vector)"
                    : "scalar top-k (the preferred float vector has fewer than " + MIN_VECTOR_LANES + " lanes)";
        }
        return Boolean.parseBoolean(System.getProperty(VECTOR_PROPERTY, "true"))
                ? "vector top-k (" + VectorTopK.lanes() + " float lanes; k <= " + VectorTopK.MAX_DEPTH
                        * VectorTopK.lanes() + ")"
                : "scalar top-k (-D" + VECTOR_PROPERTY + "=false)";
    }

    /** Feature names for model width d; the order of {@link #extract}'s output. */
    public static String[] featureNames(int d) {
        String[] out = new String[d + ATTENTION_SUMMARY_NAMES.length + DirectFeatures.COUNT];
        for (int i = 0; i < d; i++) {
            out[i] = "attn_ctx_" + i;
        }
        System.arraycopy(ATTENTION_SUMMARY_NAMES, 0, out, d, ATTENTION_SUMMARY_NAMES.length);
        System.arraycopy(DirectFeatures.NAMES, 0, out, d + ATTENTION_SUMMARY_NAMES.length, DirectFeatures.COUNT);
        return out;
    }

    private static float[][] transpose(float[] w, int d) {
        int f = w.length / d;
        float[][] t = new float[f][d];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < f; c++) {
                t[c][r] = w[r * f + c];
            }
        }
        return t;
    }

    public String[] featureNames() { return names.clone(); }
    public int featureCount() { return names.length; }
    public ExtractorConfig config() { return config; }
    public ExtractorWeights weights() { return weights; }

    /**
     * Computes the features of {@code current} against {@code history} (which must not yet contain it) into
     * {@code out[0 .. featureCount())}. Reads the history and changes nothing in it. {@code explanation} may be
     * null.
     */
    public void extract(CardHistory history, RawTransaction current, float[] out, Explanation explanation) {
        if (out.length < names.length) {
            throw new IllegalArgumentException("out has " + out.length + " slots, need " + names.length);
        }
        if (explanation != null) {
            explanation.clear();
        }
        if (history.size > config.window()) {
            // A history kept for a longer window than this model's (after a swap between models of different W):
            // the model sees only its last W entries, as in training. This costs a copy (its tokens derived again)
            // per event, and only while the windows differ (docs/EXTRACTOR.md).
            history = history.lastEntries(config.window());
        }
        int n = history.size;
        Arrays.fill(out, 0, d + ATTENTION_SUMMARY_NAMES.length, 0f);
        float homeKm = TokenEncoder.homeKm(current);
        if (config.mode() != AttentionMode.NONE && n > 0) {
            attend(history, current, homeKm, out, explanation);
        }
        DirectFeatures.compute(history, current, homeKm, out, d + ATTENTION_SUMMARY_NAMES.length, explanation);
    }

    private void project(float[][] wT, float[] x, float[] y) {
        Arrays.fill(y, 0, d, 0f);
        for (int c = 0; c < wT.length; c++) {
            float xc = x[c];
            if (xc != 0f) {
                float[] col = wT[c];
                for (int r = 0; r < d; r++) {
                    y[r] += xc * col[r];
                }
            }
        }
    }

    void ensureScratch(int cap) {
        if (dtHours.length < cap) {
            dtHours = new float[cap];
            logT = new float[cap];
            dist = new float[cap];
            logS = new float[cap];
            scores = new float[cap];
            denseW = new float[cap];
            pAcc = new float[cap];
            bits = new int[cap];
            mant = new float[cap];
            touched = new int[Math.max(cap, heads * config.k())];
            keptRanks = new long[(cap + Long.SIZE - 1) / Long.SIZE];
            if (vectorKernels) {
                candidates = new int[VectorTopK.scratchLength(cap)];
                candidateKeys = new int[VectorTopK.scratchLength(cap)];
            } else {
                candidates = new int[cap];
            }
        }
    }

    private void attend(CardHistory h, RawTransaction tx, float homeKm, float[] out, Explanation explanation) {
        final int n = h.size;
        ensureScratch(h.capacity);
        TokenEncoder.encode(tx, homeKm, token, 0);
        project(wqT, token, q);
        queryInTokenSpace();
        final boolean qKnown = tx.merchantLocationKnown();
        computeBiases(h, tx, qKnown);

        boolean dense = config.mode() == AttentionMode.DENSE || n <= config.k();
        touchedCount = 0;
        float maxScore = Float.NEGATIVE_INFINITY;
        final float invHeads = 1f / heads;
        for (int hd = 0; hd < heads; hd++) {
            scoreHead(h, hd, qKnown);
            maxScore = Math.max(maxScore, dense ? softmaxKernel(scores, denseW, n) : selectAndSoftmax(scores, n, h.head));
            // context and head-averaged weights
            if (dense) {
                accumulate(h, null, denseW, n, hd, invHeads);
            } else {
                accumulate(h, heapIdx, heapW, heapIdx.length, hd, invHeads);
            }
        }
        System.arraycopy(ctx, 0, out, 0, d);
        Arrays.fill(ctx, 0f);
        summarize(h, tx, qKnown, maxScore, out, explanation);
    }

    /** The query side of {@link #scoreHead} for {@code tx} (tests): q, u_h and the combination tables. */
    void prepareQuery(RawTransaction tx) {
        TokenEncoder.encode(tx, TokenEncoder.homeKm(tx), token, 0);
        project(wqT, token, q);
        queryInTokenSpace();
    }

    /**
     * u_h = W_kh^T q_h / sqrt(dh) for every head, and each head's table of one-hot and flag contributions by
     * combination: what the score of any token needs from the query.
     */
    private void queryInTokenSpace() {
        final int width = TokenEncoder.WIDTH;
        for (int hd = 0; hd < heads; hd++) {
            final float[] uh = u[hd];
            final int base = hd * dh;
            for (int c = 0; c < width; c++) {
                final float[] col = wkT[c];
                float sum = 0f;
                for (int r = 0; r < dh; r++) {
                    sum += q[base + r] * invSqrtDh * col[base + r];
                }
                uh[c] = sum;
            }
            fillComboTable(uh, comboScore[hd]);
        }
    }

    /**
     * table[g] = u[category of g] + u[channel of g] (+ u[location unknown]) (+ u[home unknown]), in that order, for
     * every combination g ({@link TokenEncoder#combo}: four flag variants per category and channel, adjacent): one
     * sum per (category, channel) and three for its flag variants, no combination decoded.
     */
    static void fillComboTable(float[] uh, float[] table) {
        final float uLoc = uh[TokenEncoder.IDX_LOC_UNKNOWN];
        final float uHome = uh[TokenEncoder.IDX_HOME_UNKNOWN];
        int g = 0;
        for (int cat = 0; cat < TokenEncoder.CATEGORY_BUCKETS; cat++) {
            final float uc = uh[TokenEncoder.IDX_CATEGORY + cat];
            for (int ch = 0; ch < TokenEncoder.CHANNELS; ch++, g += 4) {
                final float v = uc + uh[TokenEncoder.IDX_CHANNEL + ch];
                final float vLoc = v + uLoc;
                table[g] = v;
                table[g + 1] = v + uHome;
                table[g + 2] = vLoc;
                table[g + 3] = vLoc + uHome;
            }
        }
    }

    /**
     * Relative biases, shared by all heads: logT = log1p(|dt| hours), logS = log1p(local km) (0 if unknown).
     * {@link VectorBiases} computes the same bits in one pass per bias where the vector kernels run.
     */
    void computeBiases(CardHistory h, RawTransaction tx, boolean qKnown) {
        final int n = h.size;
        final long tq = tx.eventTimeMillis();
        final long[] time = h.time;
        if (vectorKernels) {
            VectorBiases.logTime(time, tq, logT, n);
        } else {
            final float[] dt = dtHours;
            for (int j = 0; j < n; j++) {
                dt[j] = Math.abs((float) (tq - time[j])) * HOURS_PER_MS;
            }
            FastMath.log1p(dt, logT, bits, mant, n);
        }
        if (qKnown) {
            final float qLat = (float) tx.merchantLat();
            final float qLon = (float) tx.merchantLon();
            final float qCos = (float) Math.cos(Math.toRadians(qLat));
            final float kmPerDeg = (float) Geo.KM_PER_DEGREE;
            if (vectorKernels) {
                VectorBiases.logSpace(h.lat, h.lon, h.cosLat, h.locKnown, qLat, qLon, qCos, kmPerDeg, logS, n);
                return;
            }
            final float[] lat = h.lat;
            final float[] lon = h.lon;
            final float[] cosLat = h.cosLat;
            final float[] known = h.locKnown;
            final float[] dk = dist;
            for (int j = 0; j < n; j++) {
                float dLat = qLat - lat[j];
                float dLon = Math.abs(qLon - lon[j]);
                dLon = Math.min(dLon, 360f - dLon);
                float x = dLon * 0.5f * (qCos + cosLat[j]);
                dk[j] = kmPerDeg * (float) Math.sqrt(dLat * dLat + x * x) * known[j];
            }
            FastMath.log1p(dist, logS, bits, mant, n);
        }
    }

    /** logT after {@link #computeBiases} (tests). */
    float[] timeBiases() {
        return logT;
    }

    /** logS after {@link #computeBiases} with a known merchant location (tests). */
    float[] spaceBiases() {
        return logS;
    }

    /** scores after {@link #scoreHead} (tests). */
    float[] scores() {
        return scores;
    }

    /**
     * scores[0..n) for head hd: the biases, then u_h against the dense token columns four at a time (whole arrays
     * indexed from 0, the form C2 vectorizes; the earlier fused bias pass over 7 arrays stayed scalar), then one
     * table lookup per entry for the one-hots and flags. No Vector API form: one with a gather for the lookup was
     * measured slower than these passes (docs/BENCHMARKS.md, "Token attention").
     */
    void scoreHead(CardHistory h, int hd, boolean qKnown) {
        final int n = h.size;
        final float a = -weights.alphaOf(hd);
        final float b = qKnown ? -weights.betaOf(hd) : 0f;
        initScores(scores, logT, logS, a, b, n);
        final float[] uh = u[hd];
        final float[][] tok = h.tok;
        final int[] dense = TokenEncoder.DENSE;
        int c = 0;
        for (; c + 3 < dense.length; c += 4) {
            addScores4(scores, tok[c], tok[c + 1], tok[c + 2], tok[c + 3], uh[dense[c]], uh[dense[c + 1]],
                    uh[dense[c + 2]], uh[dense[c + 3]], n);
        }
        final float[] s = scores;
        for (; c < dense.length; c++) {
            final float uc = uh[dense[c]];
            final float[] xc = tok[c];
            for (int j = 0; j < n; j++) {
                s[j] += uc * xc[j];
            }
        }
        final float[] table = comboScore[hd];
        final int[] combo = h.combo;
        for (int j = 0; j < n; j++) {
            s[j] += table[combo[j]];
        }
    }

    private static void initScores(float[] s, float[] lt, float[] ls, float a, float b, int n) {
        for (int j = 0; j < n; j++) {
            s[j] = a * lt[j] + b * ls[j];
        }
    }

    private static void addScores4(float[] s, float[] x0, float[] x1, float[] x2, float[] x3, float u0, float u1,
            float u2, float u3, int n) {
        for (int j = 0; j < n; j++) {
            s[j] += u0 * x0[j] + u1 * x1[j] + u2 * x2[j] + u3 * x3[j];
        }
    }

    /**
     * Adds head hd's context, W_vh (sum of w_i * x[idx_i]) (idx = identity when null), and the head-averaged weights
     * p. The dense part of the token sum stays in registers; the one-hots and flags are scattered by combination.
     */
    private void accumulate(CardHistory h, int[] idx, float[] w, int count, int hd, float invHeads) {
        final float[][] tok = h.tok;
        final float[] x0 = tok[0], x1 = tok[1], x2 = tok[2], x3 = tok[3], x4 = tok[4], x5 = tok[5], x6 = tok[6],
                x7 = tok[7], x8 = tok[8];
        final int[] combo = h.combo;
        final float[] t = tokenSum;
        float t0 = 0f, t1 = 0f, t2 = 0f, t3 = 0f, t4 = 0f, t5 = 0f, t6 = 0f, t7 = 0f, t8 = 0f;
        for (int i = 0; i < count; i++) {
            final float wi = w[i];
            final int j = idx == null ? i : idx[i];
            t0 += wi * x0[j];
            t1 += wi * x1[j];
            t2 += wi * x2[j];
            t3 += wi * x3[j];
            t4 += wi * x4[j];
            t5 += wi * x5[j];
            t6 += wi * x6[j];
            t7 += wi * x7[j];
            t8 += wi * x8[j];
            final int g = combo[j];
            t[TokenEncoder.IDX_CATEGORY + TokenEncoder.comboCategory(g)] += wi;
            t[TokenEncoder.IDX_CHANNEL + TokenEncoder.comboChannel(g)] += wi;
            if (TokenEncoder.comboLocUnknown(g)) {
                t[TokenEncoder.IDX_LOC_UNKNOWN] += wi;
            }
            if (TokenEncoder.comboHomeUnknown(g)) {
                t[TokenEncoder.IDX_HOME_UNKNOWN] += wi;
            }
        }
        final int[] dense = TokenEncoder.DENSE;
        t[dense[0]] = t0;
        t[dense[1]] = t1;
        t[dense[2]] = t2;
        t[dense[3]] = t3;
        t[dense[4]] = t4;
        t[dense[5]] = t5;
        t[dense[6]] = t6;
        t[dense[7]] = t7;
        t[dense[8]] = t8;
        final int base = hd * dh;
        for (int c = 0; c < t.length; c++) {
            final float tc = t[c];
            if (tc != 0f) {
                final float[] col = wvT[c];
                for (int r = 0; r < dh; r++) {
                    ctx[base + r] += tc * col[base + r];
                }
            }
        }
        Arrays.fill(t, 0f);
        for (int i = 0; i < count; i++) {
            final float ph = w[i] * invHeads;
            if (ph > 0f) {
                final int j = idx == null ? i : idx[i];
                if (pAcc[j] == 0f) {
                    touched[touchedCount++] = j;
                }
                pAcc[j] += ph;
            }
        }
    }

    /** w[0..n) = softmax of s[0..n) with this extractor's kernel (both give the same bits); returns the max of s. */
    private float softmaxKernel(float[] s, float[] w, int n) {
        return vectorKernels ? VectorSoftmax.softmax(s, w, n) : softmax(s, w, n);
    }

    /**
     * w[0..n) = softmax of s[0..n) (max-shifted, summed in double); returns the max of s. The reference for
     * {@link VectorSoftmax}, which gives the same bits where the vector kernels run.
     */
    static float softmax(float[] s, float[] w, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            float e = FastMath.expNonPositive(s[j] - max);
            w[j] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int j = 0; j < n; j++) {
            w[j] *= inv;
        }
        return max;
    }

    /**
     * Top-k of s[0..n) (n > k; ties: the older entry) into heapIdx/heapVal, oldest first, then softmax over the
     * kept only into heapW. Returns the max score. {@link VectorTopK} when enabled, else {@link #selectScalar}:
     * the same entries in the same order, so the features are bit-identical either way.
     */
    private float selectAndSoftmax(float[] s, int n, int head) {
        final int k = heapIdx.length;
        if (!(vectorKernels && VectorTopK.select(s, n, head, candidates, candidateKeys, heapIdx, heapVal))) {
            selectScalar(s, n, head);
        }
        return softmaxKernel(heapVal, heapW, k);
    }

    /**
     * The top-k selection and softmax on given scores (tests): kept slots, scores and weights into idx, val, w
     * (k each), oldest first; returns the max score. n > k; head as in the ring (0 unless full).
     */
    float selectTopK(float[] s, int n, int head, int[] idx, float[] val, float[] w) {
        ensureScratch(n);
        float max = selectAndSoftmax(s, n, head);
        System.arraycopy(heapIdx, 0, idx, 0, heapIdx.length);
        System.arraycopy(heapVal, 0, val, 0, heapVal.length);
        System.arraycopy(heapW, 0, w, 0, heapW.length);
        return max;
    }

    /**
     * The scalar top-k (the reference): candidates, a min-heap over them (root = worst kept), then the kept
     * rewritten oldest first.
     *
     * <p>Scans newest first (in time order, across the ring's wrap): the temporal bias makes recent entries score
     * high, so the threshold rises at once and few later candidates enter the heap (an oldest-first scan of a
     * time-ordered history replaced the root almost every step: O(n log k) instead of ~O(n)).
     */
    private void selectScalar(float[] s, int n, int head) {
        final int k = heapIdx.length;
        tieHead = head;
        tieN = n;
        int count;
        if (n >= SAMPLE_MIN_FACTOR * k) {
            // Candidates: scores at or above the r-th best of every SAMPLE_STRIDE-th score, with r chosen so
            // that ~1.5 k candidates pass. Everything below that is outside the top-k whenever >= k pass.
            count = newestFirst(s, n, head, sampledThreshold(s, n, head));
            if (count < k) {
                count = newestFirst(s, n, head, Float.NEGATIVE_INFINITY);
            }
        } else {
            count = newestFirst(s, n, head, Float.NEGATIVE_INFINITY);
        }
        final int[] order = candidates;
        for (int i = 0; i < k; i++) {
            heapIdx[i] = order[i];
            heapVal[i] = s[order[i]];
        }
        for (int i = k / 2 - 1; i >= 0; i--) {
            siftDown(i, k);
        }
        float threshold = heapVal[0];
        for (int i = k; i < count; i++) {
            int j = order[i];
            // slots come newest first, so every kept entry is newer than j and an equal score at j ranks
            // higher (ties go to the older entry): '>=' is the tie rule
            if (s[j] >= threshold) {
                heapIdx[0] = j;
                heapVal[0] = s[j];
                siftDown(0, k);
                threshold = heapVal[0];
            }
        }
        keepOldestFirst(s, k);
    }

    /**
     * The r-th largest of every SAMPLE_STRIDE-th score, newest first (fewest heap replacements): a lower bound
     * for the k-th largest of s whenever at least k scores reach it.
     */
    private float sampledThreshold(float[] s, int n, int head) {
        final int r = sample.length;
        int size = 0;
        for (int t = 0; t < n; t += SAMPLE_STRIDE) {
            int p = head - 1 - t;
            float v = s[p >= 0 ? p : p + n];
            if (size < r) {
                // sift up into the min-heap
                int i = size++;
                while (i > 0 && sample[(i - 1) >> 1] > v) {
                    sample[i] = sample[(i - 1) >> 1];
                    i = (i - 1) >> 1;
                }
                sample[i] = v;
            } else if (v > sample[0]) {
                int i = 0;
                while (true) {
                    int child = 2 * i + 1;
                    if (child >= r) {
                        break;
                    }
                    if (child + 1 < r && sample[child + 1] < sample[child]) {
                        child++;
                    }
                    if (sample[child] >= v) {
                        break;
                    }
                    sample[i] = sample[child];
                    i = child;
                }
                sample[i] = v;
            }
        }
        return size < r ? Float.NEGATIVE_INFINITY : sample[0];
    }

    /**
     * Writes the slots with s >= tau into {@code candidates}, newest first, and returns their count. The live
     * slots are [0, n); the ring has rotated only when the window is full, so newest first is
     * head-1 .. 0, then n-1 .. head: two plain loops, no per-element wrap.
     */
    private int newestFirst(float[] s, int n, int head, float tau) {
        final int[] out = candidates;
        int c = 0;
        // branch-free: which scores pass is data-dependent, a branch here mispredicts on every candidate
        for (int j = head - 1; j >= 0; j--) {
            out[c] = j;
            c += s[j] >= tau ? 1 : 0;
        }
        for (int j = n - 1; j >= head; j--) {
            out[c] = j;
            c += s[j] >= tau ? 1 : 0;
        }
        return c;
    }

    /**
     * Rewrites heapIdx/heapVal in age order, oldest first. The kept set is unique, but the heap's layout depends
     * on which candidates arrived (sampled threshold or full scan), and the softmax, context and summaries sum in
     * this order: a fixed order makes the features bit-identical whichever way the set was found (this heap or
     * {@link VectorTopK}). Age order rather than slot order keeps them independent of the ring's rotation (a restored
     * history starts unrotated). One bit per rank, read back word by word and cleared on the way.
     */
    private void keepOldestFirst(float[] s, int k) {
        final long[] kept = keptRanks;
        for (int i = 0; i < k; i++) {
            int r = rank(heapIdx[i]);
            kept[r >>> 6] |= 1L << r;
        }
        int o = 0;
        for (int w = 0; o < k; w++) {
            long bits = kept[w];
            kept[w] = 0L;
            while (bits != 0L) {
                int slot = (w << 6) + Long.numberOfTrailingZeros(bits) + tieHead;
                slot = slot < tieN ? slot : slot - tieN;
                heapIdx[o] = slot;
                heapVal[o] = s[slot];
                o++;
                bits &= bits - 1;
            }
        }
    }

    /** Age rank of a slot: 0 = oldest (for tie-breaking). */
    private int rank(int slot) {
        int r = slot - tieHead;
        return r < 0 ? r + tieN : r;
    }

    /** Whether (va, ia) ranks below (vb, ib): lower score, or equal score and the newer entry. */
    private boolean worse(float va, int ia, float vb, int ib) {
        return va < vb || (va == vb && rank(ia) > rank(ib));
    }

    private void siftDown(int i, int k) {
        int idx = heapIdx[i];
        float val = heapVal[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= k) {
                break;
            }
            if (child + 1 < k && worse(heapVal[child + 1], heapIdx[child + 1], heapVal[child], heapIdx[child])) {
                child++;
            }
            if (!worse(heapVal[child], heapIdx[child], val, idx)) {
                break;
            }
            heapIdx[i] = heapIdx[child];
            heapVal[i] = heapVal[child];
            i = child;
        }
        heapIdx[i] = idx;
        heapVal[i] = val;
    }

    private void summarize(CardHistory h, RawTransaction tx, boolean qKnown, float maxScore, float[] out,
            Explanation explanation) {
        final long tq = tx.eventTimeMillis();
        double entropy = 0;
        double share24h = 0;
        double wAmount = 0;
        double wLogKm = 0;
        double wKnown = 0;
        for (int i = 0; i < touchedCount; i++) {
            int j = touched[i];
            double p = pAcc[j];
            pAcc[j] = 0f;
            entropy -= p * FastMath.log((float) p);
            if (Math.abs(tq - h.time[j]) <= 24 * DirectFeatures.HOUR_MS) {
                share24h += p;
            }
            wAmount += p * h.amount[j];
            if (qKnown) {
                wLogKm += p * h.locKnown[j] * logS[j];
                wKnown += p * h.locKnown[j];
            }
            if (explanation != null) {
                explanation.offer(h, j, h.time[j], (float) p);
            }
        }
        int o = d;
        out[o] = maxScore;
        out[o + 1] = (float) entropy;
        out[o + 2] = (float) share24h;
        out[o + 3] = (float) (Math.log1p(wAmount) - Math.log1p(TokenEncoder.storedAmount(tx.amount())));
        out[o + 4] = wKnown > 0 ? (float) (wLogKm / wKnown) : 0f;
    }
}
