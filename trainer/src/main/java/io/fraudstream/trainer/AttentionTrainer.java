package io.fraudstream.trainer;

import io.fraudstream.model.FeatureBlock;
import io.fraudstream.model.scoring.CardScorer;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.fraudstream.cli.support.Progress;
import io.fraudstream.features.AttentionMode;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.features.RawTransaction;
import io.fraudstream.features.TokenEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns the extractor's weights (W_q, W_k, W_v, per-head alpha and beta) with DJL autograd on the PyTorch
 * engine, by binary cross-entropy through a logistic head.
 *
 * <p>The forward pass is the extractor's attention as DESIGN.md defines it, on the training rows' histories
 * (the most recent {@link AttentionSettings#maxHistory()} entries): {@code s_j = q.K_j / sqrt(dh) - alpha
 * log1p(dt hours) - beta log1p(km)}; in SPARSE_TOP_K only the k best scores per head enter the softmax (the
 * k-th score is found without gradient, every other position gets -1e9 before the softmax, so its weight is 0
 * and it receives no gradient); context {@code sum_j w_j V_j}; the five attention summaries. The head is a
 * logistic regression over [context, summaries, standardized direct features]: with the direct features
 * present, the attention is pushed to learn what they do not already say. alpha and beta are kept >= 0 by
 * a softplus reparametrisation. Initialisation: {@link ExtractorWeights#bootstrap} with the settings' seed.
 *
 * <p>Pairs: every training-window transaction that has history; all frauds and a fresh seeded sample of genuine
 * ones each epoch, the loss weighting both classes to equal total weight. The head is discarded: the final
 * classifier is fitted by {@link ClassifierTrainer} on the JVM kernel's full features with the learned weights.
 *
 * <p>Not thread-safe; all native memory is released before {@link #train} returns.
 */
public final class AttentionTrainer {
    /** The progress stage of the epochs. */
    public static final String EPOCHS_TASK = "attention epochs";
    private static final Logger LOG = LoggerFactory.getLogger(AttentionTrainer.class);
    private static final int F = TokenEncoder.WIDTH;
    private static final float MASKED = -1e9f;
    private static final double KM_PER_DEGREE = 6371.0088 * Math.PI / 180.0;
    private static final long HOUR_MS = 3_600_000L;

    /** What training produced: the weights, and the mean weighted loss before training and after each epoch. */
    public record Result(ExtractorWeights weights, double initialLoss, double[] epochLoss, int pairsPerEpoch,
            long millis) {
        public double finalLoss() {
            return epochLoss[epochLoss.length - 1];
        }
    }

    private final ExtractorConfig config;
    private final AttentionSettings settings;

    public AttentionTrainer(ExtractorConfig config, AttentionSettings settings) {
        if (config.mode() == AttentionMode.NONE) {
            throw new IllegalArgumentException("extractor.mode NONE has no attention weights to learn");
        }
        this.config = config;
        this.settings = settings;
    }

    /** Flattened per-transaction arrays of the whole data set, in card order. */
    private static final class Prepared {
        int total;
        float[] tokens;
        long[] time;
        float[] lat;
        float[] lon;
        float[] cosLat;
        boolean[] locKnown;
        float[] amount;
        int[] cardStart;
        float[] direct; // standardized, DIRECT per transaction
        int directCount;
        int[] positives;
        int[] negatives;
    }

    /**
     * Learns weights on the training window of {@code data}; the returned weights carry {@code weightsVersion}
     * (the name of these weights: new weights need a new one).
     */
    public Result train(LabelledData data, TimeSplit split, String weightsVersion) {
        return train(data, split, weightsVersion, Progress.silent());
    }

    /** As {@link #train(LabelledData, TimeSplit, String)}, reporting each finished epoch to {@code progress}. */
    public Result train(LabelledData data, TimeSplit split, String weightsVersion, Progress progress) {
        long t0 = System.nanoTime();
        Prepared p = prepare(data, split);
        if (p.positives.length == 0 || p.negatives.length == 0) {
            throw new IllegalStateException("the training window " + split + " needs both fraud and genuine"
                    + " transactions with history; it has " + p.positives.length + " and " + p.negatives.length);
        }
        ExtractorWeights init = ExtractorWeights.bootstrap(config, settings.seed());
        SplittableRandom rnd = new SplittableRandom(settings.seed());
        int d = config.dim();
        int heads = config.heads();
        int headInputs = d + 5 + p.directCount;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray wqT = param(manager, init.queryWeights(), d);
            NDArray wkT = param(manager, init.keyWeights(), d);
            NDArray wvT = param(manager, init.valueWeights(), d);
            NDArray alphaRaw = manager.create(inverseSoftplus(init.alpha()), new Shape(1, heads, 1));
            NDArray betaRaw = manager.create(inverseSoftplus(init.beta()), new Shape(1, heads, 1));
            NDArray headW = manager.zeros(new Shape(headInputs, 1), DataType.FLOAT32);
            NDArray headB = manager.zeros(new Shape(1), DataType.FLOAT32);
            NDArray[] params = {wqT, wkT, wvT, alphaRaw, betaRaw, headW, headB};
            String[] names = {"wq", "wk", "wv", "alpha", "beta", "headW", "headB"};
            for (NDArray a : params) {
                a.setRequiresGradient(true);
            }
            Model m = new Model(wqT, wkT, wvT, alphaRaw, betaRaw, headW, headB);
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(settings.learningRate())).build();

            // A fixed evaluation sample (same for the initial and the per-epoch loss) makes the curve comparable.
            int[] evalPairs = sample(p, rnd, Math.min(settings.maxPairsPerEpoch(), 2048));
            double initialLoss = meanLoss(manager, m, p, evalPairs);
            LOG.info("Attention training: {} fraud / {} genuine training pairs, {} per epoch, {} epochs; loss before"
                    + " training {}", p.positives.length, p.negatives.length,
                    Math.min(settings.maxPairsPerEpoch(), p.positives.length + p.negatives.length), settings.epochs(),
                    String.format(java.util.Locale.ROOT, "%.4f", initialLoss));
            double[] epochLoss = new double[settings.epochs()];
            int pairsPerEpoch = 0;
            Engine engine = Engine.getEngine("PyTorch");
            for (int epoch = 0; epoch < settings.epochs(); epoch++) {
                long te = System.nanoTime();
                int[] pairs = sample(p, rnd, settings.maxPairsPerEpoch());
                pairsPerEpoch = pairs.length;
                double trainLoss = 0;
                int steps = 0;
                for (int from = 0; from < pairs.length; from += settings.batchSize()) {
                    int[] batch = Arrays.copyOfRange(pairs, from, Math.min(pairs.length, from + settings.batchSize()));
                    try (NDManager sub = manager.newSubManager()) {
                        Batch b = batch(sub, p, batch);
                        try (GradientCollector gc = engine.newGradientCollector()) {
                            NDArray loss = m.loss(b);
                            gc.backward(loss);
                            trainLoss += loss.getFloat();
                            steps++;
                        }
                        for (int i = 0; i < params.length; i++) {
                            try (NDArray g = params[i].getGradient()) {
                                adam.update(names[i], params[i], g);
                                g.subi(g); // PyTorch accumulates gradients: zero them for the next step
                            }
                        }
                    }
                }
                epochLoss[epoch] = meanLoss(manager, m, p, evalPairs);
                LOG.info("Attention epoch {}/{}: mean training-batch loss {}, evaluation-sample loss {} ({} ms)",
                        epoch + 1, settings.epochs(), String.format(java.util.Locale.ROOT, "%.4f", trainLoss / steps),
                        String.format(java.util.Locale.ROOT, "%.4f", epochLoss[epoch]),
                        (System.nanoTime() - te) / 1_000_000);
                progress.tick(EPOCHS_TASK, epoch + 1, settings.epochs());
            }
            progress.done(EPOCHS_TASK, settings.epochs());
            ExtractorWeights learned = new ExtractorWeights(weightsVersion, F, untranspose(wqT, d),
                    untranspose(wkT, d), untranspose(wvT, d), softplus(alphaRaw), softplus(betaRaw));
            return new Result(learned, initialLoss, epochLoss, pairsPerEpoch, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private double meanLoss(NDManager manager, Model m, Prepared p, int[] pairs) {
        double sum = 0;
        double weight = 0;
        for (int from = 0; from < pairs.length; from += settings.batchSize()) {
            int[] batch = Arrays.copyOfRange(pairs, from, Math.min(pairs.length, from + settings.batchSize()));
            try (NDManager sub = manager.newSubManager()) {
                Batch b = batch(sub, p, batch);
                sum += m.loss(b).getFloat() * batch.length;
                weight += batch.length;
            }
        }
        return sum / weight;
    }

    /** All positives, then genuine pairs drawn without replacement up to the cap, shuffled. */
    private int[] sample(Prepared p, SplittableRandom rnd, int cap) {
        int nPos = Math.min(p.positives.length, Math.max(1, cap / 2));
        int nNeg = Math.min(p.negatives.length, Math.max(1, cap - nPos));
        int[] pos = partialShuffle(p.positives, nPos, rnd);
        int[] neg = partialShuffle(p.negatives, nNeg, rnd);
        int[] out = new int[nPos + nNeg];
        System.arraycopy(pos, 0, out, 0, nPos);
        System.arraycopy(neg, 0, out, nPos, nNeg);
        for (int i = out.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    private static int[] partialShuffle(int[] from, int n, SplittableRandom rnd) {
        int[] a = from.clone();
        for (int i = 0; i < n; i++) {
            int j = i + rnd.nextInt(a.length - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return Arrays.copyOf(a, n);
    }

    private Prepared prepare(LabelledData data, TimeSplit split) {
        Prepared p = new Prepared();
        int total = data.size();
        p.total = total;
        p.tokens = new float[total * F];
        p.time = new long[total];
        p.lat = new float[total];
        p.lon = new float[total];
        p.cosLat = new float[total];
        p.locKnown = new boolean[total];
        p.amount = new float[total];
        p.cardStart = new int[total];
        ExtractorConfig direct = config.toBuilder().mode(AttentionMode.NONE).build();
        // The job's per-event rules (TTL, duplicates, extract then append) for the direct features.
        CardScorer directScorer = CardScorer.features(direct, ExtractorWeights.bootstrap(direct, 0), FeatureBlock.none(),
                CardScorer.DEFAULT_CARD_TTL.toMillis());
        int d = config.dim();
        int directFrom = d + 5;
        p.directCount = directScorer.featureCount() - directFrom;
        p.direct = new float[total * p.directCount];
        boolean[] train = new boolean[total];
        boolean[] fraud = new boolean[total];
        TokenEncoder encoder = new TokenEncoder();
        int i = 0;
        for (List<LabelledTransaction> card : data.cards()) {
            int start = i;
            CardScorer.Card history = directScorer.newCard();
            for (LabelledTransaction t : card) {
                RawTransaction tx = t.tx();
                encoder.encode(tx, p.tokens, i * F);
                p.time[i] = tx.eventTimeMillis();
                p.locKnown[i] = tx.merchantLocationKnown();
                if (p.locKnown[i]) {
                    p.lat[i] = (float) tx.merchantLat();
                    p.lon[i] = (float) tx.merchantLon();
                    p.cosLat[i] = (float) Math.cos(Math.toRadians(p.lat[i]));
                }
                p.amount[i] = (float) Math.min(tx.amount(), 1e15);
                p.cardStart[i] = start;
                TimeSplit.Segment s = split.segmentOf(tx.eventTimeMillis());
                if (s == TimeSplit.Segment.TRAIN) {
                    if (directScorer.next(history, tx, null, null) == CardScorer.Outcome.SCORED) {
                        System.arraycopy(directScorer.features(), directFrom, p.direct, i * p.directCount,
                                p.directCount);
                        train[i] = i > start;
                        fraud[i] = t.fraud();
                    }
                } else {
                    directScorer.pass(history, tx);
                }
                i++;
            }
        }
        standardizeDirect(p, train);
        List<Integer> pos = new ArrayList<>();
        List<Integer> neg = new ArrayList<>();
        for (int j = 0; j < total; j++) {
            if (train[j]) {
                (fraud[j] ? pos : neg).add(j);
            }
        }
        p.positives = pos.stream().mapToInt(Integer::intValue).toArray();
        p.negatives = neg.stream().mapToInt(Integer::intValue).toArray();
        return p;
    }

    private static void standardizeDirect(Prepared p, boolean[] rows) {
        int c = p.directCount;
        double[] mean = new double[c];
        double[] sq = new double[c];
        int n = 0;
        for (int i = 0; i < p.total; i++) {
            if (rows[i]) {
                n++;
                for (int j = 0; j < c; j++) {
                    double v = p.direct[i * c + j];
                    mean[j] += v;
                    sq[j] += v * v;
                }
            }
        }
        for (int j = 0; j < c; j++) {
            mean[j] /= Math.max(1, n);
            double var = sq[j] / Math.max(1, n) - mean[j] * mean[j];
            double sd = Math.sqrt(Math.max(0, var));
            sq[j] = sd > 1e-9 ? sd : 1.0;
        }
        for (int i = 0; i < p.total; i++) {
            for (int j = 0; j < c; j++) {
                p.direct[i * c + j] = (float) ((p.direct[i * c + j] - mean[j]) / sq[j]);
            }
        }
    }

    /** One mini-batch as NDArrays. */
    private record Batch(int size, int n, NDArray tokens, NDArray query, NDArray logT, NDArray logS, NDArray padding,
            NDArray within24h, NDArray amounts, NDArray knownBoth, NDArray queryLogAmount, NDArray direct,
            NDArray labels, NDArray weights) {}

    private Batch batch(NDManager sub, Prepared p, int[] rows) {
        int b = rows.length;
        int n = 1;
        for (int r : rows) {
            n = Math.max(n, Math.min(r - p.cardStart[r], settings.maxHistory()));
        }
        float[] tokens = new float[b * n * F];
        float[] query = new float[b * F];
        float[] dtHours = new float[b * n];
        float[] km = new float[b * n];
        float[] padding = new float[b * n];
        float[] within = new float[b * n];
        float[] amounts = new float[b * n];
        float[] known = new float[b * n];
        float[] qLogAmount = new float[b];
        float[] direct = new float[b * p.directCount];
        float[] labels = new float[b];
        float[] weights = new float[b];
        int nPos = 0;
        for (int r : rows) {
            nPos += p.positives.length > 0 && isPositive(p, r) ? 1 : 0;
        }
        // Equal total weight per class within the batch (a batch with one class weights it 1).
        float wPos = nPos == 0 ? 0f : (float) b / (2f * nPos);
        float wNeg = nPos == b ? 0f : (float) b / (2f * (b - nPos));
        if (nPos == 0 || nPos == b) {
            wPos = 1f;
            wNeg = 1f;
        }
        for (int i = 0; i < b; i++) {
            int q = rows[i];
            int len = Math.min(q - p.cardStart[q], settings.maxHistory());
            int first = q - len;
            System.arraycopy(p.tokens, q * F, query, i * F, F);
            System.arraycopy(p.direct, q * p.directCount, direct, i * p.directCount, p.directCount);
            qLogAmount[i] = (float) Math.log1p(p.amount[q]);
            boolean pos = isPositive(p, q);
            labels[i] = pos ? 1f : 0f;
            weights[i] = pos ? wPos : wNeg;
            double qCos = p.cosLat[q];
            for (int j = 0; j < n; j++) {
                int o = i * n + j;
                if (j >= len) {
                    padding[o] = MASKED;
                    continue;
                }
                int h = first + j;
                System.arraycopy(p.tokens, h * F, tokens, o * F, F);
                long dt = Math.abs(p.time[q] - p.time[h]);
                dtHours[o] = (float) (dt / (double) HOUR_MS);
                within[o] = dt <= 24 * HOUR_MS ? 1f : 0f;
                amounts[o] = p.amount[h];
                if (p.locKnown[q] && p.locKnown[h]) {
                    double dLat = p.lat[q] - p.lat[h];
                    double dLon = Math.abs(p.lon[q] - p.lon[h]);
                    dLon = Math.min(dLon, 360.0 - dLon);
                    double x = dLon * 0.5 * (qCos + p.cosLat[h]);
                    km[o] = (float) (KM_PER_DEGREE * Math.sqrt(dLat * dLat + x * x));
                    known[o] = 1f;
                }
            }
        }
        return new Batch(b, n,
                sub.create(tokens, new Shape(b, n, F)),
                sub.create(query, new Shape(b, F)),
                sub.create(dtHours, new Shape(b, 1, n)).add(1f).log(),
                sub.create(km, new Shape(b, 1, n)).add(1f).log(),
                sub.create(padding, new Shape(b, 1, n)),
                sub.create(within, new Shape(b, n)),
                sub.create(amounts, new Shape(b, n)),
                sub.create(known, new Shape(b, n)),
                sub.create(qLogAmount, new Shape(b, 1)),
                sub.create(direct, new Shape(b, p.directCount)),
                sub.create(labels, new Shape(b, 1)),
                sub.create(weights, new Shape(b, 1)));
    }

    private static boolean isPositive(Prepared p, int row) {
        return Arrays.binarySearch(p.positives, row) >= 0;
    }

    /** The differentiable forward pass. */
    private final class Model {
        final NDArray wqT;
        final NDArray wkT;
        final NDArray wvT;
        final NDArray alphaRaw;
        final NDArray betaRaw;
        final NDArray headW;
        final NDArray headB;

        Model(NDArray wqT, NDArray wkT, NDArray wvT, NDArray alphaRaw, NDArray betaRaw, NDArray headW,
                NDArray headB) {
            this.wqT = wqT;
            this.wkT = wkT;
            this.wvT = wvT;
            this.alphaRaw = alphaRaw;
            this.betaRaw = betaRaw;
            this.headW = headW;
            this.headB = headB;
        }

        /** Class-weighted mean binary cross-entropy of the head's logits. */
        NDArray loss(Batch b) {
            int heads = config.heads();
            int d = config.dim();
            int dh = config.headDim();
            int bs = b.size();
            int n = b.n();
            NDArray q = b.query().matMul(wqT).reshape(bs, heads, 1, dh);
            NDArray keys = b.tokens().matMul(wkT).reshape(bs, n, heads, dh).transpose(0, 2, 1, 3);
            NDArray values = b.tokens().matMul(wvT).reshape(bs, n, heads, dh).transpose(0, 2, 1, 3);
            NDArray alpha = softplusNd(alphaRaw);
            NDArray beta = softplusNd(betaRaw);
            NDArray scores = q.matMul(keys.transpose(0, 1, 3, 2)).reshape(bs, heads, n)
                    .mul((float) (1.0 / Math.sqrt(dh)))
                    .sub(alpha.mul(b.logT()))
                    .sub(beta.mul(b.logS()))
                    .add(b.padding());
            int kept = config.mode() == AttentionMode.DENSE ? n : Math.min(config.k(), n);
            if (kept < n) {
                NDArray kth = scores.stopGradient().topK(kept, -1, true, true).get(0)
                        .get(":, :, " + (kept - 1) + ":" + kept);
                NDArray keep = scores.stopGradient().gte(kth);
                scores = NDArrays.where(keep, scores, scores.stopGradient().mul(0f).add(MASKED));
            }
            NDArray w = scores.softmax(-1); // [B,H,N]
            NDArray ctx = w.expandDims(2).matMul(values).reshape(bs, d);
            NDArray maxScore = scores.max(new int[] {2}).max(new int[] {1}, true); // [B,1]
            NDArray pAvg = w.mean(new int[] {1}); // [B,N]
            NDArray entropy = pAvg.mul(pAvg.add(1e-30f).log()).sum(new int[] {1}, true).neg();
            NDArray share = pAvg.mul(b.within24h()).sum(new int[] {1}, true);
            NDArray amountRatio = pAvg.mul(b.amounts()).sum(new int[] {1}, true).add(1f).log().sub(b.queryLogAmount());
            NDArray pKnown = pAvg.mul(b.knownBoth());
            NDArray wLogKm = pKnown.mul(b.logS().reshape(bs, n)).sum(new int[] {1}, true)
                    .div(pKnown.sum(new int[] {1}, true).add(1e-9f));
            NDArray features = NDArrays.concat(new NDList(ctx, maxScore, entropy, share, amountRatio, wLogKm,
                    b.direct()), 1);
            NDArray z = features.matMul(headW).add(headB); // [B,1]
            // softplus(z) - y z, written stably: max(z, 0) - y z + log1p(exp(-|z|))
            NDArray bce = z.maximum(0f).sub(z.mul(b.labels())).add(z.abs().neg().exp().add(1f).log());
            return bce.mul(b.weights()).mean();
        }
    }

    private static NDArray softplusNd(NDArray raw) {
        // log1p(exp(x)) for the small |x| alpha and beta live in; stable form as in the loss
        return raw.maximum(0f).add(raw.abs().neg().exp().add(1f).log());
    }

    private static NDArray param(NDManager manager, float[] dxf, int d) {
        return manager.create(dxf, new Shape(d, F)).transpose().duplicate(); // [F,d], contiguous
    }

    private static float[] untranspose(NDArray fxd, int d) {
        return fxd.transpose().duplicate().toFloatArray(); // [d,F] row-major
    }

    private static float[] inverseSoftplus(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            double a = Math.max(v[i], 0.01);
            out[i] = (float) Math.log(Math.expm1(a));
        }
        return out;
    }

    private static float[] softplus(NDArray raw) {
        float[] r = raw.toFloatArray();
        float[] out = new float[r.length];
        for (int i = 0; i < r.length; i++) {
            double x = r[i];
            out[i] = (float) (Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
        }
        return out;
    }
}
