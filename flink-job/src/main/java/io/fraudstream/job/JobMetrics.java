package io.fraudstream.job;

import io.fraudstream.avro.DeadLetterReason;
import java.util.Locale;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Metric names (exported by the Prometheus reporter as {@code flink_taskmanager_job_task_operator_<name>}).
 * The README's metrics table explains each.
 */
public final class JobMetrics {

    public static final String RECORDS_IN = "fraudstreamRecordsIn";
    public static final String DEAD_LETTERS = "fraudstreamDeadLetters";
    public static final String SCORES_OUT = "fraudstreamScoresOut";
    public static final String ALERTS = "fraudstreamAlerts";
    public static final String SHADOW_SCORES = "fraudstreamShadowScores";
    /**
     * Transactions the shadow did not score because they reached the scoring task more than {@code shadow.max-lag}
     * after their Kafka timestamp (the champion scored them).
     */
    public static final String SHADOW_SKIPPED = "fraudstreamShadowSkipped";
    public static final String END_TO_END_LATENCY_MS = "fraudstreamEndToEndLatencyMs";
    public static final String PROCESSING_LATENCY_US = "fraudstreamProcessingLatencyUs";
    public static final String EXTRACTOR_TIME_NS = "fraudstreamExtractorNanos";
    public static final String SCORE_PERMILLE = "fraudstreamScorePermille";
    /**
     * The champion's alert threshold now, per subtask: the model's own, or with {@code alert.budget} the quantile of
     * its recent scores (see {@code AlertBudgets}).
     */
    public static final String ALERT_THRESHOLD = "fraudstreamAlertThreshold";
    /** 1 while the alert budget's window sets the champion's threshold, 0 while the model's own does. */
    public static final String ALERT_BUDGET_ACTIVE = "fraudstreamAlertBudgetActive";
    public static final String MODEL_VERSION_LOADED_AT = "fraudstreamModelLoadedAtMillis";
    public static final String MODEL_VERSION = "fraudstreamModelVersion";
    /**
     * The champion's version as a number (its digits; see {@code ModelLifecycle.versionNumber}), per subtask: a
     * numeric gauge Prometheus exports, so a subtask whose champion drifts behind is visible
     * ({@code min by (subtask_index)} differs from {@code max}).
     */
    public static final String CHAMPION_VERSION_NUMBER = "fraudstreamChampionVersionNumber";
    public static final String MODEL_SWAPS = "fraudstreamModelSwaps";
    public static final String MODEL_REJECTIONS = "fraudstreamModelRejections";
    public static final String CARDS_EXPIRED = "fraudstreamCardsExpired";
    /** Cards whose v1 state (one whole-history value) was rewritten as chunks on their first event. */
    public static final String CARDS_MIGRATED = "fraudstreamCardsMigrated";
    /** Share of card lookups served by the deserialized-history cache, since the subtask started. */
    public static final String CARD_CACHE_HIT_RATE = "fraudstreamCardCacheHitRate";
    /** Estimated heap bytes of the deserialized-history cache. */
    public static final String CARD_CACHE_BYTES = "fraudstreamCardCacheBytes";
    /** Cards loaded into the history cache from state when the scoring operator opened (after a restore). */
    public static final String CARD_CACHE_WARMED = "fraudstreamCardCacheWarmedCards";
    /** Time the last checkpoint barrier spent writing the cards changed since the one before (deferred writes), µs. */
    public static final String CARD_BARRIER_WRITE_MICROS = "fraudstreamCardBarrierWriteMicros";
    /** Cards the last checkpoint barrier wrote. */
    public static final String CARD_BARRIER_WRITE_CARDS = "fraudstreamCardBarrierWriteCards";
    /**
     * Cards written between barriers because more than {@code state.card-write-behind} cards had unwritten changes
     * (the one changed longest ago first).
     */
    public static final String CARD_WRITTEN_AHEAD = "fraudstreamCardWrittenAhead";
    /**
     * Cards written between barriers because their last change was {@code state.card-write-idle} old (the barrier then
     * has fewer to write).
     */
    public static final String CARD_WRITTEN_IDLE = "fraudstreamCardWrittenIdle";
    /**
     * Cards written at once because they were predicted cold: no change since they were loaded or created, or the
     * previous one 2.5 × {@code state.card-write-idle} ago (never waiting for the barrier).
     */
    public static final String CARD_WRITTEN_COLD = "fraudstreamCardWrittenCold";
    public static final String LABELS_IN = "fraudstreamLabelsIn";
    public static final String LABELS_UNATTRIBUTED = "fraudstreamLabelsUnattributed";
    public static final String POP_LATE_COUNTS = "fraudstreamPopLateCounts";
    public static final String POP_POINTS_OF_PURCHASE = "fraudstreamPopPointsOfPurchase";

    /** Per rule (label {@code rule="<name>"}): evaluations, hits, evaluation failures, nanoseconds spent. */
    public static final String RULE_EVALUATIONS = "fraudstreamRuleEvaluations";
    public static final String RULE_HITS = "fraudstreamRuleHits";
    public static final String RULE_FAILURES = "fraudstreamRuleFailures";
    public static final String RULE_NANOS = "fraudstreamRuleNanos";
    /** Rule sets accepted, and refused by reason ({@code unsigned}, {@code forged}, {@code replayed}, {@code invalid}). */
    public static final String RULE_SETS_ACCEPTED = "fraudstreamRuleSetsAccepted";
    public static final String RULE_SET_REJECTIONS = "fraudstreamRuleSetRejections";
    /** Version of the rule set in force (0: none). */
    public static final String RULE_SET_VERSION = "fraudstreamRuleSetVersion";
    /** Alerts a rule raised although the model alone would not have, and model alerts a rule suppressed. */
    public static final String RULE_ALERTS = "fraudstreamRuleAlerts";
    public static final String ALERTS_SUPPRESSED = "fraudstreamAlertsSuppressed";

    private JobMetrics() {}

    /** One counter per dead-letter reason, as a label {@code reason="invalid_amount"}. */
    public static Counter deadLetterCounter(MetricGroup group, DeadLetterReason reason) {
        return group.addGroup("reason", reason.name().toLowerCase(Locale.ROOT)).counter(DEAD_LETTERS);
    }
}
