package io.fraudstream.trainer;

import io.fraudstream.features.RawTransaction;
import java.util.Objects;

/**
 * One transaction of a card with its ground truth, as the trainer sees it.
 *
 * @param cardId the card the transaction belongs to (the job's key)
 * @param tx the transaction as the extractor sees it; event time is a true UTC instant
 * @param fraud whether it was confirmed fraud
 */
public record LabelledTransaction(String cardId, RawTransaction tx, boolean fraud) {
    public LabelledTransaction {
        Objects.requireNonNull(cardId, "cardId");
        Objects.requireNonNull(tx, "tx");
    }

    public long time() {
        return tx.eventTimeMillis();
    }
}
