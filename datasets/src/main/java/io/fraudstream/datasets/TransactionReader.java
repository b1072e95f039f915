package io.fraudstream.datasets;

import java.io.Closeable;
import java.io.IOException;

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
}
