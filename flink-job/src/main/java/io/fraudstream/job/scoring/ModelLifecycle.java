package io.fraudstream.job.scoring;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelRejectedException;
import io.fraudstream.model.ModelVersions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model-lifecycle state machine of one scoring subtask: which verified model is the champion, which loads are
 * pending, which shadow scores, and what a restored subtask must catch up with. {@link CardScoringFunction} keeps
 * the per-event work and asks this class which model scores; it has no Flink dependency beyond the descriptor map it
 * is handed, so it is tested with plain unit tests (ModelLifecycleTest).
 *
 * <p><b>Descriptors</b> ({@link #onDescriptor}) change the descriptor map (Flink broadcast state) the same way on
 * every subtask: what is stored depends on the descriptors only, never on this subtask's load outcome or timing.
 * Champions are kept by version (the newest {@value #RECEIVED_CHAMPIONS_KEPT}); older or equal versions are ignored
 * (a downgrade is counted); a refused bundle leaves the current champion scoring.
 *
 * <p><b>Loads</b> run on one loader thread per subtask (or inline, for operator harness tests, where a swap then
 * takes effect at a known record); the first event after a load finished switches to it ({@link #beforeEvent}).
 *
 * <p>A swap takes effect for every card on its next event: no model keeps per-card data (keys and values are not
 * held, {@code FeatureExtractor}), so there is nothing to recompute or stage for the new champion.
 *
 * <p>Not thread-safe: the task thread calls every method; the loader thread only runs {@link #tryLoad}.
 */
final class ModelLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ModelLifecycle.class);

    /** Descriptor-map key of the champion in savepoints written before champions were kept by version. */
    static final String CHAMPION = ModelRole.CHAMPION.name();
    /** Descriptor-map key prefix of each champion descriptor received, by version (the newest few are kept). */
    static final String CHAMPION_RECEIVED = "CHAMPION@";
    static final int RECEIVED_CHAMPIONS_KEPT = 8;
    static final String SHADOW = ModelRole.SHADOW.name();
    /** Descriptor-map key prefix of the last decision accepted for a version (replay protection). */
    static final String DECISION = "DECISION@";
    /** Descriptor-map key of the newest version whose decisions have been forgotten (older ones are refused). */
    static final String DECISION_HORIZON = "DECISION-HORIZON";
    static final int DECISIONS_KEPT = 32;
    /**
     * Consecutive transactions the champion failed to score after which the failure is taken for systematic (a broken
     * model, not a poison event): the lifecycle falls back to the previous champion, or the job stops.
     */
    static final int SYSTEMATIC_FAILURES = 100;
    /** Loads of one descriptor refused as MISSING (no file, or an I/O error reading it) before giving up. */
    static final int LOAD_ATTEMPTS = 8;
    /** Delay before the first retry of a MISSING bundle; doubled per attempt up to {@link #MAX_RETRY_DELAY_MILLIS}. */
    static final long FIRST_RETRY_DELAY_MILLIS = 1_000;
    static final long MAX_RETRY_DELAY_MILLIS = 60_000;

    /** The descriptor map (Flink broadcast state on the job; a plain map in tests). */
    interface DescriptorState {
        ModelDescriptor get(String key);

        Iterable<Map.Entry<String, ModelDescriptor>> entries();

        /** Not available to the read-only view an event sees. */
        void put(String key, ModelDescriptor descriptor);

        /** Not available to the read-only view an event sees. */
        void remove(String key);
    }

    /** What the lifecycle reports; the scoring function turns it into metrics. */
    interface Events {
        /** A bundle was read, verified and is ready (counted as a swap). */
        void loaded(String version);

        /** A descriptor or its bundle was refused; {@code reason} is the metric label. */
        void refused(String version, String reason);

        /** {@code champion} now scores. */
        void championChanged(LoadedModel champion);
    }

    /** A descriptor whose bundle the loader thread is reading and verifying. */
    private record PendingModel(ModelDescriptor descriptor, Future<LoadedModel> result) {
        String version() {
            return descriptor.getModelVersion();
        }

        /**
         * The verified model, or null when the load was refused (counted and logged by tryLoad). An {@link Error}
         * thrown while loading (out of memory, a linkage error) is rethrown on the task thread: the JVM is not in a
         * state to go on scoring, so the task fails and Flink restarts it.
         */
        LoadedModel outcome() {
            try {
                return result.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                LOG.warn("Loading model {} failed: {}", version(), String.valueOf(e.getCause()));
                return null;
            } catch (CancellationException e) {
                return null;
            }
        }
    }

    private final ModelRepository repository;
    private final ScoringSettings settings;
    private final boolean pointOfPurchase;
    /** One thread per subtask that loads and verifies bundles; null when loading inline. */
    private final ExecutorService loader;
    private final Events events;

    private LoadedModel champion;
    private LoadedModel shadow;
    /** The champion before the current one (null after a fallback or before the first swap): the fallback. */
    private LoadedModel previous;
    /** Transactions in a row the current champion failed to score. */
    private int consecutiveFailures;
    /** Last version refused, so a bad descriptor in broadcast state is not retried. */
    private volatile String lastRefusedVersion;
    /** The champion being loaded by {@link #loader}; the first event after it is done switches to it. */
    private PendingModel pending;
    /** The shadow being loaded by {@link #loader}; the first event after it is done starts shadow scoring. */
    private PendingModel pendingShadow;
    /** Whether this instance has looked at (possibly restored) descriptor state yet. */
    private boolean caughtUp;
    /** Versions whose last load was refused as MISSING, possibly transient (written by the loader thread). */
    private final java.util.Set<String> transientFailures = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Loads to retry, by version: the descriptor, the attempts made and when the next may start. */
    private final Map<String, Retry> retries = new java.util.HashMap<>();
    private final java.util.function.LongSupplier clock;

    private record Retry(ModelDescriptor descriptor, int attempts, long notBefore) {}

    ModelLifecycle(ModelRepository repository, ScoringSettings settings, boolean pointOfPurchase,
            ExecutorService loader, Events events) {
        this(repository, settings, pointOfPurchase, loader, events, System::currentTimeMillis);
    }

    ModelLifecycle(ModelRepository repository, ScoringSettings settings, boolean pointOfPurchase,
            ExecutorService loader, Events events, java.util.function.LongSupplier clock) {
        this.clock = clock;
        this.repository = repository;
        this.settings = settings;
        this.pointOfPurchase = pointOfPurchase;
        this.loader = loader;
        this.events = events;
    }

    /** Loads the configured initial champion; it must load: without a model the job cannot score anything. */
    void start() throws ModelRejectedException {
        FraudModel initialModel = repository.load(repository.initialChampion());
        if (initialModel.usesPointOfPurchase() && !pointOfPurchase) {
            throw new IllegalStateException("the initial champion " + initialModel.version() + " uses point-of-purchase "
                    + "features but point-of-purchase.enabled is false");
        }
        champion = new LoadedModel(initialModel, settings);
        events.championChanged(champion);
    }

    /**
     * A model version as a number for a numeric gauge (Prometheus exports numbers only): its digits, in order, as one
     * integer, at most 15 of them (exact in a double). {@code 20261129T1030Z-bootstrap} is 202611291030,
     * {@code v000012} is 12: ordered as the versions are for the documented schemes (time stamps or counters), so
     * a subtask whose champion drifts behind shows a smaller value. 0 for a version without digits.
     */
    static long versionNumber(String version) {
        long n = 0;
        int digits = 0;
        for (int i = 0; i < version.length() && digits < 15; i++) {
            char c = version.charAt(i);
            if (c >= '0' && c <= '9') {
                n = n * 10 + (c - '0');
                if (n > 0) {
                    digits++;
                }
            }
        }
        return n;
    }

    LoadedModel champion() {
        return champion;
    }

    /** The shadow that scores beside the champion, or null. */
    LoadedModel shadow() {
        return shadow;
    }

    /**
     * Before each event: switches to models whose load finished, and (once per instance) catches up with the
     * descriptor state a restore brought back.
     */
    void beforeEvent(DescriptorState state) {
        startDueRetries();
        adoptLoadedChampion();
        adoptLoadedShadow();
        if (!caughtUp) {
            catchUpWithDescriptorState(state);
            caughtUp = true;
        }
    }

    /** The champion scored a transaction: failures before it were not systematic. */
    void scored() {
        consecutiveFailures = 0;
    }

    /**
     * {@code failed} (the champion) threw while scoring one transaction; the caller dead-letters that transaction
     * (SCORING_FAILED). After {@value #SYSTEMATIC_FAILURES} in a row the failure is systematic: the lifecycle falls back to the previous champion (an ERROR is logged and the
     * failing version counted as refused with reason {@code scoring_failed}; it is not loaded again by this instance),
     * or, with no previous champion to fall back to, throws {@link IllegalStateException} naming the model, so the job
     * stops rather than dead-letter every transaction.
     */
    void scoringFailed(LoadedModel failed, RuntimeException cause) {
        if (failed != champion) {
            return; // a champion replaced since (e.g. by a fallback) failed: nothing to count against the current one
        }
        if (++consecutiveFailures < SYSTEMATIC_FAILURES) {
            return;
        }
        String broken = champion.version();
        events.refused(broken, "scoring_failed");
        if (previous == null) {
            throw new IllegalStateException("champion model " + broken + " failed to score " + consecutiveFailures
                    + " transactions in a row (last: " + cause + ") and there is no earlier champion to fall back to;"
                    + " publish a working model under a newer version, or fix model.initial-descriptor", cause);
        }
        LOG.error("Champion model {} failed to score {} transactions in a row (last: {}); falling back to {}. Those "
                + "transactions are on the dead-letter topic (SCORING_FAILED); publish a fixed model under a newer "
                + "version", broken, consecutiveFailures, cause.toString(), previous.version());
        lastRefusedVersion = broken;
        champion = previous;
        previous = null;
        consecutiveFailures = 0;
        events.championChanged(champion);
    }

    /**
     * A descriptor from {@code model-updates}. Nothing happens unless its decision is signed with the model-signing
     * key and is not a replay ({@link #checkAuthentic}); a refused descriptor is counted and the models scoring stay.
     */
    void onDescriptor(ModelDescriptor descriptor, DescriptorState state) {
        try {
            checkAuthentic(descriptor, state);
        } catch (ModelRejectedException e) {
            events.refused(ModelVersions.printable(String.valueOf(descriptor.getModelVersion())), e.reason().name());
            LOG.warn("Refused model descriptor ({}): {}; {} keeps scoring", e.reason(), e.getMessage(),
                    champion.version());
            return;
        }
        rememberDecision(state, descriptor);
        switch (descriptor.getRole()) {
            case CHAMPION -> onChampion(descriptor, state);
            case SHADOW -> onShadow(descriptor, state);
            case RETIRED -> onRetired(descriptor, state);
            default -> LOG.warn("Ignoring model descriptor with role {}", descriptor.getRole());
        }
    }

    private void onChampion(ModelDescriptor descriptor, DescriptorState state) {
        String version = descriptor.getModelVersion();
        if (!ModelVersions.isNewer(version, champion.version())) {
            if (!version.equals(champion.version())) {
                events.refused(version, "downgrade");
                LOG.warn("Refused champion {}: a downgrade from {} (roll back by publishing the old model "
                        + "under a new version)", version, champion.version());
            }
            return;
        }
        if (pending != null && !ModelVersions.isNewer(version, pending.version())) {
            return; // a newer one is already loading
        }
        // Kept by version whatever the load's outcome (broadcast state must not depend on this subtask's
        // timing); after a restore the newest one that verifies is used (catchUpWithDescriptorState).
        rememberChampion(state, descriptor);
        loadChampion(descriptor);
    }

    private void loadChampion(ModelDescriptor descriptor) {
        if (loader == null) {
            LoadedModel loaded = tryLoad(descriptor);
            if (loaded != null) {
                adopt(loaded);
            } else {
                retryIfTransient(descriptor);
            }
        } else {
            pending = new PendingModel(descriptor, loader.submit(() -> tryLoad(descriptor)));
        }
    }

    private void loadShadow(ModelDescriptor descriptor) {
        if (loader == null) {
            LoadedModel loaded = tryLoad(descriptor);
            if (loaded != null) {
                shadow = loaded;
                LOG.info("Shadow scoring with model {}", shadow.version());
            } else {
                retryIfTransient(descriptor);
            }
        } else {
            pendingShadow = new PendingModel(descriptor, loader.submit(() -> tryLoad(descriptor)));
        }
    }

    /**
     * A load refused as MISSING (no file yet, or an I/O error reading it: a store on a network file system, a bundle
     * still being copied) is retried with exponential backoff, at most {@value #LOAD_ATTEMPTS} loads in all; then
     * an ERROR is logged and the version stays refused on this subtask (the champion-version gauge shows the drift).
     * Refusals for cause (digest, signature, ...) are never retried.
     */
    private void retryIfTransient(ModelDescriptor descriptor) {
        String version = descriptor.getModelVersion();
        if (!transientFailures.remove(version)) {
            retries.remove(version);
            return;
        }
        Retry before = retries.remove(version);
        int attempts = before == null ? 1 : before.attempts();
        if (attempts >= LOAD_ATTEMPTS) {
            LOG.error("Gave up loading model {} ({}) after {} attempts: its bundle stayed unreadable; {} keeps scoring"
                    + " on this subtask", version, descriptor.getRole(), attempts, champion.version());
            return;
        }
        long delay = Math.min(MAX_RETRY_DELAY_MILLIS, FIRST_RETRY_DELAY_MILLIS << Math.min(20, attempts - 1));
        retries.put(version, new Retry(descriptor, attempts + 1, clock.getAsLong() + delay));
        lastRefusedVersion = null; // it may still load
        LOG.warn("Model {} could not be read (attempt {} of {}); retrying in {} ms", version, attempts, LOAD_ATTEMPTS,
                delay);
    }

    /** Starts the retries whose time has come, unless overtaken meanwhile. */
    private void startDueRetries() {
        if (retries.isEmpty()) {
            return;
        }
        long now = clock.getAsLong();
        for (Retry r : List.copyOf(retries.values())) {
            if (now < r.notBefore()) {
                continue;
            }
            ModelDescriptor d = r.descriptor();
            String version = d.getModelVersion();
            boolean stillWanted = d.getRole() == ModelRole.SHADOW
                    ? ModelVersions.isNewer(version, champion.version()) && shadow == null && pendingShadow == null
                    : ModelVersions.isNewer(version, champion.version())
                            && (pending == null || ModelVersions.isNewer(version, pending.version()));
            if (!stillWanted) {
                retries.remove(version);
                continue;
            }
            // The Retry stays in the map (attempt count) until the outcome is known.
            retries.put(version, new Retry(d, r.attempts(), Long.MAX_VALUE));
            if (d.getRole() == ModelRole.SHADOW) {
                loadShadow(d);
            } else {
                loadChampion(d);
            }
        }
    }

    private void onShadow(ModelDescriptor descriptor, DescriptorState state) {
        String version = descriptor.getModelVersion();
        if ((shadow != null && !ModelVersions.isNewer(version, shadow.version()))
                || (pendingShadow != null && !ModelVersions.isNewer(version, pendingShadow.version()))) {
            return;
        }
        // As for champions: kept whatever the load's outcome, so the state is the same on every subtask.
        state.put(SHADOW, descriptor);
        loadShadow(descriptor);
    }

    /**
     * Withdraws the shadow of that version. The descriptor state changes the same way on every subtask, whatever this
     * subtask's own load of the shadow did (loaded, still loading, refused, failed): otherwise a subtask whose load
     * failed would keep the SHADOW entry, and a restore would bring the retired shadow back.
     */
    private void onRetired(ModelDescriptor descriptor, DescriptorState state) {
        String version = descriptor.getModelVersion();
        ModelDescriptor wanted = state.get(SHADOW);
        if (wanted != null && wanted.getModelVersion().equals(version)) {
            state.remove(SHADOW);
        }
        retries.remove(version);
        if (pendingShadow != null && pendingShadow.version().equals(version)) {
            pendingShadow.result().cancel(false);
            pendingShadow = null;
        }
        if (shadow != null && shadow.version().equals(version)) {
            LOG.info("Shadow model {} retired", shadow.version());
            shadow = null;
        }
    }

    /** Starts shadow scoring with the shadow the loader thread finished verifying, unless it was promoted meanwhile. */
    private void adoptLoadedShadow() {
        PendingModel p = pendingShadow;
        if (p == null || !p.result().isDone()) {
            return;
        }
        pendingShadow = null;
        LoadedModel loaded = p.outcome();
        if (loaded != null && ModelVersions.isNewer(loaded.version(), champion.version())) {
            shadow = loaded;
            retries.remove(loaded.version());
            LOG.info("Shadow scoring with model {}", shadow.version());
        } else if (loaded == null) {
            retryIfTransient(p.descriptor());
        }
    }

    /** Switches to the champion the loader thread finished verifying, if it is still the newest. */
    private void adoptLoadedChampion() {
        PendingModel p = pending;
        if (p == null || !p.result().isDone()) {
            return;
        }
        pending = null;
        LoadedModel loaded = p.outcome();
        if (loaded != null && ModelVersions.isNewer(loaded.version(), champion.version())) {
            adopt(loaded);
        } else if (loaded == null) {
            retryIfTransient(p.descriptor());
        }
    }

    private void adopt(LoadedModel loaded) {
        retries.remove(loaded.version());
        previous = champion;
        consecutiveFailures = 0;
        champion = loaded;
        events.championChanged(champion);
        if (shadow != null && shadow.version().equals(loaded.version())) {
            shadow = null; // the shadow was promoted
        }
        if (pendingShadow != null && !ModelVersions.isNewer(pendingShadow.version(), loaded.version())) {
            pendingShadow = null; // promoted (or overtaken) before it finished loading
        }
        LOG.info("Champion is now model {}", champion.version());
    }

    /**
     * Refuses a descriptor whose decision signature does not verify (DECISION_SIGNATURE), whose version is not a valid
     * version (MALFORMED), or that replays an old decision (REPLAYED): its issued-at is not after the last decision
     * accepted for the same version, or its version is older than every version whose decisions are still remembered
     * (the newest {@value #DECISIONS_KEPT} are; older ones have been superseded many times over). The rule is per
     * version, so decisions about different versions need no global clock, and a replayed SHADOW after its RETIRED,
     * or a replayed RETIRED after a re-deployment, is refused. Depends on the descriptors only, so every subtask
     * decides the same.
     */
    private void checkAuthentic(ModelDescriptor d, DescriptorState state) throws ModelRejectedException {
        repository.verifyDecision(d);
        String version = d.getModelVersion();
        if (!ModelVersions.isValid(version) || d.getRole() == null) {
            throw new ModelRejectedException(ModelRejectedException.Reason.MALFORMED, "descriptor of '"
                    + ModelVersions.printable(String.valueOf(version)) + "' has no valid version or role");
        }
        if (d.getIssuedAt() == null) {
            throw new ModelRejectedException(ModelRejectedException.Reason.DECISION_SIGNATURE, "the " + d.getRole()
                    + " decision for " + version + " has no issued-at time");
        }
        ModelDescriptor last = state.get(DECISION + version);
        if (last != null && !d.getIssuedAt().isAfter(last.getIssuedAt())) {
            throw new ModelRejectedException(ModelRejectedException.Reason.REPLAYED, "the " + d.getRole()
                    + " decision for " + version + " was issued at " + d.getIssuedAt() + ", not after the "
                    + last.getRole() + " decision for it accepted already (issued at " + last.getIssuedAt() + ")");
        }
        ModelDescriptor horizon = state.get(DECISION_HORIZON);
        if (last == null && horizon != null && !ModelVersions.isNewer(version, horizon.getModelVersion())) {
            throw new ModelRejectedException(ModelRejectedException.Reason.REPLAYED, "the " + d.getRole()
                    + " decision for " + version + " is about a version older than every version whose decisions"
                    + " are remembered (the oldest forgotten is " + horizon.getModelVersion() + ")");
        }
    }

    /** Remembers the last accepted decision per version, for the newest {@value #DECISIONS_KEPT} versions. */
    private static void rememberDecision(DescriptorState state, ModelDescriptor d) {
        state.put(DECISION + d.getModelVersion(), d);
        List<ModelDescriptor> decisions = new ArrayList<>();
        for (Map.Entry<String, ModelDescriptor> e : state.entries()) {
            if (e.getKey().startsWith(DECISION)) {
                decisions.add(e.getValue());
            }
        }
        if (decisions.size() <= DECISIONS_KEPT) {
            return;
        }
        decisions.sort((a, b) -> newestFirst(a.getModelVersion(), b.getModelVersion()));
        ModelDescriptor horizon = state.get(DECISION_HORIZON);
        for (ModelDescriptor forgotten : decisions.subList(DECISIONS_KEPT, decisions.size())) {
            state.remove(DECISION + forgotten.getModelVersion());
            if (horizon == null || ModelVersions.isNewer(forgotten.getModelVersion(), horizon.getModelVersion())) {
                horizon = forgotten;
            }
        }
        state.put(DECISION_HORIZON, horizon);
    }

    /** Records a received champion descriptor under its version, keeping the newest {@value #RECEIVED_CHAMPIONS_KEPT}. */
    private static void rememberChampion(DescriptorState state, ModelDescriptor d) {
        state.put(CHAMPION_RECEIVED + d.getModelVersion(), d);
        List<String> versions = new ArrayList<>();
        for (Map.Entry<String, ModelDescriptor> e : state.entries()) {
            if (e.getKey().startsWith(CHAMPION_RECEIVED)) {
                versions.add(e.getValue().getModelVersion());
            }
        }
        versions.sort(ModelLifecycle::newestFirst);
        for (int i = RECEIVED_CHAMPIONS_KEPT; i < versions.size(); i++) {
            state.remove(CHAMPION_RECEIVED + versions.get(i));
        }
    }

    private static int newestFirst(String a, String b) {
        return ModelVersions.isNewer(a, b) ? -1 : ModelVersions.isNewer(b, a) ? 1 : 0;
    }

    /**
     * Once per instance, before its first event: after a restore, descriptor state may name champions newer than the
     * configured initial one; the newest that verifies is loaded (inline: a restore is not the steady state).
     */
    private void catchUpWithDescriptorState(DescriptorState state) {
        List<ModelDescriptor> received = new ArrayList<>();
        for (Map.Entry<String, ModelDescriptor> e : state.entries()) {
            if (e.getKey().startsWith(CHAMPION_RECEIVED) || e.getKey().equals(CHAMPION)) {
                received.add(e.getValue());
            }
        }
        received.sort((a, b) -> newestFirst(a.getModelVersion(), b.getModelVersion()));
        for (ModelDescriptor wanted : received) {
            String version = wanted.getModelVersion();
            if (!ModelVersions.isNewer(version, champion.version())
                    || (pending != null && version.equals(pending.version()))) {
                break;
            }
            if (version.equals(lastRefusedVersion)) {
                continue;
            }
            LoadedModel loaded = tryLoad(wanted);
            if (loaded != null) {
                adopt(loaded);
                break;
            }
            // Never a silent fallback to the configured initial champion: a transient failure is retried, a refusal
            // is an ERROR and counted (reason catch_up_failed); older received champions are tried next.
            if (transientFailures.contains(version)) {
                retryIfTransient(wanted);
                LOG.error("After the restore, champion {} received before the checkpoint could not be read yet; it "
                        + "is retried, older received champions are tried meanwhile (now: {})", version,
                        champion.version());
                continue;
            }
            events.refused(version, "catch_up_failed");
            LOG.error("After the restore, champion {} received before the checkpoint was refused; trying older "
                    + "received champions (now: {})", version, champion.version());
        }
        ModelDescriptor wantedShadow = state.get(SHADOW);
        if (wantedShadow == null || !ModelVersions.isNewer(wantedShadow.getModelVersion(), champion.version())) {
            shadow = null; // none, or already promoted
        } else if ((shadow == null || !shadow.version().equals(wantedShadow.getModelVersion()))
                && (pendingShadow == null || !pendingShadow.version().equals(wantedShadow.getModelVersion()))
                && !wantedShadow.getModelVersion().equals(lastRefusedVersion)) {
            shadow = tryLoad(wantedShadow);
            if (shadow == null) {
                retryIfTransient(wantedShadow);
            }
        }
    }

    /** Reads and verifies a descriptor's bundle; null when refused (counted and logged). Runs on the loader thread. */
    private LoadedModel tryLoad(ModelDescriptor descriptor) {
        try {
            FraudModel model = repository.load(descriptor);
            if (model.usesPointOfPurchase() && !pointOfPurchase) {
                throw new ModelRejectedException(ModelRejectedException.Reason.DIMENSION_MISMATCH, "model "
                        + model.version() + " needs point-of-purchase features and point-of-purchase.enabled is false");
            }
            LoadedModel loaded = new LoadedModel(model, settings);
            events.loaded(loaded.version());
            return loaded;
        } catch (ModelRejectedException e) {
            if (e.reason() == ModelRejectedException.Reason.MISSING) {
                transientFailures.add(descriptor.getModelVersion());
            }
            events.refused(descriptor.getModelVersion(), e.reason().name());
            lastRefusedVersion = descriptor.getModelVersion();
            LOG.warn("Refused model {} ({}): {}; {} keeps scoring", descriptor.getModelVersion(), e.reason(),
                    e.getMessage(), champion == null ? "nothing" : champion.version());
            return null;
        } catch (RuntimeException e) {
            events.refused(descriptor.getModelVersion(), ModelRejectedException.Reason.MALFORMED.name());
            lastRefusedVersion = descriptor.getModelVersion();
            LOG.warn("Refused model {}: {}", descriptor.getModelVersion(), e.toString());
            return null;
        }
    }
}
