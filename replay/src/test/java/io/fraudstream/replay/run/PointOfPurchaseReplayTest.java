package io.fraudstream.replay.run;

import io.fraudstream.cli.support.Progress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fraudstream.avro.Transaction;
import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.features.pop.PopTable;
import io.fraudstream.model.FraudModel;
import io.fraudstream.replay.eval.ScoredTransaction;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.testkit.SharedData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded replay with point-of-purchase features: the table built from the spool reaches the scorer through the
 * job's topology, and every transaction's score moves by exactly what the table (the trainer's computation) says.
 */
class PointOfPurchaseReplayTest {

    @TempDir
    Path dir;

    @Test
    void everyScoreMovesByTheMerchantFraudsTheTableGivesItsTransaction() throws Exception {
        Path slice = dir.resolve("slice.csv");
        BoundedScoringTest.cutSparkov(SharedData.sparkov(), slice, 20_000, List.of());
        FraudModel plain = handMade();
        FraudModel pop = withMerchantFrauds(plain, 2.0);
        Duration delay = Duration.ofDays(7);
        try (Spool spool = BoundedScoringTest.spool(slice, dir.resolve("pop.spool"))) {
            PopTable table = PointOfPurchaseTables.fromSpool(spool, delay);
            assertThat(table.transactions()).isEqualTo(20_000);
            assertThat(table.frauds()).isEqualTo(spool.labels().values().stream().filter(Boolean::booleanValue).count());

            BoundedScoring.Settings settings = BoundedScoring.Settings.replayDefaults();
            List<BoundedScoring.Result> results = BoundedScoring.run(spool,
                    List.of(PinnedModels.inline(plain), PinnedModels.inline(pop)), settings.withPointOfPurchase(table),
                    2, Progress.silent());
            Map<String, Transaction> byId = transactions(spool);
            List<ScoredTransaction> a = results.get(0).scores();
            List<ScoredTransaction> b = results.get(1).scores();
            assertThat(b).hasSameSizeAs(a).hasSize(20_000);
            PopFeatures.Scratch scratch = new PopFeatures.Scratch();
            int moved = 0;
            for (int i = 0; i < a.size(); i++) {
                assertThat(b.get(i).transactionId()).isEqualTo(a.get(i).transactionId());
                Transaction tx = byId.get(a.get(i).transactionId());
                float[] f = new float[PopFeatures.ATTACHED_COUNT];
                table.features(tx.getMerchantId(), tx.getTerminalId(), tx.getEventTime().toEpochMilli(),
                        PopFeatures.SETTLE_HOURS, scratch, f, 0);
                double expected = 2.0 * f[PopFeatures.MERCHANT_FRAUDS_7D];
                assertThat(logit(b.get(i).score()) - logit(a.get(i).score())).as(tx.getTransactionId())
                        .isCloseTo(expected, within(1e-6));
                moved += expected > 0 ? 1 : 0;
            }
            assertThat(moved).as("transactions at merchants with frauds reported in the 7 days before").isGreaterThan(50);
        }
    }

    private static Map<String, Transaction> transactions(Spool spool) throws Exception {
        AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
        Map<String, Transaction> out = new HashMap<>();
        try (Spool.Reader r = new Spool.Reader(spool.file())) {
            for (Spool.Entry e = r.next(); e != null; e = r.next()) {
                Transaction tx = codec.decode(e.value());
                out.put(tx.getTransactionId(), tx);
            }
        }
        return out;
    }

    /** Seeded extractor weights and a hand-set classifier (amount and night time): no training needed. */
    static FraudModel handMade() {
        io.fraudstream.features.ExtractorConfig config = io.fraudstream.features.ExtractorConfig.defaults();
        List<String> names = Arrays.asList(io.fraudstream.features.FeatureExtractor.featureNames(config.dim()));
        double[] stds = new double[names.size()];
        Arrays.fill(stds, 1.0);
        double[] coef = new double[names.size()];
        coef[names.indexOf("log1p_amount")] = 1.5;
        coef[names.indexOf("night_time")] = 2.0;
        return FraudModel.builder()
                .version("hand-made-1")
                .createdAt(java.time.Instant.parse("2026-11-29T00:00:00Z"))
                .trainingData(new io.fraudstream.model.TrainingData("none", java.time.Instant.EPOCH,
                        java.time.Instant.EPOCH, java.time.Instant.EPOCH, java.time.Instant.EPOCH))
                .featureNames(names)
                .extractor(config, io.fraudstream.features.ExtractorWeights.bootstrap(config, 7))
                .scaler(new double[names.size()], stds)
                .classifier(-9.0, coef)
                .threshold(0.5)
                .metrics(Map.of())
                .properties(Map.of())
                .build();
    }

    private static double logit(double p) {
        return Math.log(p / (1 - p));
    }

    /** {@code m} with the point-of-purchase block, weight {@code w} on the merchant's frauds over 7 days only. */
    static FraudModel withMerchantFrauds(FraudModel m, double w) {
        int n = m.featureCount();
        int p = PopFeatures.COUNT;
        List<String> names = new ArrayList<>(m.featureNames());
        names.addAll(PopFeatures.NAMES);
        double[] means = Arrays.copyOf(m.means(), n + p);
        double[] stds = Arrays.copyOf(m.stds(), n + p);
        Arrays.fill(stds, n, n + p, 1.0);
        double[] coef = Arrays.copyOf(m.coefficients(), n + p);
        coef[n + PopFeatures.MERCHANT_FRAUDS_7D] = w;
        return m.toBuilder().version(m.version() + "-pop").featureNames(names).scaler(means, stds)
                .classifier(m.intercept(), coef).build();
    }
}
