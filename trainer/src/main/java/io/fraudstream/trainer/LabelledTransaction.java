package io.fraudstream.trainer;

import io.fraudstream.features.RawTransaction;
import java.util.Objects;

/**
 * One transaction of a card with its ground truth, as the trainer sees it.
 *
 * @param cardId the card the transaction belongs to (the job's key)
 * @param tx the transaction as the extractor sees it; event time is a true UTC instant
 * @param fraud whether it was confirmed fraud
 * @param terminalId the terminal (or device) it was made on; null when unknown
 * @param labelReportedAt when the fraud label became known (UTC ms), or {@link #UNKNOWN_REPORT_TIME} when the
 *     source does not say (the trainer then assumes its configured label delay)
 */
public record LabelledTransaction(String cardId, RawTransaction tx, boolean fraud, String terminalId,
        long labelReportedAt) {
    public static final long UNKNOWN_REPORT_TIME = Long.MIN_VALUE;

    public LabelledTransaction {
        Objects.requireNonNull(cardId, "cardId");
        Objects.requireNonNull(tx, "tx");
    }

    /** Without terminal and report time. */
    public LabelledTransaction(String cardId, RawTransaction tx, boolean fraud) {
        this(cardId, tx, fraud, null, UNKNOWN_REPORT_TIME);
    }

    public long time() {
        return tx.eventTimeMillis();
    }
}
