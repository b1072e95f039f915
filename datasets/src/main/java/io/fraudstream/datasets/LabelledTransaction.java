package io.fraudstream.datasets;

import io.fraudstream.avro.Transaction;

/**
 * One historical transaction as read from a file, with its ground-truth label and where it came from.
 *
 * @param transaction the transaction in the project's schema (card and account ids already tokenized)
 * @param fraud       true/false when the input carries a label, null when it does not
 * @param line        1-based line (CSV: the line the record starts on, header = line 1) or record number (Avro)
 */
public record LabelledTransaction(Transaction transaction, Boolean fraud, long line) {}
