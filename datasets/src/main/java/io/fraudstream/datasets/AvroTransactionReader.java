package io.fraudstream.datasets;

import io.fraudstream.avro.Transaction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Reads an Avro object container file ({@code .avro}) of {@link Transaction} records: the writer schema is in
 * the file's header and is resolved into the current {@code Transaction} schema (any released version that
 * is compatible reads). Labels are not part of {@code Transaction}; pass them separately
 * ({@link LabelFile}). A record that fails to decode is reported as a bad row (its record number) and
 * the rest of that block is skipped, since container blocks cannot be resynchronised record by record.
 * Ids that are all digits are tokenized as in the CSV readers.
 */
public final class AvroTransactionReader implements TransactionReader {

    private final DataFileReader<Transaction> file;
    private final Map<String, Boolean> labels;
    private final CardTokens tokens;
    private final BadRows badRows = new BadRows();
    private long records;

    private AvroTransactionReader(DataFileReader<Transaction> file, Map<String, Boolean> labels, CardTokens tokens) {
        this.file = file;
        this.labels = labels;
        this.tokens = tokens;
    }

    /** {@code labels} maps transaction id to label; null or empty when there are none. */
    public static AvroTransactionReader open(Path path, Map<String, Boolean> labels, CardTokens tokens)
            throws IOException {
        DataFileReader<Transaction> file = new DataFileReader<>(path.toFile(),
                new SpecificDatumReader<>(Transaction.class));
        return new AvroTransactionReader(file, labels == null ? Map.of() : labels, tokens);
    }

    @Override
    public LabelledTransaction next() throws IOException {
        while (file.hasNext()) {
            records++;
            Transaction tx;
            try {
                tx = file.next();
            } catch (AvroRuntimeException e) {
                badRows.add(records, "undecodable Avro record (" + e.getClass().getSimpleName() + ")");
                continue;
            }
            if (tx.getCardId() != null) {
                tx.setCardId(tokens.tokenize(tx.getCardId(), "card-"));
            }
            if (tx.getAccountId() != null) {
                tx.setAccountId(tokens.tokenize(tx.getAccountId(), "acct-"));
            }
            return new LabelledTransaction(tx, labels.get(tx.getTransactionId()), records);
        }
        return null;
    }

    @Override
    public BadRows badRows() {
        return badRows;
    }

    @Override
    public long rowsRead() {
        return records;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
