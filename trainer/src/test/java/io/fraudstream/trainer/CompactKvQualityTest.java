package io.fraudstream.trainer;

import io.fraudstream.datasets.CardTokens;
import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.features.CardHistory;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.trainer.bootstrap.BootstrapModel;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.RankingMetrics;
import io.fraudstream.testkit.SharedData;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The quality cost of the job's compact K/V (half precision, what the card state stores): every transaction of
 * the shared Sparkov sample scored as the job scores it (per card in event-time order, extract then append), once
 * with full-precision K/V (the release before the chunked state) and once compact. Numbers in docs/STATE.md; the
 * score goal was 1e-3 for every transaction, met by all but a few in 10^5.
 */
class CompactKvQualityTest {

    @Test
    void compactKvKeepsScoresOfTheSharedSampleWithinTheQuantizationToleranceAndRankingUnchanged() throws IOException {
        LabelledData data = SparkovData.read(SharedData.sparkov(), CardTokens.publicTestKey("CompactKvQualityTest"));
        FraudModel model = BootstrapModel.create(42);
        FeatureExtractor full = model.newExtractor();
        FeatureExtractor compact = FeatureExtractor.compactKv(model.extractorConfig(), model.extractorWeights());
        float[] a = new float[full.featureCount()];
        float[] b = new float[compact.featureCount()];
        double[] fullScores = new double[data.size()];
        double[] compactScores = new double[data.size()];
        boolean[] fraud = new boolean[data.size()];
        int n = 0;
        double worst = 0;
        int over = 0;
        for (List<LabelledTransaction> card : data.cards()) {
            CardHistory hFull = CardHistory.create(model.extractorConfig());
            CardHistory hCompact = CardHistory.create(model.extractorConfig());
            for (LabelledTransaction t : card) {
                full.extract(hFull, t.tx(), a, null);
                compact.extract(hCompact, t.tx(), b, null);
                fullScores[n] = model.score(a);
                compactScores[n] = model.score(b);
                fraud[n] = t.fraud();
                worst = Math.max(worst, Math.abs(fullScores[n] - compactScores[n]));
                if (Math.abs(fullScores[n] - compactScores[n]) > 1e-3) {
                    over++;
                }
                n++;
                hFull.add(t.tx());
                hCompact.add(t.tx());
            }
        }
        double apFull = RankingMetrics.averagePrecision(fullScores, fraud);
        double apCompact = RankingMetrics.averagePrecision(compactScores, fraud);
        double aucFull = RankingMetrics.auc(fullScores, fraud);
        double aucCompact = RankingMetrics.auc(compactScores, fraud);
        System.out.printf(Locale.ROOT, "compact K/V on %s: %d transactions, %d frauds; max |score diff| %.3g (%d over 1e-3); "
                + "AP %.6f -> %.6f; AUC %.6f -> %.6f%n", SharedData.sparkov().getFileName(), n, data.frauds(), worst, over,
                apFull, apCompact, aucFull, aucCompact);
        assertThat(n).isEqualTo(data.size());
        // Measured: max 1.45e-3, 4 of 173,529 scores over 1e-3 (half-precision values; keys kept full precision,
        // rounding them too gave max 0.093 and 5,306 over 1e-3 through flipped top-k near-ties).
        assertThat(worst).isLessThanOrEqualTo(2e-3);
        assertThat((double) over / n).isLessThanOrEqualTo(1e-4);
        assertThat(Math.abs(apCompact - apFull)).isLessThanOrEqualTo(1e-4);
        assertThat(Math.abs(aucCompact - aucFull)).isLessThanOrEqualTo(1e-4);
    }
}
