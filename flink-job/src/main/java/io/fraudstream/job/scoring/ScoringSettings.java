package io.fraudstream.job.scoring;

import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import java.io.Serializable;

/** What the scoring function needs from the configuration. */
public record ScoringSettings(long cardTtlMillis, int topAttended, int topContributions, int deadLetterMaxPayload)
        implements Serializable {

    public static ScoringSettings from(JobConfig config) {
        return new ScoringSettings(config.get(JobOptions.CARD_STATE_TTL).toMillis(),
                config.get(JobOptions.ALERT_TOP_ATTENDED), config.get(JobOptions.ALERT_TOP_CONTRIBUTIONS),
                config.get(JobOptions.DEAD_LETTER_MAX_PAYLOAD));
    }
}
