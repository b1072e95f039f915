package io.fraudstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelLoader;
import io.fraudstream.model.ModelRejectedException;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.schemas.AvroJson;
import io.fraudstream.simulator.SimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cycle, registry and gates without DJL: candidates use seeded (not learned) projections and a small
 * extractor, so this runs in seconds. The learned path is {@link TrainingQualityIT}.
 */
class ModelCycleTest {
    static LabelledData data;
    static TrainerSettings settings;

    @TempDir
    Path tmp;
    MutableClock clock;
    List<ModelDescriptor> sent;
    ModelRegistry registry;
    KeyPair keys;

    @BeforeAll
    static void data() {
        data = SimulatorData.load(SimulatorConfig.builder().seed(11).cards(80).start(Instant.parse(
                "2025-01-01T00:00:00Z")).duration(Duration.ofDays(45)).fraudRate(0.02).build());
        settings = TrainerSettings.defaults().withLearnAttention(false)
                .withExtractor(ExtractorConfig.builder().window(256).k(8).heads(2).dim(8).build())
                .withLambdas(new double[] {1, 10});
    }

    @BeforeEach
    void registry() throws Exception {
        clock = new MutableClock(Instant.parse("2026-11-29T08:00:00Z"));
        sent = new ArrayList<>();
        keys = SigningKeys.loadOrCreate(tmp.resolve("keys"));
        registry = new ModelRegistry(new ModelStore(tmp.resolve("store")), keys, sent::add, clock);
    }

    private ModelCycle cycle(ModelCycle.CandidateTrainer trainer, Duration shadowPeriod) {
        return new ModelCycle(() -> data, trainer, registry, ModelCycle.Settings.defaults()
                .withShadowPeriod(shadowPeriod), clock);
    }

    private static ModelTrainer.Outcome good(LabelledData d, TimeSplit s, String version, Instant at) {
        return new ModelTrainer(settings).train(d, s, version, at);
    }

    /** Deliberately worse: the good model with its coefficients negated (ranks fraud last). */
    private static ModelTrainer.Outcome worse(LabelledData d, TimeSplit s, String version, Instant at) {
        ModelTrainer.Outcome o = good(d, s, version, at);
        double[] w = o.model().coefficients();
        for (int i = 0; i < w.length; i++) {
            w[i] = -w[i];
        }
        FraudModel bad = o.model().toBuilder().classifier(-o.model().intercept(), w).build();
        return new ModelTrainer.Outcome(bad, o.attention(), o.classifier(), o.featureMillis(), o.totalMillis());
    }

    private void makeChampion(ModelCycle.CandidateTrainer trainer) throws Exception {
        ModelCycle.Report r = cycle(trainer, Duration.ZERO).runOnce();
        if (registry.champion().isEmpty() || !registry.champion().get().getModelVersion().equals(r.candidate())) {
            registry.promote(r.candidate(), "test setup", Map.of());
        }
        clock.advance(Duration.ofHours(1));
    }

    @Test
    void gatesPromoteABetterCandidate() throws Exception {
        makeChampion(ModelCycleTest::worse);
        String worseChampion = registry.champion().orElseThrow().getModelVersion();

        ModelCycle.Report r = cycle(ModelCycleTest::good, Duration.ZERO).runOnce();

        assertThat(r.championEvaluation().version()).isEqualTo(worseChampion);
        assertThat(r.candidateEvaluation().averagePrecision())
                .isGreaterThan(r.championEvaluation().averagePrecision() + 0.1);
        assertThat(r.decision()).contains("PROMOTE " + r.candidate());
        assertThat(registry.champion().orElseThrow().getModelVersion()).isEqualTo(r.candidate());
        assertThat(registry.shadow()).isEmpty();
        ModelDescriptor last = sent.get(sent.size() - 1);
        assertThat(last.getRole()).isEqualTo(ModelRole.CHAMPION);
        assertThat(last.getModelVersion()).isEqualTo(r.candidate());
        assertThat(sent.get(sent.size() - 2).getRole()).isEqualTo(ModelRole.SHADOW); // shadow first
        String line = registry.decisions().get(registry.decisions().size() - 1);
        assertThat(line).contains("\"action\":\"PROMOTE\"").contains("\"candidate.averagePrecision\":")
                .contains("\"champion.averagePrecision\":").contains("\"champion.version\":\"" + worseChampion);
    }

    @Test
    void gatesRollBackAWorseCandidateAndTheChampionStays() throws Exception {
        makeChampion(ModelCycleTest::good);
        String champion = registry.champion().orElseThrow().getModelVersion();

        ModelCycle.Report r = cycle(ModelCycleTest::worse, Duration.ZERO).runOnce();

        assertThat(r.decision()).contains("ROLLBACK " + r.candidate());
        assertThat(registry.champion().orElseThrow().getModelVersion()).isEqualTo(champion);
        assertThat(registry.shadow()).isEmpty();
        ModelDescriptor last = sent.get(sent.size() - 1);
        assertThat(last.getRole()).isEqualTo(ModelRole.RETIRED);
        assertThat(last.getModelVersion()).isEqualTo(r.candidate());
        assertThat(registry.decisions().get(registry.decisions().size() - 1))
                .contains("\"action\":\"ROLLBACK\"").contains("average precision");
        assertThat(Files.exists(registry.store().root().resolve("registry/descriptors/" + r.candidate()
                + ".RETIRED.json"))).isTrue();
        // Every decision sent is signed with the model-signing key and issued strictly after the one before (the
        // clock does not move during the cycle), so the job's replay check accepts the RETIRED after its SHADOW.
        assertThat(sent).allSatisfy(d -> assertThat(
                io.fraudstream.model.DecisionSigner.verify(d, keys.getPublic())).isTrue());
        for (int i = 1; i < sent.size(); i++) {
            assertThat(sent.get(i).getIssuedAt()).isAfter(sent.get(i - 1).getIssuedAt());
        }
    }

    @Test
    void aShadowIsJudgedOnlyAfterItsShadowPeriod() throws Exception {
        makeChampion(ModelCycleTest::worse);
        ModelCycle.Report first = cycle(ModelCycleTest::good, Duration.ofHours(8)).runOnce();
        assertThat(first.decision()).isEmpty();
        assertThat(registry.shadow().orElseThrow().getModelVersion()).isEqualTo(first.candidate());

        clock.advance(Duration.ofHours(8));
        ModelCycle.Report second = cycle(ModelCycleTest::good, Duration.ofHours(8)).runOnce();
        assertThat(second.decision()).contains("PROMOTE " + first.candidate());
        assertThat(registry.champion().orElseThrow().getModelVersion()).isEqualTo(first.candidate());
        // and the new candidate is the new shadow
        assertThat(registry.shadow().orElseThrow().getModelVersion()).isEqualTo(second.candidate());
        assertThat(second.candidate()).isNotEqualTo(first.candidate());
    }

    @Test
    void publishedBundleIsSignedAndLoadableByTheJobsLoaderAndTamperingIsRefused() throws Exception {
        ModelCycle.Report r = cycle(ModelCycleTest::good, Duration.ofHours(8)).runOnce();
        ModelDescriptor d = AvroJson.read(ModelDescriptor.class, registry.store().root()
                .resolve("registry/descriptors/" + r.candidate() + ".SHADOW.json"));
        assertThat(d.getRole()).isEqualTo(ModelRole.SHADOW);
        // the job's view: a store directory and the public key file only
        ModelStore jobStore = new ModelStore(tmp.resolve("store"));
        ModelLoader loader = ModelLoader.builder(jobStore, SigningKeys.loadPublicKey(tmp.resolve("keys")
                .resolve(SigningKeys.PUBLIC_KEY_FILE))).expectedFeatureCount(8 + 5 + 16).build();
        FraudModel loaded = loader.load(d);
        assertThat(loaded.version()).isEqualTo(r.candidate());
        assertThat(loaded.extractorWeights().modelVersion()).isEqualTo(r.candidate());
        assertThat(loaded.metrics()).containsKeys("validation.averagePrecision", "validation.auc",
                "validation.recallAtThreshold", "classifier.lambda");
        assertThat(loaded.trainingData().validationFrom()).isAfterOrEqualTo(loaded.trainingData().trainTo()
                .plus(Duration.ofDays(7)));

        ModelLoader otherKey = ModelLoader.builder(jobStore, SigningKeys.generate().getPublic()).build();
        assertThatThrownBy(() -> otherKey.load(d)).isInstanceOf(ModelRejectedException.class)
                .extracting(e -> ((ModelRejectedException) e).reason())
                .isEqualTo(ModelRejectedException.Reason.BAD_SIGNATURE);
        Path bundle = jobStore.resolve(d.getLocation());
        byte[] bytes = Files.readAllBytes(bundle);
        bytes[bytes.length / 2] ^= 1;
        bundle.toFile().setWritable(true);
        Files.write(bundle, bytes);
        assertThatThrownBy(() -> loader.load(d)).isInstanceOf(ModelRejectedException.class)
                .extracting(e -> ((ModelRejectedException) e).reason())
                .isEqualTo(ModelRejectedException.Reason.DIGEST_MISMATCH);
    }

    @Test
    void manualPromoteRefusesAnOlderVersionAndRollbackRestoresThePreviousChampionUnderANewVersion()
            throws Exception {
        makeChampion(ModelCycleTest::good);
        String first = registry.champion().orElseThrow().getModelVersion();
        makeChampion(ModelCycleTest::good);
        String second = registry.champion().orElseThrow().getModelVersion();
        assertThat(second).isNotEqualTo(first);

        assertThatThrownBy(() -> registry.promote(first, "manual", Map.of()))
                .hasMessageContaining("not newer than the champion");

        var restored = registry.restorePreviousChampion("20261129T2300Z-restored", "manual rollback");
        assertThat(restored).isPresent();
        FraudModel back = registry.load(restored.get());
        FraudModel original = registry.load(registry.champion().map(d -> d).orElseThrow());
        assertThat(back.version()).isEqualTo("20261129T2300Z-restored");
        assertThat(back.properties()).containsEntry("restoredFrom", first);
        // same weights (and weights version, the name of those weights) as the model it restores
        assertThat(back.extractorWeights().modelVersion()).isEqualTo(first);
        assertThat(original.version()).isEqualTo("20261129T2300Z-restored");
    }
}
