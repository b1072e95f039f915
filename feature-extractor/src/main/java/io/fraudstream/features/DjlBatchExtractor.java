package io.fraudstream.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * The batch kernel: the same features as {@link FeatureExtractor}, with the attention computed as NDArrays on
 * DJL's PyTorch engine (CPU here; an accelerator where the engine has one), for many (history, query) pairs at
 * once — training, bulk evaluation, replays. Histories are padded to a common length N; padding gets a score of
 * -inf, and in SPARSE_TOP_K every position outside a head's top-k gets weight exactly 0 (the top-k softmax is
 * scattered into a zero tensor, never multiplied by a 0/1 mask). Keys and values are computed per batch as explicit
 * fp32 tensors (K = W_k x, V = W_v x) from the histories' tokens; the per-event kernel never forms them and scores
 * the tokens directly. The two agree up to float rounding. The direct features are computed by the same Java code
 * as the per-event kernel.
 *
 * <p>Not thread-safe. Owns an {@link NDManager} opened here and released by {@link #close()}; every batch's
 * temporaries live in a sub-manager closed before {@link #extract} returns.
 */
public final class DjlBatchExtractor implements AutoCloseable {
    private static final int F = TokenEncoder.WIDTH;

    private final ExtractorConfig config;
    private final int d;
    private final int heads;
    private final int dh;
    private final String[] names;
    private final NDManager manager;
    private final NDArray wqT;
    private final NDArray wkT;
    private final NDArray wvT;
    /** [1, H, 1], negated: the biases are added. */
    private final NDArray negAlpha;
    private final NDArray negBeta;

    public DjlBatchExtractor(ExtractorConfig config, ExtractorWeights weights) {
        if (weights.dim() != config.dim() || weights.heads() != config.heads() || weights.tokenWidth() != F) {
            throw new IllegalArgumentException("weights " + weights + " do not fit " + config + " with F = " + F);
        }
        this.config = config;
        this.d = config.dim();
        this.heads = config.heads();
        this.dh = config.headDim();
        this.names = FeatureExtractor.featureNames(d);
        this.manager = NDManager.newBaseManager("PyTorch");
        try {
            Shape dxf = new Shape(d, F);
            this.wqT = manager.create(weights.wq(), dxf).transpose();
            this.wkT = manager.create(weights.wk(), dxf).transpose();
            this.wvT = manager.create(weights.wv(), dxf).transpose();
            float[] a = weights.alpha();
            float[] b = weights.beta();
            for (int i = 0; i < heads; i++) {
                a[i] = -a[i];
                b[i] = -b[i];
            }
            this.negAlpha = manager.create(a, new Shape(1, heads, 1));
            this.negBeta = manager.create(b, new Shape(1, heads, 1));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public String[] featureNames() { return names.clone(); }
    public int featureCount() { return names.length; }

    /**
     * Features for each pair (histories.get(i), queries.get(i)); row i has {@link #featureCount()} values in
     * {@link #featureNames()} order. Each history must not yet contain its query.
     */
    public float[][] extract(List<CardHistory> histories, List<RawTransaction> queries) {
        int batch = histories.size();
        if (queries.size() != batch) {
            throw new IllegalArgumentException(batch + " histories but " + queries.size() + " queries");
        }
        float[][] out = new float[batch][names.length];
        int attnEnd = d + FeatureExtractor.ATTENTION_SUMMARY_NAMES.length;
        if (batch > 0 && config.mode() != AttentionMode.NONE) {
            attend(histories, queries, out);
        }
        for (int b = 0; b < batch; b++) {
            RawTransaction q = queries.get(b);
            DirectFeatures.compute(histories.get(b), q, TokenEncoder.homeKm(q), out[b], attnEnd, null);
        }
        return out;
    }

    private void attend(List<CardHistory> histories, List<RawTransaction> queries, float[][] out) {
        final int batch = histories.size();
        int nMax = 1;
        for (CardHistory h : histories) {
            nMax = Math.max(nMax, h.size());
        }
        final int n = nMax;
        float[] tokens = new float[batch * n * F];
        float[] queryTokens = new float[batch * F];
        float[] dtHours = new float[batch * n];
        float[] km = new float[batch * n];
        float[] padding = new float[batch * n];
        float[] amounts = new float[batch * n];
        float[] within24h = new float[batch * n];
        float[] knownBoth = new float[batch * n];
        TokenEncoder encoder = new TokenEncoder();
        for (int b = 0; b < batch; b++) {
            CardHistory h = histories.get(b);
            RawTransaction q = queries.get(b);
            encoder.encode(q, queryTokens, b * F);
            boolean qKnown = q.merchantLocationKnown();
            double qLat = (float) q.merchantLat();
            double qLon = (float) q.merchantLon();
            double qCos = Math.cos(Math.toRadians((float) qLat));
            long tq = q.eventTimeMillis();
            // physical slot order, as in the per-event kernel (so that exact score ties break the same way)
            for (int j = 0; j < n; j++) {
                int r = b * n + j;
                if (j >= h.size()) {
                    padding[r] = Float.NEGATIVE_INFINITY;
                    continue;
                }
                h.tokenAt(j, tokens, r * F);
                long dt = Math.abs(tq - h.time[j]);
                dtHours[r] = (float) (dt / 3_600_000.0);
                within24h[r] = dt <= 24 * DirectFeatures.HOUR_MS ? 1f : 0f;
                amounts[r] = h.amount[j];
                if (qKnown && h.locKnown[j] != 0f) {
                    km[r] = (float) Geo.localKm(qLat, qLon, qCos, h.lat[j], h.lon[j], h.cosLat[j]);
                    knownBoth[r] = 1f;
                }
            }
        }

        try (NDManager sub = manager.newSubManager()) {
            NDArray x = sub.create(tokens, new Shape(batch, n, F));
            NDArray q = sub.create(queryTokens, new Shape(batch, F)).matMul(wqT)
                    .reshape(batch, heads, 1, dh);
            NDArray keys = x.matMul(wkT).reshape(batch, n, heads, dh).transpose(0, 2, 1, 3); // [B,H,N,dh]
            NDArray values = x.matMul(wvT).reshape(batch, n, heads, dh).transpose(0, 2, 1, 3);
            NDArray logT = sub.create(dtHours, new Shape(batch, 1, n)).add(1f).log();
            NDArray logS = sub.create(km, new Shape(batch, 1, n)).add(1f).log();
            NDArray scores = q.matMul(keys.transpose(0, 1, 3, 2)).reshape(batch, heads, n)
                    .mul((float) (1.0 / Math.sqrt(dh)))
                    .add(negAlpha.mul(logT))
                    .add(negBeta.mul(logS))
                    .add(sub.create(padding, new Shape(batch, 1, n)));

            int kept = config.mode() == AttentionMode.DENSE ? n : Math.min(config.k(), n);
            NDList top = scores.topK(kept, -1, true, true);
            NDArray topScores = top.get(0); // [B,H,kept], descending
            NDArray topIdx = top.get(1);
            NDArray topW = topScores.softmax(-1);
            // weight exactly 0 everywhere outside the top-k: scatter into zeros, never multiply by a mask
            NDArray w = sub.zeros(scores.getShape(), DataType.FLOAT32).scatter(topIdx, topW, 2); // [B,H,N]
            NDArray ctx = w.expandDims(2).matMul(values).reshape(batch, d); // [B,H,1,dh] -> [B,d]
            NDArray maxScore = topScores.get(":, :, 0").max(new int[] {1});
            NDArray p = w.mean(new int[] {1}); // [B,N], head-averaged
            NDArray entropy = p.mul(p.add(1e-30f).log()).sum(new int[] {1}).neg();
            NDArray share = p.mul(sub.create(within24h, new Shape(batch, n))).sum(new int[] {1});
            NDArray wAmount = p.mul(sub.create(amounts, new Shape(batch, n))).sum(new int[] {1});
            NDArray pKnown = p.mul(sub.create(knownBoth, new Shape(batch, n)));
            NDArray wLogKm = pKnown.mul(logS.reshape(batch, n)).sum(new int[] {1});
            NDArray wKnown = pKnown.sum(new int[] {1});

            float[] ctxH = ctx.toFloatArray();
            float[] maxH = maxScore.toFloatArray();
            float[] entH = entropy.toFloatArray();
            float[] shareH = share.toFloatArray();
            float[] amountH = wAmount.toFloatArray();
            float[] logKmH = wLogKm.toFloatArray();
            float[] knownH = wKnown.toFloatArray();
            for (int b = 0; b < batch; b++) {
                if (histories.get(b).size() == 0) {
                    continue; // all padding: attention features stay 0
                }
                float[] o = out[b];
                System.arraycopy(ctxH, b * d, o, 0, d);
                o[d] = maxH[b];
                o[d + 1] = entH[b];
                o[d + 2] = shareH[b];
                o[d + 3] = (float) (Math.log1p(amountH[b])
                        - Math.log1p(TokenEncoder.storedAmount(queries.get(b).amount())));
                o[d + 4] = knownH[b] > 0f ? logKmH[b] / knownH[b] : 0f;
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
