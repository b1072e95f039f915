package io.fraudstream.trainer;

import io.fraudstream.avro.Transaction;
import io.fraudstream.datasets.BadRows;
import io.fraudstream.datasets.CardTokens;
import io.fraudstream.datasets.CsvParser;
import io.fraudstream.datasets.EventTimeRule;
import io.fraudstream.datasets.InputFormat;
import io.fraudstream.datasets.TransactionReader;
import io.fraudstream.model.scoring.WireTransactions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Labelled history from a file in the public "Sparkov" CSV layout (Kaggle fraudTrain/fraudTest), plain or gzip,
 * read with the shared reader of the {@code datasets} module ({@link InputFormat#SPARKOV}: header-based, columns in
 * any order, extra columns ignored, RFC 4180 quoting, local wall time to UTC by the
 * {@value EventTimeRule#HOME_LONGITUDE} rule, card numbers tokenized). The trainer is stricter than replay: every
 * column it learns from must be in the header, and any bad row fails the read (replay skips and reports them).
 *
 * <p>Card ids are the tokens of {@code cc_num} under the card-token key ({@link CardTokens}: the same function and key
 * as replay and the producers of {@code transactions}, so a card has one token everywhere; cards are ordered by id).
 * Without a key, a file whose cards are already tokens reads; one with card numbers is refused, saying how to supply
 * the key. Records map to the extractor's input by the job's own mapping and rules ({@link WireTransactions}); amounts
 * come back in dollars exactly as written (minor units divided by 100, the double nearest the decimal).
 */
public final class SparkovData {
    static final String[] REQUIRED = {
        "trans_date_trans_time", "cc_num", "merchant", "category", "amt", "lat", "long", "trans_num", "merch_lat",
        "merch_long", "is_fraud",
    };
    private SparkovData() {}

    /** Reads a file with card numbers tokenized by {@code tokens}; gzip is recognised by its magic bytes, not the name. */
    public static LabelledData read(Path file, CardTokens tokens) throws IOException {
        String source = "sparkov csv " + file.getFileName();
        requireColumns(file, source);
        List<LabelledTransaction> out = new ArrayList<>();
        WireTransactions wire = new WireTransactions();
        try (TransactionReader reader = InputFormat.SPARKOV.open(file,
                new InputFormat.Options(null, EventTimeRule.HOME_LONGITUDE, null, tokens))) {
            io.fraudstream.datasets.LabelledTransaction row;
            while ((row = reader.next()) != null) {
                failOnBadRows(reader.badRows(), source);
                if (row.fraud() == null) {
                    throw new IOException(source + " line " + row.line() + ": is_fraud is empty");
                }
                Transaction tx = row.transaction();
                // The cardholder's home anchors local time and distances; a merchant may have no place (online
                // purchases in the simulator's files leave merch_lat/merch_long empty: distance features are off).
                if (tx.getHomeLat() == null || tx.getHomeLon() == null) {
                    throw new IOException(source + " line " + row.line() + ": lat and long must not be empty");
                }
                // The job's rules (WireTransactions): the trainer learns from no record the job would refuse.
                WireTransactions.Problem problem = wire.check(tx, WireTransactions.DEFAULT_MAX_AMOUNT_MINOR);
                if (problem != null) {
                    throw new IOException(source + " line " + row.line() + ": " + problem.message());
                }
                out.add(new LabelledTransaction(tx.getCardId(), wire.toRaw(tx), row.fraud(), tx.getTerminalId(),
                        LabelledTransaction.UNKNOWN_REPORT_TIME));
            }
            failOnBadRows(reader.badRows(), source);
        }
        return LabelledData.of(source, out);
    }

    private static void requireColumns(Path file, String source) throws IOException {
        List<String> header;
        try (CsvParser csv = CsvParser.open(file, ',')) {
            header = csv.next();
        }
        if (header == null || header.isEmpty()) {
            throw new IOException(source + ": empty file, expected a Sparkov header line");
        }
        Set<String> names = new HashSet<>();
        for (String h : header) {
            names.add(h.trim().toLowerCase(Locale.ROOT));
        }
        List<String> missing = new ArrayList<>();
        for (String r : REQUIRED) {
            if (!names.contains(r)) {
                missing.add(r);
            }
        }
        if (!missing.isEmpty()) {
            throw new IOException(source + ": missing Sparkov column(s) " + missing + " in header " + header);
        }
    }

    private static void failOnBadRows(BadRows bad, String source) throws IOException {
        if (bad.count() > 0) {
            BadRows.BadRow first = bad.first().get(0);
            throw new IOException(source + " line " + first.line() + ": " + first.reason());
        }
    }
}
