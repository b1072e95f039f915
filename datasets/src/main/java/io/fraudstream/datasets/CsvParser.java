package io.fraudstream.datasets;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * RFC 4180 CSV records (Commons CSV): quoted fields may hold the delimiter, doubled quotes and line breaks; CRLF and
 * LF line ends; a UTF-8 byte-order mark is skipped. Adds what bad-row reports need: the line each record starts on,
 * blank lines as empty records, and an unterminated quote at the end of the file as a flagged record instead of an
 * exception. Gzip files are decompressed (recognised by their magic bytes, not the name).
 */
public final class CsvParser implements Closeable {

    private final org.apache.commons.csv.CSVParser parser;
    private final Iterator<CSVRecord> records;
    private long recordLine;
    private boolean eof;
    private boolean unterminatedQuote;

    public CsvParser(Reader in, char delimiter) throws IOException {
        PushbackReader reader = new PushbackReader(in instanceof BufferedReader ? in : new BufferedReader(in, 1 << 16));
        int first = reader.read();
        if (first >= 0 && first != '\uFEFF') {
            reader.unread(first); // anything but a byte-order mark is data
        }
        this.parser = CSVFormat.RFC4180.builder().setDelimiter(delimiter).setIgnoreEmptyLines(false).get()
                .parse(reader);
        this.records = parser.iterator();
    }

    /** Opens {@code file} as UTF-8, gunzipping when it starts with the gzip magic bytes (whatever its name). */
    public static CsvParser open(Path file, char delimiter) throws IOException {
        InputStream stream = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        stream.mark(2);
        int b0 = stream.read();
        int b1 = stream.read();
        stream.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            stream = new GZIPInputStream(stream, 1 << 16);
        }
        return new CsvParser(new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8), 1 << 16),
                delimiter);
    }

    /** The 1-based line on which the record last returned by {@link #next} starts. */
    public long recordLine() {
        return recordLine;
    }

    /** True if the last record ended inside a quoted field (end of file before the closing quote). */
    public boolean unterminatedQuote() {
        return unterminatedQuote;
    }

    /**
     * The next record's fields, or null at end of input. A blank line is an empty list; an unterminated quoted field
     * at the end of the file is a one-field record with {@link #unterminatedQuote()} set.
     */
    public List<String> next() throws IOException {
        if (eof) {
            return null;
        }
        // Commons CSV counts the line breaks it has consumed, the previous record's terminator included.
        recordLine = parser.getCurrentLineNumber() + 1;
        try {
            if (!records.hasNext()) {
                eof = true;
                return null;
            }
            CSVRecord record = records.next();
            if (record.size() == 1 && record.get(0).isEmpty()) {
                return List.of();
            }
            return record.toList();
        } catch (UncheckedIOException e) {
            String message = String.valueOf(e.getCause().getMessage());
            if (message.contains("EOF reached before encapsulated token finished")) {
                eof = true;
                unterminatedQuote = true;
                return List.of("");
            }
            throw e.getCause();
        }
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
