package io.fraudstream.job.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The model-lifecycle state machine driven directly with descriptors and load outcomes (inline loads, a plain map as
 * the descriptor state): no Flink harness.
 */
class ModelLifecycleTest {

    static final ScoringSettings SETTINGS = new ScoringSettings(30L * 86_400_000, 3, 3, 4096);

    /** The descriptor state as a plain map. */
    static final class MapState implements ModelLifecycle.DescriptorState {
        final Map<String, ModelDescriptor> map = new LinkedHashMap<>();

        @Override
        public ModelDescriptor get(String key) {
            return map.get(key);
        }

        @Override
        public Iterable<Map.Entry<String, ModelDescriptor>> entries() {
            return List.copyOf(map.entrySet());
        }

        @Override
        public void put(String key, ModelDescriptor descriptor) {
            map.put(key, descriptor);
        }

        @Override
        public void remove(String key) {
            map.remove(key);
        }
    }

    /** Records what the lifecycle reports. */
    static final class Recorded implements ModelLifecycle.Events {
        final List<String> loaded = new ArrayList<>();
        final List<String> refused = new ArrayList<>();
        final List<String> champions = new ArrayList<>();

        @Override
        public void loaded(String version) {
            loaded.add(version);
        }

        @Override
        public void refused(String version, String reason) {
            refused.add(version + ":" + reason);
        }

        @Override
        public void championChanged(LoadedModel champion) {
            champions.add(champion.version());
        }

    }

    final MapState state = new MapState();
    final Recorded events = new Recorded();

    ModelLifecycle started() throws Exception {
        ModelLifecycle lifecycle = new ModelLifecycle(new TestModels.Factory("v000001", 0.5, 1024).open(), SETTINGS,
                false, null, events);
        lifecycle.start();
        return lifecycle;
    }

    @Test
    void aNewerChampionTakesOverAnOlderOneIsADowngradeAndARefusedOneLeavesTheChampion() throws Exception {
        ModelLifecycle lifecycle = started();
        lifecycle.onDescriptor(TestModels.descriptor("v000003", ModelRole.CHAMPION), state);
        lifecycle.onDescriptor(TestModels.descriptor("v000002", ModelRole.CHAMPION), state);
        lifecycle.onDescriptor(TestModels.descriptor("v000004", ModelRole.CHAMPION, "refuse:BAD_SIGNATURE"), state);
        lifecycle.beforeEvent(state);

        assertThat(lifecycle.champion().version()).isEqualTo("v000003");
        assertThat(events.champions).containsExactly("v000001", "v000003");
        assertThat(events.refused).containsExactly("v000002:downgrade", "v000004:BAD_SIGNATURE");
        // Kept by version whatever the outcome: the state depends on the descriptors only.
        assertThat(state.map.keySet().stream().filter(k -> k.startsWith(ModelLifecycle.CHAMPION_RECEIVED)))
                .containsExactlyInAnyOrder(ModelLifecycle.CHAMPION_RECEIVED + "v000003",
                        ModelLifecycle.CHAMPION_RECEIVED + "v000004");
    }

    @Test
    void aShadowScoresUntilRetiredOrPromoted() throws Exception {
        ModelLifecycle lifecycle = started();
        lifecycle.onDescriptor(TestModels.descriptor("v000002", ModelRole.SHADOW), state);
        assertThat(lifecycle.shadow().version()).isEqualTo("v000002");
        lifecycle.onDescriptor(TestModels.descriptor("v000002", ModelRole.RETIRED), state);
        assertThat(lifecycle.shadow()).isNull();
        assertThat(state.map).doesNotContainKey(ModelLifecycle.SHADOW);

        lifecycle.onDescriptor(TestModels.descriptor("v000003", ModelRole.SHADOW), state);
        lifecycle.onDescriptor(TestModels.descriptor("v000003", ModelRole.CHAMPION), state);
        assertThat(lifecycle.champion().version()).isEqualTo("v000003");
        assertThat(lifecycle.shadow()).isNull();
    }

    @Test
    void aRestoredInstanceCatchesUpWithTheNewestChampionThatVerifies() throws Exception {
        ModelLifecycle first = started();
        first.onDescriptor(TestModels.descriptor("v000002", ModelRole.CHAMPION), state);
        first.onDescriptor(TestModels.descriptor("v000003", ModelRole.CHAMPION, "refuse:DIGEST_MISMATCH"), state);
        first.onDescriptor(TestModels.descriptor("v000004", ModelRole.SHADOW), state);

        ModelLifecycle restored = started();
        assertThat(restored.champion().version()).isEqualTo("v000001");
        restored.beforeEvent(state);
        assertThat(restored.champion().version()).isEqualTo("v000002");
        assertThat(restored.shadow().version()).isEqualTo("v000004");
    }

    @Test
    void aForgedDecisionChangesNothingAndIsCounted() throws Exception {
        ModelLifecycle lifecycle = started();
        lifecycle.onDescriptor(TestModels.descriptor("v000002", ModelRole.SHADOW), state);
        Map<String, ModelDescriptor> before = Map.copyOf(state.map);
        lifecycle.onDescriptor(TestModels.descriptor("v000002", ModelRole.CHAMPION, "forged:v000002"), state);
        lifecycle.onDescriptor(TestModels.descriptor("v000002", ModelRole.RETIRED, "forged:v000002"), state);
        lifecycle.beforeEvent(state);

        assertThat(lifecycle.champion().version()).isEqualTo("v000001");
        assertThat(lifecycle.shadow().version()).isEqualTo("v000002");
        assertThat(events.refused).containsExactly("v000002:DECISION_SIGNATURE", "v000002:DECISION_SIGNATURE");
        assertThat(state.map).isEqualTo(before);
    }

    @Test
    void aReplayedDecisionIsRefusedSoARetiredShadowStaysRetired() throws Exception {
        ModelLifecycle lifecycle = started();
        ModelDescriptor shadow = TestModels.descriptor("v000002", ModelRole.SHADOW);
        lifecycle.onDescriptor(shadow, state);
        lifecycle.onDescriptor(TestModels.descriptor("v000002", ModelRole.RETIRED), state);
        lifecycle.onDescriptor(shadow, state); // the same, validly signed bytes again

        assertThat(lifecycle.shadow()).isNull();
        assertThat(state.map).doesNotContainKey(ModelLifecycle.SHADOW);
        assertThat(events.refused).containsExactly("v000002:REPLAYED");
    }

    @Test
    void decisionsAboutVersionsOlderThanEveryRememberedOneAreRefusedAsReplays() throws Exception {
        ModelLifecycle lifecycle = started();
        ModelDescriptor old = TestModels.descriptor("v000100", ModelRole.SHADOW);
        lifecycle.onDescriptor(old, state);
        for (int v = 101; v <= 100 + ModelLifecycle.DECISIONS_KEPT; v++) {
            lifecycle.onDescriptor(TestModels.descriptor(String.format("v%06d", v), ModelRole.RETIRED), state);
        }
        assertThat(state.map.keySet().stream().filter(k -> k.startsWith(ModelLifecycle.DECISION)))
                .hasSize(ModelLifecycle.DECISIONS_KEPT);
        lifecycle.onDescriptor(old, state);
        assertThat(events.refused).containsExactly("v000100:REPLAYED");
    }

    /** Test models; loads of {@code failing} versions throw what {@link #failure} makes. */
    static final class FlakyRepository implements io.fraudstream.job.model.ModelRepository {
        final io.fraudstream.job.model.ModelRepository inner;
        final java.util.Set<String> failing = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final Map<String, Integer> attempts = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.function.Supplier<Throwable> failure = () -> new io.fraudstream.model.ModelRejectedException(
                io.fraudstream.model.ModelRejectedException.Reason.MISSING, "not there yet");

        FlakyRepository() throws Exception {
            inner = new TestModels.Factory("v000001", 0.5, 1024).open();
        }

        @Override
        public ModelDescriptor initialChampion() {
            return inner.initialChampion();
        }

        @Override
        public void verifyDecision(ModelDescriptor d) throws io.fraudstream.model.ModelRejectedException {
            inner.verifyDecision(d);
        }

        @Override
        public io.fraudstream.model.FraudModel load(ModelDescriptor d)
                throws io.fraudstream.model.ModelRejectedException {
            attempts.merge(d.getModelVersion(), 1, Integer::sum);
            if (failing.contains(d.getModelVersion())) {
                Throwable t = failure.get();
                if (t instanceof io.fraudstream.model.ModelRejectedException r) {
                    throw r;
                }
                throw (Error) t;
            }
            return inner.load(d);
        }
    }

    private static void drain(java.util.concurrent.ExecutorService loader) throws Exception {
        loader.submit(() -> { }).get(30, java.util.concurrent.TimeUnit.SECONDS); // one thread: earlier loads are done
    }

    @Test
    void aRetiredShadowStaysRetiredAcrossARestoreWhateverThisSubtasksLoadDid() throws Exception {
        java.util.concurrent.ExecutorService loader = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            FlakyRepository repository = new FlakyRepository();
            repository.failing.add("v000002"); // this subtask cannot read the shadow's bundle (yet)
            ModelLifecycle lifecycle = new ModelLifecycle(repository, SETTINGS, false, loader, events);
            lifecycle.start();
            lifecycle.onDescriptor(TestModels.descriptor("v000002", ModelRole.SHADOW), state);
            drain(loader);
            lifecycle.beforeEvent(state); // the failed load is seen
            lifecycle.onDescriptor(TestModels.descriptor("v000002", ModelRole.RETIRED), state);
            assertThat(state.map).doesNotContainKey(ModelLifecycle.SHADOW);

            // Restored from that state, where the bundle is readable now: the shadow does not come back.
            FlakyRepository healthy = new FlakyRepository();
            ModelLifecycle restored = new ModelLifecycle(healthy, SETTINGS, false, loader, new Recorded());
            restored.start();
            restored.beforeEvent(state);
            drain(loader);
            restored.beforeEvent(state);
            assertThat(restored.shadow()).isNull();
        } finally {
            loader.shutdownNow();
        }
    }

    @Test
    void anErrorWhileLoadingIsRethrownOnTheTaskThreadNotTakenForARefusal() throws Exception {
        java.util.concurrent.ExecutorService loader = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            FlakyRepository repository = new FlakyRepository();
            repository.failing.add("v000002");
            repository.failure = () -> new OutOfMemoryError("test: no heap left for the bundle");
            ModelLifecycle lifecycle = new ModelLifecycle(repository, SETTINGS, false, loader, events);
            lifecycle.start();
            lifecycle.onDescriptor(TestModels.descriptor("v000002", ModelRole.CHAMPION), state);
            drain(loader);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> lifecycle.beforeEvent(state))
                    .isInstanceOf(OutOfMemoryError.class).hasMessageContaining("no heap left");
        } finally {
            loader.shutdownNow();
        }
    }

    @Test
    void versionNumbersFollowTheVersionOrderOfTimeStampsAndCounters() {
        assertThat(ModelLifecycle.versionNumber("20261129T1030Z-bootstrap")).isEqualTo(202611291030L);
        assertThat(ModelLifecycle.versionNumber("20261129T1830Z-retrain"))
                .isGreaterThan(ModelLifecycle.versionNumber("20261129T1030Z-bootstrap"));
        assertThat(ModelLifecycle.versionNumber("v000012")).isEqualTo(12L);
        assertThat(ModelLifecycle.versionNumber("bootstrap")).isZero();
    }

    @Test
    void aBundleThatCannotBeReadYetIsRetriedWithBackoffUntilItLoads() throws Exception {
        FlakyRepository repository = new FlakyRepository();
        repository.failing.add("v000002");
        long[] now = {1_000_000};
        ModelLifecycle lifecycle = new ModelLifecycle(repository, SETTINGS, false, null, events, () -> now[0]);
        lifecycle.start();
        lifecycle.beforeEvent(state); // the first event: nothing restored to catch up with
        lifecycle.onDescriptor(TestModels.descriptor("v000002", ModelRole.CHAMPION), state);
        assertThat(repository.attempts).containsEntry("v000002", 1);

        now[0] += ModelLifecycle.FIRST_RETRY_DELAY_MILLIS - 1;
        lifecycle.beforeEvent(state);
        assertThat(repository.attempts).containsEntry("v000002", 1); // not before its time
        now[0] += 1;
        lifecycle.beforeEvent(state);
        assertThat(repository.attempts).containsEntry("v000002", 2);
        assertThat(lifecycle.champion().version()).isEqualTo("v000001");

        repository.failing.clear(); // the file arrived
        now[0] += 2 * ModelLifecycle.FIRST_RETRY_DELAY_MILLIS;
        lifecycle.beforeEvent(state);
        assertThat(lifecycle.champion().version()).isEqualTo("v000002");
        assertThat(repository.attempts).containsEntry("v000002", 3);
    }

    @Test
    void retriesAreBoundedAndARefusalForCauseIsNeverRetried() throws Exception {
        FlakyRepository repository = new FlakyRepository();
        repository.failing.add("v000002");
        long[] now = {0};
        ModelLifecycle lifecycle = new ModelLifecycle(repository, SETTINGS, false, null, events, () -> now[0]);
        lifecycle.start();
        lifecycle.beforeEvent(state); // the first event: nothing restored to catch up with
        lifecycle.onDescriptor(TestModels.descriptor("v000002", ModelRole.CHAMPION), state);
        lifecycle.onDescriptor(TestModels.descriptor("v000003", ModelRole.SHADOW, "refuse:BAD_SIGNATURE"), state);
        for (int i = 0; i < 50; i++) {
            now[0] += ModelLifecycle.MAX_RETRY_DELAY_MILLIS;
            lifecycle.beforeEvent(state);
        }
        assertThat(repository.attempts).containsEntry("v000002", ModelLifecycle.LOAD_ATTEMPTS)
                .containsEntry("v000003", 1);
        assertThat(lifecycle.champion().version()).isEqualTo("v000001");
    }
}
