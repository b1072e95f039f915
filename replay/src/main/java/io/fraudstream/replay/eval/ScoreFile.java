package io.fraudstream.replay.eval;

import io.fraudstream.datasets.BadRows;
import io.fraudstream.datasets.CsvParser;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The score file of a bounded run: CSV with header {@code transaction_id,card_id,event_time,score,label}, one
 * row per scored transaction in scoring order. {@code event_time} is ISO-8601 UTC, {@code score} the shortest
 * decimal that reads back as the same double ({@link Double#toString}), {@code label} 1, 0 or empty. Nothing
 * run-dependent (wall-clock times, latencies) is in the file, so the same input and model give the same bytes.
 */
public final class ScoreFile {

    public static final String HEADER = "transaction_id,card_id,event_time,score,label";

    private ScoreFile() {}

    public static void write(Path file, List<ScoredTransaction> rows) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
            w.write(HEADER);
            w.write('\n');
            StringBuilder line = new StringBuilder(128);
            for (ScoredTransaction r : rows) {
                line.setLength(0);
                field(line, r.transactionId()).append(',');
                field(line, r.cardId()).append(',');
                line.append(Instant.ofEpochMilli(r.eventTimeMillis())).append(',');
                line.append(r.score()).append(',');
                line.append(r.fraud() == null ? "" : r.fraud() ? "1" : "0").append('\n');
                w.append(line);
            }
        }
    }

    private static StringBuilder field(StringBuilder line, String value) {
        if (value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            return line.append('"').append(value.replace("\"", "\"\"")).append('"');
        }
        return line.append(value);
    }

    /** Reads a score file; malformed rows are reported in {@code badRows} and skipped. */
    public static List<ScoredTransaction> read(Path file, BadRows badRows) throws IOException {
        List<ScoredTransaction> rows = new ArrayList<>();
        try (CsvParser csv = CsvParser.open(file, ',')) {
            List<String> header = csv.next();
            if (header == null || !String.join(",", header).equals(HEADER)) {
                throw new IOException(file + ": not a score file (expected header " + HEADER + ")");
            }
            List<String> r;
            while ((r = csv.next()) != null) {
                if (r.isEmpty()) {
                    continue;
                }
                if (r.size() != 5) {
                    badRows.add(csv.recordLine(), "has " + r.size() + " fields, expected 5");
                    continue;
                }
                try {
                    double score = Double.parseDouble(r.get(3));
                    if (!(score >= 0 && score <= 1)) {
                        badRows.add(csv.recordLine(), "score: not in [0, 1]");
                        continue;
                    }
                    Boolean label = switch (r.get(4)) {
                        case "" -> null;
                        case "1" -> Boolean.TRUE;
                        case "0" -> Boolean.FALSE;
                        default -> throw new IllegalArgumentException("label");
                    };
                    rows.add(new ScoredTransaction(r.get(0), r.get(1), Instant.parse(r.get(2)).toEpochMilli(), score,
                            label));
                } catch (NumberFormatException e) {
                    badRows.add(csv.recordLine(), "score: not a number");
                } catch (DateTimeParseException e) {
                    badRows.add(csv.recordLine(), "event_time: not an ISO-8601 instant");
                } catch (IllegalArgumentException e) {
                    badRows.add(csv.recordLine(), "label: not 1, 0 or empty");
                }
            }
        }
        return rows;
    }
}
