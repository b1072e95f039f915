package io.fraudstream.job.scoring;

import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import java.io.Serializable;

/** What the scoring function needs from the configuration. */
public record ScoringSettings(long cardTtlMillis, int topAttended, int topContributions, int deadLetterMaxPayload,
        long historyCacheTransactions) implements Serializable {

    public ScoringSettings(long cardTtlMillis, int topAttended, int topContributions, int deadLetterMaxPayload) {
        this(cardTtlMillis, topAttended, topContributions, deadLetterMaxPayload, 0);
    }

    /** The history cache is used with RocksDB only (see {@code HistoryCache}). */
    public static ScoringSettings from(JobConfig config) {
        boolean rocksdb = "rocksdb".equalsIgnoreCase(config.asMap().getOrDefault("state.backend.type", "hashmap"));
        return new ScoringSettings(config.get(JobOptions.CARD_STATE_TTL).toMillis(),
                config.get(JobOptions.ALERT_TOP_ATTENDED), config.get(JobOptions.ALERT_TOP_CONTRIBUTIONS),
                config.get(JobOptions.DEAD_LETTER_MAX_PAYLOAD),
                rocksdb ? config.get(JobOptions.HISTORY_CACHE_TRANSACTIONS) : 0);
    }
}
