package io.fraudstream.job.scoring;

import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.Decision;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.features.CardHistory;
import io.fraudstream.features.Channel;
import io.fraudstream.features.Explanation;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.RawTransaction;
import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.job.JobMetrics;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.io.Clocks;
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.job.validation.DecodeAndValidate;
import io.fraudstream.job.validation.Rejection;
import io.fraudstream.job.validation.TransactionEvent;
import io.fraudstream.job.validation.TransactionEvents;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelRejectedException;
import io.fraudstream.model.ModelVersions;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.avro.Transaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores each transaction of a card against the card's history, then appends it.
 *
 * <p><b>Order of work per transaction:</b> features are extracted from the history <i>before</i> the
 * transaction is appended, so a transaction never attends to itself. The score goes to the main
 * output, alerts and shadow scores to side outputs, duplicates (a transaction id already in the
 * history) to the dead-letter output.
 *
 * <p><b>Models:</b> broadcast state holds only small descriptors (identical on every subtask: what is
 * stored depends on the broadcast input only); the verified, loaded model is a transient field, swapped
 * only after its bundle's digest and signature check out. A new champion's bundle is read and verified
 * on one loader thread per subtask, off the scoring path; the first transaction after the load finishes
 * switches to it (scores keep coming from the current champion meanwhile). Older or equal versions are
 * ignored; a refused bundle leaves the current champion scoring. After a restore, the newest champion
 * received before the checkpoint that verifies is loaded on the first transaction. Shadow models are loaded the same
 * way, on the same loader thread, and start scoring on the first transaction after their load finished. The history's
 * K/V cache is tagged with the extractor-weights version, and the extractor recomputes it when the version differs, so a
 * score never mixes two models. After a swap to new weights the recompute is spread out: for
 * {@code model.kv-refresh-window}, a card whose cache the previous champion holds complete keeps being scored by that
 * model while {@code model.kv-refresh-chunk} entries of the new cache are staged per transaction; the card moves to
 * the new champion once its staged cache is complete (see {@link #scoringModel}).
 *
 * <p><b>Expiry:</b> a history older than {@code state.card-ttl} (in event time, relative to the new
 * transaction) is forgotten before scoring: deterministic, so replay and live agree. A processing-time
 * timer deletes the state of cards with no transaction for that long, keeping state bounded.
 */
public class CardScoringFunction
        extends KeyedBroadcastProcessFunction<String, TransactionEvent, ModelDescriptor, FraudScore> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CardScoringFunction.class);
    /** Broadcast-state key of the champion in savepoints written before champions were kept by version. */
    private static final String CHAMPION = ModelRole.CHAMPION.name();
    /** Broadcast-state key prefix of each champion descriptor received, by version (the newest few are kept). */
    static final String CHAMPION_RECEIVED = "CHAMPION@";
    static final int RECEIVED_CHAMPIONS_KEPT = 8;
    private static final String SHADOW = ModelRole.SHADOW.name();

    private final ModelRepository.Factory models;
    private final ScoringSettings settings;
    /** Whether transactions arrive with point-of-purchase features; models that need them are refused otherwise. */
    private final boolean pointOfPurchase;
    /** Whether new champions are loaded and verified off the task thread (the job) or inline (harness tests). */
    private final boolean asyncChampionLoads;

    private transient ModelRepository repository;
    /** The cards' histories: append-only chunks in keyed state, with a cache of deserialized histories. */
    private transient CardStateStore store;
    private transient ValueState<Long> lastSeenState;

    private transient Loaded champion;
    /**
     * The champion before the last swap to new extractor weights, until {@link #outgoingUntil}: it keeps scoring a
     * card whose K/V cache it holds complete while the new champion's cache of that card is staged in chunks.
     */
    private transient Loaded outgoing;
    private transient long outgoingUntil;
    private transient Loaded shadow;
    /** Last version refused, so a bad descriptor in broadcast state is not retried. */
    private transient volatile String lastRefusedVersion;
    /** One thread per subtask that loads and verifies champion bundles; null when loading inline. */
    private transient ExecutorService loader;
    /** The champion being loaded by {@link #loader}; the first event after it is done switches to it. */
    private transient PendingModel pending;
    /** The shadow being loaded by {@link #loader}; the first event after it is done starts shadow scoring. */
    private transient PendingModel pendingShadow;
    /** Whether this instance has looked at (possibly restored) broadcast state yet. */
    private transient boolean caughtUp;

    private transient AvroCodec<Transaction> transactionCodec;
    private transient Counter scoresOut;
    private transient Counter alerts;
    private transient Counter shadowScores;
    private transient Counter duplicates;
    private transient Counter cardsExpired;
    private transient Counter modelSwaps;
    private transient Counter kvStagedScores;
    private transient Map<ModelRejectedException.Reason, Counter> modelRejections;
    private transient Counter downgradesRefused;
    private transient Histogram endToEndLatencyMs;
    private transient Histogram processingLatencyUs;
    private transient Histogram extractorNanos;
    private transient Histogram scorePermille;
    private transient volatile long modelLoadedAt;
    private transient volatile String modelVersion;

    /**
     * Without point-of-purchase features, loading new champions inline on the task thread: a swap then takes effect
     * at a known record, which is what operator harness tests need.
     */
    public CardScoringFunction(ModelRepository.Factory models, ScoringSettings settings) {
        this(models, settings, false, false);
    }

    /** As the job runs it: new champions are loaded and verified off the task thread. */
    public CardScoringFunction(ModelRepository.Factory models, ScoringSettings settings, boolean pointOfPurchase) {
        this(models, settings, pointOfPurchase, true);
    }

    public CardScoringFunction(ModelRepository.Factory models, ScoringSettings settings, boolean pointOfPurchase,
            boolean asyncChampionLoads) {
        this.models = models;
        this.settings = settings;
        this.pointOfPurchase = pointOfPurchase;
        this.asyncChampionLoads = asyncChampionLoads;
    }

    /** A descriptor whose bundle the loader thread is reading and verifying. */
    private record PendingModel(ModelDescriptor descriptor, Future<Loaded> result) {
        String version() {
            return descriptor.getModelVersion();
        }

        /** The verified model, or null when the load was refused (counted and logged by tryLoad) or failed. */
        Loaded outcome() {
            try {
                return result.get();
            } catch (Exception e) {
                LOG.warn("Loading model {} failed: {}", version(), e.toString());
                return null;
            }
        }
    }

    /** A verified model with its thread-confined extractor and scratch buffers. */
    private static final class Loaded {
        final FraudModel model;
        final FeatureExtractor extractor;
        final float[] features;
        final Explanation explanation;
        final AlertExplainer explainer;

        Loaded(FraudModel model, ScoringSettings settings) {
            this.model = model;
            // Half-precision K/V: what the card state stores, so a card scores the same cached or read from state.
            this.extractor = FeatureExtractor.compactKv(model.extractorConfig(), model.extractorWeights());
            this.features = new float[model.featureCount()];
            this.explanation = new Explanation(Math.max(1, settings.topAttended()));
            this.explainer = new AlertExplainer(model, settings.topAttended(), settings.topContributions());
        }

        String version() {
            return model.version();
        }
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        store = new CardStateStore(getRuntimeContext(), settings.historyCacheBytes());
        lastSeenState = getRuntimeContext().getState(JobStreams.LAST_SEEN);
        transactionCodec = AvroCodec.of(Transaction.class);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        scoresOut = metrics.counter(JobMetrics.SCORES_OUT);
        alerts = metrics.counter(JobMetrics.ALERTS);
        shadowScores = metrics.counter(JobMetrics.SHADOW_SCORES);
        duplicates = JobMetrics.deadLetterCounter(metrics, DeadLetterReason.DUPLICATE);
        cardsExpired = metrics.counter(JobMetrics.CARDS_EXPIRED);
        modelSwaps = metrics.counter(JobMetrics.MODEL_SWAPS);
        kvStagedScores = metrics.counter(JobMetrics.KV_STAGED_SCORES);
        modelRejections = new EnumMap<>(ModelRejectedException.Reason.class);
        for (ModelRejectedException.Reason reason : ModelRejectedException.Reason.values()) {
            modelRejections.put(reason, metrics.addGroup("reason", reason.name().toLowerCase(Locale.ROOT))
                    .counter(JobMetrics.MODEL_REJECTIONS));
        }
        downgradesRefused = metrics.addGroup("reason", "downgrade").counter(JobMetrics.MODEL_REJECTIONS);
        endToEndLatencyMs = metrics.histogram(JobMetrics.END_TO_END_LATENCY_MS, new DescriptiveStatisticsHistogram(10_000));
        processingLatencyUs = metrics.histogram(JobMetrics.PROCESSING_LATENCY_US, new DescriptiveStatisticsHistogram(10_000));
        extractorNanos = metrics.histogram(JobMetrics.EXTRACTOR_TIME_NS, new DescriptiveStatisticsHistogram(10_000));
        scorePermille = metrics.histogram(JobMetrics.SCORE_PERMILLE, new DescriptiveStatisticsHistogram(10_000));
        metrics.gauge(JobMetrics.MODEL_VERSION_LOADED_AT, () -> modelLoadedAt);
        metrics.gauge(JobMetrics.MODEL_VERSION, () -> modelVersion);

        repository = models.open();
        ModelDescriptor initial = repository.initialChampion();
        // The initial champion must load: without a model the job cannot score anything.
        FraudModel initialModel = repository.load(initial);
        if (initialModel.usesPointOfPurchase() && !pointOfPurchase) {
            throw new IllegalStateException("the initial champion " + initialModel.version() + " uses point-of-purchase "
                    + "features but point-of-purchase.enabled is false");
        }
        champion = new Loaded(initialModel, settings);
        markLoaded(champion);
        LOG.info("Scoring with champion model {}; extractor: {}", champion.version(),
                FeatureExtractor.topKKernelDescription());
        if (asyncChampionLoads) {
            int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            loader = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "model-loader-" + subtask);
                t.setDaemon(true);
                return t;
            });
        }
    }

    @Override
    public void close() throws Exception {
        if (store != null) {
            store.close();
        }
        if (loader != null) {
            loader.shutdownNow();
        }
        if (repository != null) {
            repository.close();
        }
    }

    @Override
    public void processElement(TransactionEvent tx, ReadOnlyContext ctx, Collector<FraudScore> out) throws Exception {
        adoptLoadedChampion();
        adoptLoadedShadow();
        if (!caughtUp) {
            catchUpWithBroadcastState(ctx.getBroadcastState(JobStreams.MODEL_DESCRIPTORS));
            caughtUp = true;
        }

        String key = ctx.getCurrentKey();
        CardStateStore.Card card = store.load(key);
        if (card != null && !card.history().isEmpty() && tx.eventTimeMillis
                - card.history().eventTimeAt(card.history().size() - 1) > settings.cardTtlMillis()) {
            store.clear(key);
            card = null;
            cardsExpired.inc();
        }
        if (card == null) {
            card = store.create(key, champion.model.extractorConfig().window());
        }
        CardHistory history = card.history();
        if (history.containsTransactionId(tx.transactionId)) {
            rejectDuplicate(tx, ctx);
            return;
        }

        RawTransaction raw = toRaw(tx);
        Loaded scoring = scoringModel(history, ctx.timerService().currentProcessingTime());
        FraudScore score = score(scoring, history, raw, tx, ModelRole.CHAMPION);
        out.collect(score);
        scoresOut.inc();
        if (score.getDecision() == Decision.ALERT) {
            if (settings.explainAlerts()) {
                ctx.output(JobStreams.ALERTS, scoring.explainer.explain(score, tx, scoring.features,
                        scoring.explanation));
            }
            alerts.inc();
        }
        if (shadow != null) {
            // The shadow keeps its own K/V cache in the history (one per weights version): it never evicts
            // the champion's keys, so running a shadow costs one extraction per event, not a recompute.
            ctx.output(JobStreams.SHADOW_SCORES, score(shadow, history, raw, tx, ModelRole.SHADOW));
            shadowScores.inc();
        }

        store.append(key, card, raw, scoring.extractor);
        long now = ctx.timerService().currentProcessingTime();
        if (lastSeenState.value() == null) {
            ctx.timerService().registerProcessingTimeTimer(now + settings.cardTtlMillis());
        }
        lastSeenState.update(now);
    }

    /**
     * The model that scores this card now: the champion, unless the champion's extractor weights are new to this card
     * and the outgoing champion still holds the card's complete cache; then {@code model.kv-refresh-chunk} entries of
     * the new cache are staged and the outgoing model scores until the staged cache is complete. A card therefore
     * moves to the new champion once (versions never go back: the outgoing model is used only while the readable
     * cache is its own, and the first score by the champion replaces it), and no score mixes two models' caches.
     */
    private Loaded scoringModel(CardHistory history, long now) {
        if (outgoing == null) {
            return champion;
        }
        if (outgoingUntil == Long.MIN_VALUE) {
            outgoingUntil = now + settings.kvRefreshWindowMillis();
        }
        if (now >= outgoingUntil) {
            LOG.info("K/V refresh window after the swap to {} is over; {} no longer scores", champion.version(),
                    outgoing.version());
            outgoing = null;
            return champion;
        }
        if (champion.extractor.hasCache(history) || !outgoing.extractor.hasCache(history)
                || champion.extractor.stageCache(history, settings.kvRefreshChunk())) {
            return champion;
        }
        kvStagedScores.inc();
        return outgoing;
    }

    private FraudScore score(Loaded m, CardHistory history, RawTransaction raw, TransactionEvent tx, ModelRole role) {
        long t0 = System.nanoTime();
        m.extractor.extract(history, raw, m.features, settings.explainAlerts() ? m.explanation : null);
        if (m.model.usesPointOfPurchase()) {
            int from = m.model.extractorFeatureCount();
            if (tx.pointOfPurchase != null) {
                System.arraycopy(tx.pointOfPurchase, 0, m.features, from, PopFeatures.COUNT);
            } else {
                java.util.Arrays.fill(m.features, from, from + PopFeatures.COUNT, 0f);
            }
        }
        double p = m.model.score(m.features);
        long nanos = System.nanoTime() - t0;
        long nowMicros = Clocks.nowMicros();
        if (role == ModelRole.CHAMPION) {
            extractorNanos.update(nanos);
            scorePermille.update(Math.round(p * 1000));
            processingLatencyUs.update(nowMicros - tx.ingestMicros);
            if (tx.kafkaTimestamp > 0) {
                endToEndLatencyMs.update(nowMicros / 1000 - tx.kafkaTimestamp);
            }
        }
        return FraudScore.newBuilder()
                .setTransactionId(tx.transactionId)
                .setCardId(tx.cardId)
                .setScore(p)
                .setThreshold(m.model.threshold())
                .setDecision(m.model.isAlert(p) ? Decision.ALERT : Decision.PASS)
                .setModelVersion(m.version())
                .setModelRole(role)
                .setEventTime(Instant.ofEpochMilli(tx.eventTimeMillis))
                .setScoredAt(Instant.ofEpochMilli(nowMicros / 1000))
                .setProcessingLatencyMicros(Math.max(0, nowMicros - tx.ingestMicros))
                .build();
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FraudScore> out) throws Exception {
        Long lastSeen = lastSeenState.value();
        if (lastSeen == null) {
            return;
        }
        long expiresAt = lastSeen + settings.cardTtlMillis();
        if (timestamp >= expiresAt) {
            store.clear(ctx.getCurrentKey());
            lastSeenState.clear();
            cardsExpired.inc();
        } else {
            // Seen again since the timer was set: one timer per card, re-armed only when it fires.
            ctx.timerService().registerProcessingTimeTimer(expiresAt);
        }
    }

    @Override
    public void processBroadcastElement(ModelDescriptor descriptor, Context ctx, Collector<FraudScore> out)
            throws Exception {
        BroadcastState<String, ModelDescriptor> state = ctx.getBroadcastState(JobStreams.MODEL_DESCRIPTORS);
        switch (descriptor.getRole()) {
            case CHAMPION -> {
                String version = descriptor.getModelVersion();
                if (!ModelVersions.isNewer(version, champion.version())) {
                    if (!version.equals(champion.version())) {
                        downgradesRefused.inc();
                        LOG.warn("Refused champion {}: a downgrade from {} (roll back by publishing the old model "
                                + "under a new version)", version, champion.version());
                    }
                    return;
                }
                if (pending != null && !ModelVersions.isNewer(version, pending.version())) {
                    return; // a newer one is already loading
                }
                // Kept by version whatever the load's outcome (broadcast state must not depend on this subtask's
                // timing); after a restore the newest one that verifies is used (catchUpWithBroadcastState).
                rememberChampion(state, descriptor);
                if (loader == null) {
                    Loaded loaded = tryLoad(descriptor);
                    if (loaded != null) {
                        adopt(loaded);
                    }
                } else {
                    pending = new PendingModel(descriptor, loader.submit(() -> tryLoad(descriptor)));
                }
            }
            case SHADOW -> {
                String version = descriptor.getModelVersion();
                if ((shadow != null && !ModelVersions.isNewer(version, shadow.version()))
                        || (pendingShadow != null && !ModelVersions.isNewer(version, pendingShadow.version()))) {
                    return;
                }
                if (loader == null) {
                    Loaded loaded = tryLoad(descriptor);
                    if (loaded != null) {
                        shadow = loaded;
                        state.put(SHADOW, descriptor);
                        LOG.info("Shadow scoring with model {}", shadow.version());
                    }
                } else {
                    // As for champions: kept whatever the load's outcome, loaded and verified off the task thread.
                    state.put(SHADOW, descriptor);
                    pendingShadow = new PendingModel(descriptor, loader.submit(() -> tryLoad(descriptor)));
                }
            }
            case RETIRED -> {
                String version = descriptor.getModelVersion();
                if (pendingShadow != null && pendingShadow.version().equals(version)) {
                    pendingShadow = null;
                    state.remove(SHADOW);
                }
                if (shadow != null && shadow.version().equals(version)) {
                    LOG.info("Shadow model {} retired", shadow.version());
                    shadow = null;
                    state.remove(SHADOW);
                }
            }
            default -> LOG.warn("Ignoring model descriptor with role {}", descriptor.getRole());
        }
    }

    /** Starts shadow scoring with the shadow the loader thread finished verifying, unless it was promoted meanwhile. */
    private void adoptLoadedShadow() {
        PendingModel p = pendingShadow;
        if (p == null || !p.result().isDone()) {
            return;
        }
        pendingShadow = null;
        Loaded loaded = p.outcome();
        if (loaded != null && ModelVersions.isNewer(loaded.version(), champion.version())) {
            shadow = loaded;
            LOG.info("Shadow scoring with model {}", shadow.version());
        }
    }

    /** Switches to the champion the loader thread finished verifying, if it is still the newest. */
    private void adoptLoadedChampion() {
        PendingModel p = pending;
        if (p == null || !p.result().isDone()) {
            return;
        }
        pending = null;
        Loaded loaded = p.outcome();
        if (loaded != null && ModelVersions.isNewer(loaded.version(), champion.version())) {
            adopt(loaded);
        }
    }

    private void adopt(Loaded loaded) {
        boolean newWeights = !loaded.model.extractorWeights().modelVersion()
                .equals(champion.model.extractorWeights().modelVersion());
        if (newWeights && settings.kvRefreshChunk() > 0 && settings.kvRefreshWindowMillis() > 0) {
            outgoing = champion;
            outgoingUntil = Long.MIN_VALUE; // set from the task's processing time by the next transaction
        } else if (!newWeights && outgoing != null) {
            // Same weights: cards still staging for the current weights go on with the outgoing model.
            LOG.debug("Swap to {} keeps the extractor weights; {} keeps scoring cards still staging", loaded.version(),
                    outgoing.version());
        } else {
            outgoing = null;
        }
        champion = loaded;
        markLoaded(champion);
        if (shadow != null && shadow.version().equals(loaded.version())) {
            shadow = null; // the shadow was promoted
        }
        if (pendingShadow != null && !ModelVersions.isNewer(pendingShadow.version(), loaded.version())) {
            pendingShadow = null; // promoted (or overtaken) before it finished loading
        }
        LOG.info("Champion is now model {}", champion.version());
    }

    /** Records a received champion descriptor under its version, keeping the newest {@value #RECEIVED_CHAMPIONS_KEPT}. */
    private static void rememberChampion(BroadcastState<String, ModelDescriptor> state, ModelDescriptor d)
            throws Exception {
        state.put(CHAMPION_RECEIVED + d.getModelVersion(), d);
        List<String> versions = new ArrayList<>();
        for (Map.Entry<String, ModelDescriptor> e : state.immutableEntries()) {
            if (e.getKey().startsWith(CHAMPION_RECEIVED)) {
                versions.add(e.getValue().getModelVersion());
            }
        }
        versions.sort(CardScoringFunction::newestFirst);
        for (int i = RECEIVED_CHAMPIONS_KEPT; i < versions.size(); i++) {
            state.remove(CHAMPION_RECEIVED + versions.get(i));
        }
    }

    private static int newestFirst(String a, String b) {
        return ModelVersions.isNewer(a, b) ? -1 : ModelVersions.isNewer(b, a) ? 1 : 0;
    }

    /**
     * Once per instance, before its first event: after a restore, broadcast state may name champions newer than the
     * configured initial one; the newest that verifies is loaded (inline: a restore is not the steady state).
     */
    private void catchUpWithBroadcastState(ReadOnlyBroadcastState<String, ModelDescriptor> state) throws Exception {
        List<ModelDescriptor> received = new ArrayList<>();
        for (Map.Entry<String, ModelDescriptor> e : state.immutableEntries()) {
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
            Loaded loaded = tryLoad(wanted);
            if (loaded != null) {
                adopt(loaded);
                break;
            }
        }
        ModelDescriptor wantedShadow = state.get(SHADOW);
        if (wantedShadow == null || !ModelVersions.isNewer(wantedShadow.getModelVersion(), champion.version())) {
            shadow = null; // none, or already promoted
        } else if ((shadow == null || !shadow.version().equals(wantedShadow.getModelVersion()))
                && (pendingShadow == null || !pendingShadow.version().equals(wantedShadow.getModelVersion()))
                && !wantedShadow.getModelVersion().equals(lastRefusedVersion)) {
            shadow = tryLoad(wantedShadow);
        }
    }

    private Loaded tryLoad(ModelDescriptor descriptor) {
        try {
            FraudModel model = repository.load(descriptor);
            if (model.usesPointOfPurchase() && !pointOfPurchase) {
                throw new ModelRejectedException(ModelRejectedException.Reason.DIMENSION_MISMATCH, "model "
                        + model.version() + " needs point-of-purchase features and point-of-purchase.enabled is false");
            }
            Loaded loaded = new Loaded(model, settings);
            modelSwaps.inc();
            return loaded;
        } catch (ModelRejectedException e) {
            modelRejections.get(e.reason()).inc();
            lastRefusedVersion = descriptor.getModelVersion();
            LOG.warn("Refused model {} ({}): {}; {} keeps scoring", descriptor.getModelVersion(), e.reason(),
                    e.getMessage(), champion == null ? "nothing" : champion.version());
            return null;
        } catch (RuntimeException e) {
            modelRejections.get(ModelRejectedException.Reason.MALFORMED).inc();
            lastRefusedVersion = descriptor.getModelVersion();
            LOG.warn("Refused model {}: {}", descriptor.getModelVersion(), e.toString());
            return null;
        }
    }

    private void markLoaded(Loaded m) {
        modelLoadedAt = System.currentTimeMillis();
        modelVersion = m.version();
    }

    private void rejectDuplicate(TransactionEvent tx, ReadOnlyContext ctx) {
        duplicates.inc();
        byte[] bytes = transactionCodec.encode(TransactionEvents.toAvro(tx));
        ctx.output(JobStreams.DEAD_LETTERS, DecodeAndValidate.deadLetter(tx.sourceTopic, tx.sourcePartition,
                tx.sourceOffset, tx.cardId.getBytes(java.nio.charset.StandardCharsets.UTF_8), bytes,
                Rejection.of(DeadLetterReason.DUPLICATE, "transaction " + tx.transactionId
                        + " was already scored for this card"),
                settings.deadLetterMaxPayload(), ctx.timerService().currentProcessingTime()));
    }

    static RawTransaction toRaw(TransactionEvent tx) {
        return RawTransaction.builder()
                .transactionId(tx.transactionId)
                .eventTimeMillis(tx.eventTimeMillis)
                .amount(tx.amount)
                .merchantId(tx.merchantId)
                .merchantCategory(tx.merchantCategory)
                .channel(channel(tx.channel))
                .merchantLocation(tx.merchantLat, tx.merchantLon)
                .homeLocation(tx.homeLat, tx.homeLon)
                .build();
    }

    private static Channel channel(String name) {
        return switch (name) {
            case "CARD_PRESENT" -> Channel.CARD_PRESENT;
            case "ONLINE" -> Channel.ONLINE;
            case "ATM" -> Channel.ATM;
            case "CONTACTLESS" -> Channel.CONTACTLESS;
            default -> Channel.OTHER;
        };
    }
}
