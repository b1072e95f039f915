package io.fraudstream.job.scoring;

import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.Decision;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.features.CardHistory;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.RawTransaction;
import io.fraudstream.job.JobMetrics;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.io.Clocks;
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.job.validation.DecodeAndValidate;
import io.fraudstream.job.validation.Rejection;
import io.fraudstream.job.validation.TransactionEvent;
import io.fraudstream.rules.RuleOutcome;
import io.fraudstream.job.validation.TransactionEvents;
import io.fraudstream.model.ModelRejectedException;
import io.fraudstream.model.scoring.CardScorer;
import io.fraudstream.model.scoring.WireTransactions;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.avro.Transaction;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.types.Either;
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
 * way, on the same loader thread, and start scoring on the first transaction after their load finished. A card's
 * history holds tokens, not any model's keys and values ({@code FeatureExtractor}), so every model scores it as it is
 * and a swap costs no recompute.
 *
 * <p><b>Alert budget</b> ({@code alert.budget}): when set, a score alerts at or above the budget's threshold (the
 * quantile of the model's recent scores on this subtask, {@link AlertBudgets}) instead of the model's fixed one; the
 * score carries the threshold it was decided at. The windows are operator state.
 *
 * <p><b>Expiry:</b> a history older than {@code state.card-ttl} (in event time, relative to the new
 * transaction) is forgotten before scoring: deterministic, so replay and live agree. A processing-time
 * timer deletes the state of cards with no transaction for that long, keeping state bounded.
 */
public class CardScoringFunction
        extends KeyedBroadcastProcessFunction<String, TransactionEvent, Either<ModelDescriptor, RuleSet>, FraudScore>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CardScoringFunction.class);
    /** Broadcast-state key prefix of each champion descriptor received, by version (see {@link ModelLifecycle}). */
    static final String CHAMPION_RECEIVED = ModelLifecycle.CHAMPION_RECEIVED;

    private final ModelRepository.Factory models;
    private final ScoringSettings settings;
    /** Whether transactions arrive with point-of-purchase features; models that need them are refused otherwise. */
    private final boolean pointOfPurchase;
    /** Whether new champions are loaded and verified off the task thread (the job) or inline (harness tests). */
    private final boolean asyncChampionLoads;
    /** Analyst rules: off, or on with the key rule sets must be signed with. */
    private final RuleStage.Settings ruleSettings;

    private transient ModelRepository repository;
    /** The cards' histories: append-only chunks in keyed state, with a cache of deserialized histories. */
    private transient CardStateStore store;
    private transient CardStateStore.Warmed warmed;

    /** Which model scores: champion, shadow, pending loads. */
    private transient ModelLifecycle lifecycle;
    /** The analyst rules in force, evaluated after scoring (see {@link RuleStage}). */
    private transient RuleStage rules;
    /** One thread per subtask that loads and verifies bundles; null when loading inline. */
    private transient ExecutorService loader;

    /** Per model version, the alert budget's windows; null when {@code alert.budget} is off. */
    private transient AlertBudgets budgets;
    private transient ListState<byte[]> budgetState;
    private transient volatile double championThreshold = Double.NaN;
    private transient volatile int championBudgetActive;

    private transient AvroCodec<Transaction> transactionCodec;
    private transient Counter scoresOut;
    private transient Counter alerts;
    private transient Counter shadowScores;
    private transient Counter shadowSkipped;
    private transient Counter duplicates;
    private transient Counter scoringFailures;
    private transient Counter cardsExpired;
    private transient Counter modelSwaps;
    /** By reason label (lower case): every {@link ModelRejectedException.Reason}, and "downgrade". */
    private transient Map<String, Counter> modelRejections;
    private transient Histogram endToEndLatencyMs;
    private transient Histogram processingLatencyUs;
    private transient Histogram extractorNanos;
    private transient Histogram scorePermille;
    private transient volatile long modelLoadedAt;
    private transient volatile String modelVersion;
    private transient volatile long modelVersionNumber;

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
        this(models, settings, pointOfPurchase, asyncChampionLoads, RuleStage.Settings.OFF);
    }

    public CardScoringFunction(ModelRepository.Factory models, ScoringSettings settings, boolean pointOfPurchase,
            boolean asyncChampionLoads, RuleStage.Settings ruleSettings) {
        this.models = models;
        this.settings = settings;
        this.pointOfPurchase = pointOfPurchase;
        this.asyncChampionLoads = asyncChampionLoads;
        this.ruleSettings = ruleSettings;
    }

    /** Operator state: the alert budget's windows (called before {@link #open}). */
    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        if (settings.alertBudget() == null) {
            return;
        }
        budgets = new AlertBudgets(settings.alertBudget());
        budgetState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("alert-budgets", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        if (context.isRestored()) {
            budgets.restore(budgetState.get());
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        if (budgets != null) {
            budgetState.update(budgets.encode());
        }
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        store = new CardStateStore(getRuntimeContext(), settings.historyCacheBytes());
        transactionCodec = AvroCodec.of(Transaction.class);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        scoresOut = metrics.counter(JobMetrics.SCORES_OUT);
        alerts = metrics.counter(JobMetrics.ALERTS);
        shadowScores = metrics.counter(JobMetrics.SHADOW_SCORES);
        shadowSkipped = metrics.counter(JobMetrics.SHADOW_SKIPPED);
        duplicates = JobMetrics.deadLetterCounter(metrics, DeadLetterReason.DUPLICATE);
        scoringFailures = JobMetrics.deadLetterCounter(metrics, DeadLetterReason.SCORING_FAILED);
        cardsExpired = metrics.counter(JobMetrics.CARDS_EXPIRED);
        modelSwaps = metrics.counter(JobMetrics.MODEL_SWAPS);
        modelRejections = new ConcurrentHashMap<>(); // the loader thread reports refusals too
        for (ModelRejectedException.Reason reason : ModelRejectedException.Reason.values()) {
            rejectionCounter(metrics, reason.name()); // registered up front, so every reason is exported from 0
        }
        rejectionCounter(metrics, "downgrade");
        rejectionCounter(metrics, "scoring_failed");
        rejectionCounter(metrics, "shadow_scoring_failed");
        endToEndLatencyMs = metrics.histogram(JobMetrics.END_TO_END_LATENCY_MS, new DescriptiveStatisticsHistogram(10_000));
        processingLatencyUs = metrics.histogram(JobMetrics.PROCESSING_LATENCY_US, new DescriptiveStatisticsHistogram(10_000));
        extractorNanos = metrics.histogram(JobMetrics.EXTRACTOR_TIME_NS, new DescriptiveStatisticsHistogram(10_000));
        scorePermille = metrics.histogram(JobMetrics.SCORE_PERMILLE, new DescriptiveStatisticsHistogram(10_000));
        metrics.gauge(JobMetrics.MODEL_VERSION_LOADED_AT, () -> modelLoadedAt);
        metrics.gauge(JobMetrics.MODEL_VERSION, () -> modelVersion);
        metrics.gauge(JobMetrics.CHAMPION_VERSION_NUMBER, () -> modelVersionNumber);
        metrics.gauge(JobMetrics.ALERT_THRESHOLD, () -> championThreshold);
        metrics.gauge(JobMetrics.ALERT_BUDGET_ACTIVE, () -> championBudgetActive);

        rules = new RuleStage(ruleSettings, metrics);
        repository = models.open();
        if (asyncChampionLoads) {
            int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            loader = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "model-loader-" + subtask);
                t.setDaemon(true);
                return t;
            });
        }
        lifecycle = new ModelLifecycle(repository, settings, pointOfPurchase, loader, new ModelLifecycle.Events() {
            @Override
            public void loaded(String version) {
                modelSwaps.inc();
            }

            @Override
            public void refused(String version, String reason) {
                rejectionCounter(metrics, reason).inc();
            }

            @Override
            public void championChanged(LoadedModel champion) {
                markLoaded(champion);
            }
        });
        lifecycle.start();
        LOG.info("Scoring with champion model {}; extractor: {}", lifecycle.champion().version(),
                FeatureExtractor.topKKernelDescription());
    }

    /** The rejection counter of a reason label (lower case), created on first use. */
    private Counter rejectionCounter(MetricGroup metrics, String reason) {
        return modelRejections.computeIfAbsent(reason.toLowerCase(Locale.ROOT),
                r -> metrics.addGroup("reason", r).counter(JobMetrics.MODEL_REJECTIONS));
    }

    /**
     * Called by {@link CardScoringOperator} once open, before any record, with its keyed state backend: fills the
     * history cache from the (restored) state within {@code state.card-cache-warm-time} ({@link CardStateStore#warm}),
     * then defers each card's writes to the next checkpoint barrier, for at most {@code state.card-write-behind} cards
     * and {@code state.card-write-idle} ({@link CardStateStore#deferWrites}).
     */
    void attachBackend(KeyedStateBackend<String> backend) throws Exception {
        warmed = store.warm(backend, settings.cacheWarmMillis());
        store.deferWrites(backend, settings.maxUnwrittenCards(), settings.writeIdleMillis());
    }

    /** Called by {@link CardScoringOperator} before each checkpoint barrier: see {@link CardStateStore#flush}. */
    void flushState() throws Exception {
        store.flush();
    }

    /** Cards the last barrier wrote. For tests. */
    int lastBarrierCards() {
        return store.lastFlushCards();
    }

    /** Cards with deferred writes not yet in state. For tests. */
    int unwrittenCards() {
        return store.unwritten();
    }

    /** What {@link #attachBackend} warmed (null: nothing, no cache or warming off). For tests. */
    CardStateStore.Warmed warmed() {
        return warmed;
    }

    /** The history cache's hit rate since open. For tests. */
    double cacheHitRate() {
        return store.cacheHitRate();
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
        lifecycle.beforeEvent(descriptors(ctx.getBroadcastState(JobStreams.MODEL_DESCRIPTORS)));

        String key = ctx.getCurrentKey();
        CardStateStore.Card card = store.load(key);
        long keptLastSeen = CardStateStore.NEVER_SEEN;
        if (card != null && CardScorer.expired(card.history(), tx.eventTimeMillis, settings.cardTtlMillis())) {
            keptLastSeen = card.lastSeen; // clear keeps it: the card's TTL timer is armed
            store.clear(key);
            card = null;
            cardsExpired.inc();
        }
        if (card == null) {
            card = store.create(key, lifecycle.champion().model.extractorConfig().window(), keptLastSeen);
        }
        CardHistory history = card.history();
        if (CardScorer.duplicate(history, tx.transactionId)) {
            rejectDuplicate(tx, ctx);
            return;
        }

        RawTransaction raw = toRaw(tx);
        LoadedModel scoring = lifecycle.champion();
        FraudScore score;
        try {
            score = score(scoring, history, raw, tx, ModelRole.CHAMPION);
        } catch (RuntimeException e) {
            // A poison event: dead-lettered, not appended, and the job goes on (systematic failures: ModelLifecycle).
            rejectScoringFailure(tx, ctx, scoring, e);
            lifecycle.scoringFailed(scoring, e);
            return;
        }
        lifecycle.scored();
        out.collect(score);
        if (settings.emitFeatures()) {
            ctx.output(JobStreams.FEATURES, new FeatureVector(tx.transactionId, tx.cardId, scoring.version(),
                    scoring.features.clone()));
        }
        scoresOut.inc();
        boolean modelAlert = score.getDecision() == Decision.ALERT;
        RuleOutcome ruled = rules.evaluate(ctx, tx, score, scoring.model.featureNames(), scoring.features);
        if (ruleSettings.emitDecisions()) {
            ctx.output(JobStreams.RULE_DECISIONS, rules.decision(tx, score, ruled, modelAlert));
        }
        if (ruled.alert(modelAlert)) {
            if (settings.explainAlerts()) {
                ctx.output(JobStreams.ALERTS, rules.annotate(scoring.explainer.explain(score, tx, scoring.features,
                        scoring.explanation), ruled, modelAlert));
            }
            alerts.inc();
        }
        LoadedModel shadow = lifecycle.shadow();
        if (shadow != null && behindForShadow(tx)) {
            // The champion's backlog comes first: a shadow's scores are an evaluation sample, and a second
            // extraction per event would deepen the backlog (a start after a restore, a catch-up after downtime).
            shadowSkipped.inc();
        } else if (shadow != null) {
            // The shadow scores the same history (the same model-independent tokens) and keeps nothing of its
            // own in it, so running a shadow costs one extraction per event and nothing else.
            try {
                ctx.output(JobStreams.SHADOW_SCORES, score(shadow, history, raw, tx, ModelRole.SHADOW));
                shadowScores.inc();
            } catch (RuntimeException e) {
                // The champion's score is out; a failing candidate costs its own evaluation only.
                modelRejections.get("shadow_scoring_failed").inc();
                LOG.warn("Shadow model {} failed to score transaction {}: {}", shadow.version(), tx.transactionId,
                        e.toString());
            }
        }

        long now = ctx.timerService().currentProcessingTime();
        store.append(key, card, raw, now);
        if (store.touch(card, now, settings.cardTtlMillis())) {
            ctx.timerService().registerProcessingTimeTimer(CardStateStore.expiresAt(now, settings.cardTtlMillis()));
        }
    }

    /**
     * Whether the transaction reached this task more than {@code shadow.max-lag} after its Kafka record's timestamp
     * (never when the lag limit is 0, as in bounded runs, or the record has no timestamp).
     */
    private boolean behindForShadow(TransactionEvent tx) {
        long maxLag = settings.shadowMaxLagMillis();
        return maxLag > 0 && tx.kafkaTimestamp > 0 && Clocks.nowMicros() / 1000 - tx.kafkaTimestamp > maxLag;
    }

    private FraudScore score(LoadedModel m, CardHistory history, RawTransaction raw, TransactionEvent tx, ModelRole role) {
        long t0 = System.nanoTime();
        // Only the champion's alerts are explained: a shadow's attended entries would never be read.
        boolean explain = role == ModelRole.CHAMPION && settings.explainAlerts();
        m.scorer.extract(history, raw, tx.pointOfPurchase, explain ? m.explanation : null);
        double p = m.scorer.score();
        long nanos = System.nanoTime() - t0;
        long nowMicros = Clocks.nowMicros();
        double threshold = m.model.threshold();
        if (budgets != null) {
            threshold = budgets.threshold(m.version(), tx.eventTimeMillis, threshold);
            budgets.observe(m.version(), tx.eventTimeMillis, p);
        }
        if (role == ModelRole.CHAMPION) {
            championThreshold = threshold;
            championBudgetActive = budgets != null && budgets.active(m.version()) ? 1 : 0;
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
                .setThreshold(threshold)
                .setDecision(p >= threshold ? Decision.ALERT : Decision.PASS)
                .setModelVersion(m.version())
                .setModelRole(role)
                .setEventTime(Instant.ofEpochMilli(tx.eventTimeMillis))
                .setScoredAt(Instant.ofEpochMilli(nowMicros / 1000))
                .setProcessingLatencyMicros(Math.max(0, nowMicros - tx.ingestMicros))
                .build();
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FraudScore> out) throws Exception {
        long lastSeen = store.storedLastSeen();
        if (lastSeen == CardStateStore.NEVER_SEEN) {
            return;
        }
        long expiresAt = CardStateStore.expiresAt(lastSeen, settings.cardTtlMillis());
        if (timestamp >= expiresAt) {
            store.expire(ctx.getCurrentKey());
            cardsExpired.inc();
        } else {
            // Seen again since the timer was set: one timer per card, re-armed only when it fires.
            ctx.timerService().registerProcessingTimeTimer(expiresAt);
        }
    }

    @Override
    public void processBroadcastElement(Either<ModelDescriptor, RuleSet> control, Context ctx,
            Collector<FraudScore> out) throws Exception {
        if (control.isRight()) {
            rules.onRuleSet(control.right(), ctx);
            return;
        }
        lifecycle.onDescriptor(control.left(), descriptors(ctx.getBroadcastState(JobStreams.MODEL_DESCRIPTORS)));
    }

    /** The broadcast state as the lifecycle's descriptor map. */
    private static ModelLifecycle.DescriptorState descriptors(BroadcastState<String, ModelDescriptor> state) {
        return new BroadcastDescriptors(state, state);
    }

    /** The read-only broadcast state an event sees, as the lifecycle's descriptor map. */
    private static ModelLifecycle.DescriptorState descriptors(ReadOnlyBroadcastState<String, ModelDescriptor> state) {
        return new BroadcastDescriptors(state, null);
    }

    /** Flink's broadcast state behind the lifecycle's descriptor map ({@code writable} null: read-only). */
    private record BroadcastDescriptors(ReadOnlyBroadcastState<String, ModelDescriptor> readable,
            BroadcastState<String, ModelDescriptor> writable) implements ModelLifecycle.DescriptorState {
        @Override
        public ModelDescriptor get(String key) {
            try {
                return readable.get(key);
            } catch (Exception e) {
                throw new IllegalStateException("cannot read model descriptor state", e);
            }
        }

        @Override
        public Iterable<Map.Entry<String, ModelDescriptor>> entries() {
            try {
                return readable.immutableEntries();
            } catch (Exception e) {
                throw new IllegalStateException("cannot read model descriptor state", e);
            }
        }

        @Override
        public void put(String key, ModelDescriptor descriptor) {
            try {
                writable.put(key, descriptor);
            } catch (Exception e) {
                throw new IllegalStateException("cannot write model descriptor state", e);
            }
        }

        @Override
        public void remove(String key) {
            try {
                writable.remove(key);
            } catch (Exception e) {
                throw new IllegalStateException("cannot write model descriptor state", e);
            }
        }
    }

    private void markLoaded(LoadedModel m) {
        modelLoadedAt = System.currentTimeMillis();
        modelVersion = m.version();
        modelVersionNumber = ModelLifecycle.versionNumber(m.version());
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

    private void rejectScoringFailure(TransactionEvent tx, ReadOnlyContext ctx, LoadedModel model, RuntimeException e) {
        scoringFailures.inc();
        String detail = String.valueOf(e.getMessage());
        String message = "scoring with model " + model.version() + " failed: " + e.getClass().getName() + ": "
                + (detail.length() > 300 ? detail.substring(0, 300) + "..." : detail);
        LOG.warn("Transaction {} of card {} could not be scored: {}", tx.transactionId, tx.cardId, message);
        byte[] bytes = transactionCodec.encode(TransactionEvents.toAvro(tx));
        ctx.output(JobStreams.DEAD_LETTERS, DecodeAndValidate.deadLetter(tx.sourceTopic, tx.sourcePartition,
                tx.sourceOffset, tx.cardId.getBytes(java.nio.charset.StandardCharsets.UTF_8), bytes,
                Rejection.of(DeadLetterReason.SCORING_FAILED, message),
                settings.deadLetterMaxPayload(), ctx.timerService().currentProcessingTime()));
    }

    /** The extractor's input: the shared wire mapping ({@link WireTransactions}) of the validated fields. */
    static RawTransaction toRaw(TransactionEvent tx) {
        return WireTransactions.raw(tx.transactionId, tx.eventTimeMillis, tx.amount, tx.merchantId,
                tx.merchantCategory, tx.channel, tx.merchantLat, tx.merchantLon, tx.homeLat, tx.homeLon);
    }
}
