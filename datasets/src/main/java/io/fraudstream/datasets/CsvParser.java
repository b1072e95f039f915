package io.fraudstream.datasets;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A streaming RFC 4180 CSV parser: quoted fields may hold the delimiter, doubled quotes and line breaks;
 * CRLF and LF line ends; a UTF-8 byte-order mark is skipped. Tracks the line each record starts on, for
 * bad-row reports. Gzip files are decompressed (recognised by their magic bytes, not the name).
 */
public final class CsvParser implements Closeable {

    private final Reader in;
    private final char delimiter;
    private final StringBuilder field = new StringBuilder(64);
    private long line = 1;
    private long recordLine;
    private boolean eof;
    private boolean unterminatedQuote;

    public CsvParser(Reader in, char delimiter) {
        this.in = in instanceof BufferedReader ? in : new BufferedReader(in, 1 << 16);
        this.delimiter = delimiter;
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

    /** The next record's fields, or null at end of input. A blank line is an empty list. */
    public List<String> next() throws IOException {
        if (eof) {
            return null;
        }
        recordLine = line;
        unterminatedQuote = false;
        List<String> fields = new ArrayList<>();
        field.setLength(0);
        boolean quoted = false;
        boolean sawAny = false;
        while (true) {
            int c = in.read();
            if (c < 0) {
                eof = true;
                if (quoted) {
                    unterminatedQuote = true;
                }
                if (!sawAny) {
                    return null;
                }
                fields.add(field.toString());
                return fields;
            }
            sawAny = true;
            if (quoted) {
                if (c == '"') {
                    in.mark(1);
                    int d = in.read();
                    if (d == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        if (d >= 0) {
                            in.reset();
                        }
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append((char) c);
                }
            } else if (c == delimiter) {
                fields.add(field.toString());
                field.setLength(0);
            } else if (c == '\n' || c == '\r') {
                if (c == '\r') {
                    in.mark(1);
                    if (in.read() != '\n') {
                        in.reset();
                    }
                }
                line++;
                if (fields.isEmpty() && field.length() == 0) {
                    return fields;
                }
                fields.add(field.toString());
                return fields;
            } else if (c == '"' && field.length() == 0) {
                quoted = true;
            } else if (c == '\uFEFF' && recordLine == 1 && fields.isEmpty() && field.length() == 0) {
                // byte-order mark at the start of the file
            } else {
                field.append((char) c);
            }
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
