package io.fraudstream.job.scoring;

import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.model.scoring.AlertBudget;
import java.io.Serializable;

/**
 * What the scoring function needs from the configuration. {@code explainAlerts}: whether
 * alerts (with their explanation) are produced on the alerts side output; bounded evaluation, which reads only the
 * scores (the decision is in every score), turns them off. {@code emitFeatures}: whether every scored transaction's
 * feature vector also goes to the {@code JobStreams.FEATURES} side output (off in the job; the training/serving
 * parity test and feature audits turn it on). {@code alertBudget}: null, or the budget the alert threshold is held to
 * on live scores ({@link JobOptions#ALERT_BUDGET}). {@code shadowMaxLagMillis}: a shadow skips a transaction that
 * reaches the scoring task later than this after its Kafka record's timestamp ({@link JobOptions#SHADOW_MAX_LAG}); 0:
 * never (bounded runs, operator tests). {@code writeIdleMillis}: a card's deferred changes this old are written between
 * barriers ({@link JobOptions#CARD_WRITE_IDLE}); 0: they wait for the barrier.
 */
public record ScoringSettings(long cardTtlMillis, int topAttended, int topContributions, int deadLetterMaxPayload,
        long historyCacheTransactions, long cacheWarmMillis, int maxUnwrittenCards, long writeIdleMillis,
        boolean explainAlerts, boolean emitFeatures, AlertBudget.Settings alertBudget, long shadowMaxLagMillis)
        implements Serializable {

    /** No history cache; alerts explained. */
    public ScoringSettings(long cardTtlMillis, int topAttended, int topContributions, int deadLetterMaxPayload) {
        this(cardTtlMillis, topAttended, topContributions, deadLetterMaxPayload, 0, 0,
                JobOptions.CARD_WRITE_BEHIND.defaultValue(), 0, true, false, null, 0);
    }

    /** The same settings with a cache of deserialized histories of up to {@code transactions} (see historyCacheBytes). */
    public ScoringSettings withHistoryCache(long transactions) {
        return new ScoringSettings(cardTtlMillis, topAttended, topContributions, deadLetterMaxPayload, transactions,
                cacheWarmMillis, maxUnwrittenCards, writeIdleMillis, explainAlerts, emitFeatures, alertBudget, shadowMaxLagMillis);
    }

    /**
     * The same settings with the history cache filled from state for up to {@code millis} when the scoring operator
     * opens (after a restore; see {@code CardStateStore#warm}); 0: not filled.
     */
    public ScoringSettings withCacheWarming(long millis) {
        return new ScoringSettings(cardTtlMillis, topAttended, topContributions, deadLetterMaxPayload,
                historyCacheTransactions, millis, maxUnwrittenCards, writeIdleMillis, explainAlerts, emitFeatures, alertBudget, shadowMaxLagMillis);
    }

    /**
     * The same settings with at most {@code cards} cards per subtask whose changes are held back for the next
     * checkpoint barrier ({@code CardStateStore#deferWrites}); 0: every event writes through.
     */
    public ScoringSettings withMaxUnwrittenCards(int cards) {
        return new ScoringSettings(cardTtlMillis, topAttended, topContributions, deadLetterMaxPayload,
                historyCacheTransactions, cacheWarmMillis, cards, writeIdleMillis, explainAlerts, emitFeatures, alertBudget, shadowMaxLagMillis);
    }

    /**
     * The same settings with a card's deferred changes written between barriers once they are {@code millis} old
     * ({@code CardStateStore#deferWrites}, {@link JobOptions#CARD_WRITE_IDLE}); 0: they wait for the barrier.
     */
    public ScoringSettings withCardWriteIdle(long millis) {
        return new ScoringSettings(cardTtlMillis, topAttended, topContributions, deadLetterMaxPayload,
                historyCacheTransactions, cacheWarmMillis, maxUnwrittenCards, millis, explainAlerts, emitFeatures,
                alertBudget, shadowMaxLagMillis);
    }

    /**
     * The same settings with a shadow that skips transactions reaching the scoring task more than {@code millis} after
     * their Kafka record's timestamp ({@code JobOptions#SHADOW_MAX_LAG}); 0: the shadow scores every transaction.
     */
    public ScoringSettings withShadowMaxLag(long millis) {
        return new ScoringSettings(cardTtlMillis, topAttended, topContributions, deadLetterMaxPayload,
                historyCacheTransactions, cacheWarmMillis, maxUnwrittenCards, writeIdleMillis, explainAlerts, emitFeatures, alertBudget,
                millis);
    }

    /** The same settings with another card TTL. */
    public ScoringSettings withCardTtlMillis(long ttl) {
        return new ScoringSettings(ttl, topAttended, topContributions, deadLetterMaxPayload,
                historyCacheTransactions, cacheWarmMillis, maxUnwrittenCards, writeIdleMillis, explainAlerts, emitFeatures, alertBudget, shadowMaxLagMillis);
    }

    /** The same settings without alerts on the alerts side output (scores still carry the ALERT decision). */
    public ScoringSettings withoutAlertExplanations() {
        return new ScoringSettings(cardTtlMillis, topAttended, topContributions, deadLetterMaxPayload,
                historyCacheTransactions, cacheWarmMillis, maxUnwrittenCards, writeIdleMillis, false, emitFeatures, alertBudget, shadowMaxLagMillis);
    }

    /** The same settings with every champion feature vector on the {@code JobStreams.FEATURES} side output. */
    public ScoringSettings withFeatureOutput() {
        return new ScoringSettings(cardTtlMillis, topAttended, topContributions, deadLetterMaxPayload,
                historyCacheTransactions, cacheWarmMillis, maxUnwrittenCards, writeIdleMillis, explainAlerts, true, alertBudget, shadowMaxLagMillis);
    }

    /**
     * The same settings with the alert threshold held to an alert budget on live scores ({@link AlertBudget}); null: the
     * model's own threshold decides.
     */
    public ScoringSettings withAlertBudget(AlertBudget.Settings budget) {
        return new ScoringSettings(cardTtlMillis, topAttended, topContributions, deadLetterMaxPayload,
                historyCacheTransactions, cacheWarmMillis, maxUnwrittenCards, writeIdleMillis, explainAlerts, emitFeatures, budget, shadowMaxLagMillis);
    }

    /**
     * The history cache holds at most this many bytes (it also stays within its share of the heap, see
     * {@code CardStateStore}): {@code historyCacheTransactions} at about 100 bytes each (a 1024-entry history with UUID
     * or 32-hex-digit ids holds about 100 KB: raw fields, the packed id and the token columns;
     * {@code CardHistory#estimatedBytes}).
     */
    public long historyCacheBytes() {
        return historyCacheTransactions * 100;
    }

    /** The history cache works with every state backend (it never holds state objects, see {@code HistoryCache}). */
    public static ScoringSettings from(JobConfig config) {
        return new ScoringSettings(config.get(JobOptions.CARD_STATE_TTL).toMillis(),
                config.get(JobOptions.ALERT_TOP_ATTENDED), config.get(JobOptions.ALERT_TOP_CONTRIBUTIONS),
                config.get(JobOptions.DEAD_LETTER_MAX_PAYLOAD),
                config.get(JobOptions.HISTORY_CACHE_TRANSACTIONS), config.get(JobOptions.HISTORY_CACHE_WARM_TIME).toMillis(),
                config.get(JobOptions.CARD_WRITE_BEHIND), config.get(JobOptions.CARD_WRITE_IDLE).toMillis(), true, false,
                config.alertBudget(),
                config.get(JobOptions.BOUNDED) ? 0 : config.get(JobOptions.SHADOW_MAX_LAG).toMillis());
    }
}
