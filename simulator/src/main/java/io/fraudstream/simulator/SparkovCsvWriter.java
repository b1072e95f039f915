package io.fraudstream.simulator;

import io.fraudstream.avro.Transaction;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * Writes simulated transactions in the Sparkov CSV layout of {@code shared/data} (same header, same
 * column order), gzip-compressed when the file name ends in {@code .gz}.
 *
 * <p>Column mapping: {@code cc_num} holds the card token ({@code card-000123}; this project never
 * writes card numbers), {@code acct_num} the account token, {@code merchant} the merchant's display
 * name, {@code trans_num} the transaction id. {@code merch_lat}/{@code merch_long} are empty for online merchants (Sparkov
 * invents coordinates for them; we do not). Fields are quoted per RFC 4180 when they contain a comma,
 * quote or line break.
 *
 * <p>Time, as in the Sparkov files: {@code trans_date_trans_time} is the cardholder's <em>local</em> wall-clock
 * time (local solar time at the home longitude, {@link SolarTime#toLocal}), and {@code unix_time} is that same
 * wall-clock time read as if it were UTC (in {@code shared/data/sparkov-100cards-2019-2020.csv.gz},
 * {@code unix_time} equals {@code trans_date_trans_time} read as UTC on every row). Neither is the event
 * instant; a reader recovers it with {@link SolarTime#toInstant(java.time.LocalDateTime, Double)} and the
 * {@code long} column (docs/TIME.md).
 */
public final class SparkovCsvWriter implements AutoCloseable {

    /** The header of {@code shared/data/sparkov-100cards-2019-2020.csv.gz}. */
    public static final List<String> HEADER = List.of(
            "trans_date_trans_time", "cc_num", "merchant", "category", "amt", "first", "last", "gender", "street",
            "city", "state", "zip", "lat", "long", "city_pop", "job", "dob", "trans_num", "unix_time", "merch_lat",
            "merch_long", "is_fraud", "acct_num", "profile");

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    private final Writer out;
    private final Simulator simulator;
    private final StringBuilder line = new StringBuilder(256);
    private long rows;

    /** Writes the header at once. The writer is closed with this one. */
    public SparkovCsvWriter(Writer out, Simulator simulator) {
        this.out = out;
        this.simulator = simulator;
        for (int i = 0; i < HEADER.size(); i++) {
            if (i > 0) {
                line.append(',');
            }
            line.append(HEADER.get(i));
        }
        flushLine();
    }

    /** Creates (or replaces) {@code file}; gzip if its name ends in {@code .gz}. */
    public static SparkovCsvWriter open(Path file, Simulator simulator) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        OutputStream stream = Files.newOutputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) {
            stream = new GZIPOutputStream(stream, 1 << 16);
        }
        return new SparkovCsvWriter(new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16),
                simulator);
    }

    /** Writes one row. The transaction's card and merchant must come from this writer's simulator. */
    public void write(SimulatedTransaction t) {
        Transaction tx = t.tx();
        Cardholder h = simulator.cardholder(tx.getCardId());
        Merchant m = simulator.merchant(tx.getMerchantId());
        LocalDateTime local = SolarTime.toLocal(tx.getEventTime(), tx.getHomeLon());
        field(TIME.format(local));
        field(tx.getCardId());
        field(m.name());
        field(tx.getMerchantCategory());
        field(amount(tx.getAmountMinor()));
        field(h.firstName());
        field(h.lastName());
        field(h.gender());
        field(h.street());
        field(h.city());
        field(h.state());
        field(h.zip());
        field(plain(h.homeLat()));
        field(plain(h.homeLon()));
        field(Integer.toString(h.cityPopulation()));
        field(h.job());
        field(h.dateOfBirth().toString());
        field(tx.getTransactionId());
        field(Long.toString(local.toEpochSecond(ZoneOffset.UTC)));
        field(tx.getMerchantLat() == null ? "" : plain(tx.getMerchantLat()));
        field(tx.getMerchantLon() == null ? "" : plain(tx.getMerchantLon()));
        field(t.fraud() ? "1" : "0");
        field(tx.getAccountId());
        field(h.profile());
        line.setLength(line.length() - 1); // the last field's comma
        flushLine();
        rows++;
    }

    /** Writes every transaction; returns how many. */
    public long writeAll(Iterator<SimulatedTransaction> transactions) {
        long n = 0;
        while (transactions.hasNext()) {
            write(transactions.next());
            n++;
        }
        return n;
    }

    public long rows() {
        return rows;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** Minor units to dollars with two decimals, exactly. */
    static String amount(long minor) {
        long abs = Math.abs(minor);
        long cents = abs % 100;
        return (minor < 0 ? "-" : "") + abs / 100 + (cents < 10 ? ".0" : ".") + cents;
    }

    private static String plain(double v) {
        return BigDecimal.valueOf(v).toPlainString();
    }

    private void field(String value) {
        boolean quote = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r') {
                quote = true;
                break;
            }
        }
        if (quote) {
            line.append('"').append(value.replace("\"", "\"\"")).append('"');
        } else {
            line.append(value);
        }
        line.append(',');
    }

    private void flushLine() {
        line.append('\n');
        try {
            out.append(line);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Sparkov CSV: " + e.getMessage(), e);
        }
        line.setLength(0);
    }
}
