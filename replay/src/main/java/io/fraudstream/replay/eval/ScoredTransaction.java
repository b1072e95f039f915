package io.fraudstream.replay.eval;

/**
 * One row of a score file: a scored transaction joined with its label.
 *
 * @param fraud true/false, or null when the transaction has no label
 */
public record ScoredTransaction(String transactionId, String cardId, long eventTimeMillis, double score, Boolean fraud) {}
