package io.fraudstream.job.validation;

import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import java.io.Serializable;

/** The limits a transaction must respect to be scored, and what a dead letter keeps of one that does not. */
public record ValidationRules(long maxEventAgeMillis, long maxEventLeadMillis, long maxAmountMinor,
        int deadLetterMaxPayload, DeadLetterPayload deadLetterPayload) implements Serializable {

    /** Longest id or name the job accepts; longer strings are hostile or broken. */
    public static final int MAX_TEXT_LENGTH = io.fraudstream.model.scoring.WireTransactions.MAX_TEXT_LENGTH;

    /** Dead letters keep the first {@code deadLetterMaxPayload} bytes (the default {@code dead-letter.payload}). */
    public ValidationRules(long maxEventAgeMillis, long maxEventLeadMillis, long maxAmountMinor, int deadLetterMaxPayload) {
        this(maxEventAgeMillis, maxEventLeadMillis, maxAmountMinor, deadLetterMaxPayload, DeadLetterPayload.TRUNCATED);
    }

    public static ValidationRules from(JobConfig config) {
        return new ValidationRules(config.get(JobOptions.MAX_EVENT_AGE).toMillis(),
                config.get(JobOptions.MAX_EVENT_LEAD).toMillis(), config.get(JobOptions.MAX_AMOUNT_MINOR),
                config.get(JobOptions.DEAD_LETTER_MAX_PAYLOAD), config.get(JobOptions.DEAD_LETTER_PAYLOAD));
    }

    public DeadLetterPolicy deadLetters() {
        return new DeadLetterPolicy(deadLetterPayload, deadLetterMaxPayload);
    }
}
