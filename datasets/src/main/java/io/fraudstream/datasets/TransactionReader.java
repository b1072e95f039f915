package io.fraudstream.datasets;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Historical transactions from a file, in file order. Bad rows are skipped and recorded in
 * {@link #badRows()}; only an unreadable file (I/O error, missing required column) throws.
 */
public interface TransactionReader extends Closeable {

    /** The next good transaction, or null at the end of the input. */
    LabelledTransaction next() throws IOException;

    /** Rows skipped so far, with line numbers and reasons. */
    BadRows badRows();

    /** Data rows seen so far, good and bad (not counting a header). */
    long rowsRead();

    /** Every remaining good transaction, in file order (for small inputs: tests, samples). */
    default List<LabelledTransaction> readAll() throws IOException {
        List<LabelledTransaction> out = new ArrayList<>();
        for (LabelledTransaction t = next(); t != null; t = next()) {
            out.add(t);
        }
        return out;
    }
}
