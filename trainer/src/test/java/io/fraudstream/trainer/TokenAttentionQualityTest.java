package io.fraudstream.trainer;

import io.fraudstream.datasets.CardTokens;
import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.features.CardHistory;
import io.fraudstream.features.DjlBatchExtractor;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.RawTransaction;
import io.fraudstream.trainer.bootstrap.BootstrapModel;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.RankingMetrics;
import io.fraudstream.testkit.SharedData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The job's attention kernel (tokens, no keys or values held: {@link FeatureExtractor}) against attention with explicit
 * full-precision K/V ({@link DjlBatchExtractor}: K = W_k x and V = W_v x as fp32 tensors, the form the "fp32
 * K/V" names and the release before the chunked state computed): every transaction of the shared Sparkov sample scored
 * per card in event-time order (extract, then append), by both. Numbers in docs/STATE.md.
 *
 * <p>The K/V side runs on DJL and takes about 5 minutes for the whole sample on 2 cores (1 minute for every 5th card), so {@code mvn verify} scores
 * every {@value #DEFAULT_STRIDE}th card; {@code -Dfraudstream.quality.stride=1} scores all of them (the documented run).
 */
class TokenAttentionQualityTest {
    private static final int BATCH = 512;
    private static final int DEFAULT_STRIDE = 10;

    @Test
    void tokenAttentionScoresTheSharedSampleAsFullPrecisionKvWithinTheToleranceAndRankingUnchanged()
            throws IOException {
        LabelledData data = SparkovData.read(SharedData.sparkov(), CardTokens.publicTestKey("CompactKvQualityTest"));
        FraudModel model = BootstrapModel.create(42);
        FeatureExtractor job = model.newExtractor();
        int stride = Integer.getInteger("fraudstream.quality.stride", DEFAULT_STRIDE);
        int cardIndex = 0;
        float[] a = new float[job.featureCount()];
        double[] kvScores = new double[data.size()];
        double[] jobScores = new double[data.size()];
        boolean[] fraud = new boolean[data.size()];
        int n = 0;
        List<CardHistory> histories = new ArrayList<>(BATCH);
        List<RawTransaction> queries = new ArrayList<>(BATCH);
        try (DjlBatchExtractor kv = new DjlBatchExtractor(model.extractorConfig(), model.extractorWeights())) {
            for (List<LabelledTransaction> card : data.cards()) {
                if (cardIndex++ % stride != 0) {
                    continue;
                }
                CardHistory h = CardHistory.create(model.extractorConfig());
                for (LabelledTransaction t : card) {
                    job.extract(h, t.tx(), a, null);
                    jobScores[n] = model.score(a);
                    fraud[n] = t.fraud();
                    histories.add(h.copy());
                    queries.add(t.tx());
                    n++;
                    if (histories.size() == BATCH) {
                        scoreBatch(kv, model, histories, queries, kvScores, n);
                    }
                    h.add(t.tx());
                }
            }
            scoreBatch(kv, model, histories, queries, kvScores, n);
        }
        double worst = 0;
        int over = 0;
        for (int i = 0; i < n; i++) {
            double diff = Math.abs(kvScores[i] - jobScores[i]);
            worst = Math.max(worst, diff);
            over += diff > 1e-3 ? 1 : 0;
        }
        kvScores = java.util.Arrays.copyOf(kvScores, n);
        jobScores = java.util.Arrays.copyOf(jobScores, n);
        fraud = java.util.Arrays.copyOf(fraud, n);
        double apKv = RankingMetrics.averagePrecision(kvScores, fraud);
        double apJob = RankingMetrics.averagePrecision(jobScores, fraud);
        double aucKv = RankingMetrics.auc(kvScores, fraud);
        double aucJob = RankingMetrics.auc(jobScores, fraud);
        int frauds = 0;
        for (int i = 0; i < n; i++) {
            frauds += fraud[i] ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "token attention vs fp32 K/V on %s, every %d. card: %d transactions, %d frauds; "
                + "max |score diff| "
                + "%.3g (%d over 1e-3, %d over 1e-5); AP %.6f -> %.6f; AUC %.6f -> %.6f%n",
                SharedData.sparkov().getFileName(), stride, n, frauds, worst, over, count(kvScores, jobScores, n, 1e-5),
                apKv, apJob, aucKv, aucJob);
        assertThat(n).isGreaterThanOrEqualTo(data.size() / stride / 2);
        // Measured on the whole sample: 7 of 173,529 scores differ by more than 1e-5, 5 by more than 1e-3 (max 0.015):
        // top-k near-ties decided the other way by the two kernels' float rounding (a different summation order; not
        // the representation), a discontinuity of the top-k, not a drift.
        assertThat(count(kvScores, jobScores, n, 1e-5)).isLessThanOrEqualTo(Math.max(2, n / 10_000));
        assertThat((double) over / n).isLessThanOrEqualTo(1e-4);
        assertThat(Math.abs(apJob - apKv)).isLessThanOrEqualTo(1e-4);
        assertThat(Math.abs(aucJob - aucKv)).isLessThanOrEqualTo(1e-4);
    }

    private static int count(double[] x, double[] y, int n, double tol) {
        int c = 0;
        for (int i = 0; i < n; i++) {
            c += Math.abs(x[i] - y[i]) > tol ? 1 : 0;
        }
        return c;
    }

    /** Scores the batch with the K/V kernel into {@code out[end - size .. end)} and empties it. */
    private static void scoreBatch(DjlBatchExtractor kv, FraudModel model, List<CardHistory> histories,
            List<RawTransaction> queries, double[] out, int end) {
        if (histories.isEmpty()) {
            return;
        }
        float[][] rows = kv.extract(histories, queries);
        int first = end - rows.length;
        for (int i = 0; i < rows.length; i++) {
            out[first + i] = model.score(rows[i]);
        }
        histories.clear();
        queries.clear();
    }
}
