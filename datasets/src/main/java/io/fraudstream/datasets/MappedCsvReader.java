package io.fraudstream.datasets;

import io.fraudstream.avro.Channel;
import io.fraudstream.avro.Transaction;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a CSV file through a {@link ColumnMapping}: header-based, any column order, unmapped columns ignored,
 * gzip recognised by its magic bytes. Card and account ids made of digits are replaced by tokens
 * ({@link CardTokens}) before the transaction is built. A row that cannot be converted is skipped and
 * reported with its line number ({@link BadRows}); a missing required column fails at open.
 *
 * <p>Amounts: decimal major units (dollars) are converted to minor units with the currency's ISO 4217
 * fraction digits, rounding half-even; {@code amount.unit=minor} reads integer minor units.
 * A row without transaction id gets {@code <file name>:<line>}.
 */
public final class MappedCsvReader implements TransactionReader {

    private final CsvParser csv;
    private final ColumnMapping mapping;
    private final CardTokens tokens;
    private final BadRows badRows = new BadRows();
    private final String fileName;
    private final int width;
    private final int transactionId;
    private final int cardId;
    private final int accountId;
    private final int eventTime;
    private final int amount;
    private final int currency;
    private final int merchant;
    private final int category;
    private final int channel;
    private final int merchantLat;
    private final int merchantLon;
    private final int homeLat;
    private final int homeLon;
    private final int country;
    private final int terminalId;
    private final int label;
    private final String onlineSuffix;
    private final Map<String, Integer> fractionDigits = new HashMap<>();
    private long rows;

    private MappedCsvReader(CsvParser csv, ColumnMapping mapping, CardTokens tokens, String fileName) throws IOException {
        this.csv = csv;
        this.mapping = mapping;
        this.tokens = tokens;
        this.fileName = fileName;
        List<String> header = csv.next();
        if (header == null || header.isEmpty()) {
            throw new IOException(fileName + ": empty file, expected a header line");
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            index.putIfAbsent(header.get(i).trim().toLowerCase(Locale.ROOT), i);
        }
        this.width = header.size();
        this.transactionId = find(index, "column.transaction-id");
        this.cardId = find(index, "column.card-id");
        this.accountId = find(index, "column.account-id");
        this.eventTime = find(index, "column.event-time");
        this.amount = find(index, "column.amount");
        this.currency = find(index, "column.currency");
        this.merchant = find(index, "column.merchant");
        this.category = find(index, "column.category");
        this.channel = find(index, "column.channel");
        this.merchantLat = find(index, "column.merchant-lat");
        this.merchantLon = find(index, "column.merchant-lon");
        this.homeLat = find(index, "column.home-lat");
        this.homeLon = find(index, "column.home-lon");
        this.country = find(index, "column.country");
        this.terminalId = find(index, "column.terminal-id");
        this.label = find(index, "column.label");
        for (String required : new String[] {"column.card-id", "column.event-time", "column.amount"}) {
            if (find(index, required) < 0) {
                throw new IOException(fileName + ": no column '" + mapping.column(required) + "' (mapped by '"
                        + required + "') in the header");
            }
        }
        if (mapping.timeRule().needsHomeLongitude() && homeLon < 0) {
            throw new IOException(fileName + ": the " + EventTimeRule.HOME_LONGITUDE + " time rule needs column '"
                    + mapping.column("column.home-lon") + "', which the header lacks");
        }
        String suffix = mapping.get("channel.online-category-suffix");
        this.onlineSuffix = suffix.isEmpty() ? null : suffix;
    }

    /** Opens {@code file} and reads its header. */
    public static MappedCsvReader open(Path file, ColumnMapping mapping, CardTokens tokens) throws IOException {
        CsvParser csv = CsvParser.open(file, mapping.delimiter());
        try {
            return new MappedCsvReader(csv, mapping, tokens, file.getFileName().toString());
        } catch (IOException | RuntimeException e) {
            csv.close();
            throw e;
        }
    }

    /**
     * Absent from the header is allowed for optional columns (the mapping's default applies); -1 then.
     * A Sparkov file without {@code acct_num} (the public layout) is the common case.
     */
    private int find(Map<String, Integer> index, String key) {
        String column = mapping.column(key);
        if (column == null) {
            return -1;
        }
        Integer i = index.get(column.trim().toLowerCase(Locale.ROOT));
        return i == null ? -1 : i;
    }

    @Override
    public LabelledTransaction next() throws IOException {
        while (true) {
            List<String> row = csv.next();
            if (row == null) {
                return null;
            }
            if (row.isEmpty()) {
                continue; // blank line
            }
            rows++;
            long line = csv.recordLine();
            if (csv.unterminatedQuote()) {
                badRows.add(line, "unterminated quoted field at end of file");
                continue;
            }
            if (row.size() != width) {
                badRows.add(line, "has " + row.size() + " fields, the header has " + width);
                continue;
            }
            try {
                return convert(row, line);
            } catch (BadField e) {
                badRows.add(line, e.getMessage());
            }
        }
    }

    /** A field that cannot be converted; the message names the column, never the value. */
    private static final class BadField extends Exception {
        private static final long serialVersionUID = 1L;

        BadField(String message) {
            super(message, null, false, false);
        }
    }

    private String column(String key) {
        return mapping.column(key);
    }

    private static String field(List<String> row, int i) {
        return i < 0 ? "" : row.get(i).trim();
    }

    private String required(List<String> row, int i, String key) throws BadField {
        String v = field(row, i);
        if (v.isEmpty()) {
            throw new BadField(column(key) + ": empty");
        }
        return v;
    }

    private Double coordinate(List<String> row, int i, String key) throws BadField {
        String v = field(row, i);
        if (v.isEmpty()) {
            return null;
        }
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new BadField(column(key) + ": not a finite number");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new BadField(column(key) + ": not a number");
        }
    }

    private LabelledTransaction convert(List<String> row, long line) throws BadField {
        String card = tokens.tokenize(required(row, cardId, "column.card-id"), "card-");
        String account = field(row, accountId);
        account = account.isEmpty() ? card : tokens.tokenize(account, "acct-");
        String id = field(row, transactionId);
        if (id.isEmpty()) {
            id = fileName + ":" + line;
        }

        String currencyCode = field(row, currency);
        if (currencyCode.isEmpty()) {
            currencyCode = mapping.get("currency.default");
        }
        long amountMinor = amountMinor(required(row, amount, "column.amount"), currencyCode);

        Double hLat = coordinate(row, homeLat, "column.home-lat");
        Double hLon = coordinate(row, homeLon, "column.home-lon");
        Double mLat = coordinate(row, merchantLat, "column.merchant-lat");
        Double mLon = coordinate(row, merchantLon, "column.merchant-lon");
        long time;
        try {
            time = mapping.timeRule().toEpochMillis(required(row, eventTime, "column.event-time"), hLon);
        } catch (IllegalArgumentException e) {
            throw new BadField(column("column.event-time") + ": " + e.getMessage());
        }

        String merchantId = orDefault(field(row, merchant), "merchant.default");
        String categoryName = orDefault(field(row, category), "category.default");
        Channel ch = mapping.defaultChannel();
        String chValue = field(row, channel);
        if (!chValue.isEmpty()) {
            try {
                ch = Channel.valueOf(chValue.toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_'));
            } catch (IllegalArgumentException e) {
                ch = Channel.OTHER;
            }
        } else if (onlineSuffix != null && categoryName.endsWith(onlineSuffix)) {
            ch = Channel.ONLINE;
        }

        Boolean fraud = null;
        if (label >= 0) {
            String v = field(row, label);
            if (!v.isEmpty()) {
                fraud = mapping.label(v);
                if (fraud == null) {
                    throw new BadField(column("column.label") + ": neither a fraud nor a genuine value");
                }
            }
        }

        String terminal = field(row, terminalId);
        Transaction tx = Transaction.newBuilder()
                .setTransactionId(id)
                .setCardId(card)
                .setAccountId(account)
                .setEventTime(Instant.ofEpochMilli(time))
                .setAmountMinor(amountMinor)
                .setCurrency(currencyCode)
                .setMerchantId(merchantId)
                .setMerchantCategory(categoryName)
                .setChannel(ch)
                .setMerchantLat(mLat)
                .setMerchantLon(mLon)
                .setHomeLat(hLat)
                .setHomeLon(hLon)
                .setCountry(orDefault(field(row, country), "country.default"))
                .setTerminalId(terminal.isEmpty() ? null : terminal)
                .build();
        return new LabelledTransaction(tx, fraud, line);
    }

    private String orDefault(String value, String defaultKey) {
        return value.isEmpty() ? mapping.get(defaultKey) : value;
    }

    private long amountMinor(String value, String currencyCode) throws BadField {
        BigDecimal v;
        try {
            v = new BigDecimal(value);
        } catch (NumberFormatException e) {
            throw new BadField(column("column.amount") + ": not a decimal number");
        }
        if (mapping.amountInMinorUnits()) {
            try {
                return v.longValueExact();
            } catch (ArithmeticException e) {
                throw new BadField(column("column.amount") + ": not an integer amount in minor units");
            }
        }
        Integer digits = fractionDigits.get(currencyCode);
        if (digits == null) {
            try {
                digits = Math.max(0, Currency.getInstance(currencyCode).getDefaultFractionDigits());
            } catch (IllegalArgumentException e) {
                throw new BadField("currency: not an ISO 4217 code");
            }
            if (fractionDigits.size() < 1000) {
                fractionDigits.put(currencyCode, digits);
            }
        }
        try {
            return v.movePointRight(digits).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
        } catch (ArithmeticException e) {
            throw new BadField(column("column.amount") + ": out of range");
        }
    }

    @Override
    public BadRows badRows() {
        return badRows;
    }

    @Override
    public long rowsRead() {
        return rows;
    }

    @Override
    public void close() throws IOException {
        csv.close();
    }
}
