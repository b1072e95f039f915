package io.fraudstream.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Labels kept apart from the transactions: a CSV with a header naming a {@code transaction_id} column and a
 * {@code label} (or {@code is_fraud}) column; values as in {@link ColumnMapping} (1/0, true/false,
 * fraud/genuine, ...). Bad rows are reported, not fatal. Labels from a later row override earlier ones
 * (a chargeback file may correct itself).
 */
public final class LabelFile {

    private LabelFile() {}

    public static Map<String, Boolean> read(Path file, BadRows badRows) throws IOException {
        ColumnMapping values = ColumnMapping.of(Map.of("column.card-id", "-", "column.event-time", "-",
                "column.amount", "-"));
        Map<String, Boolean> labels = new HashMap<>();
        try (CsvParser csv = CsvParser.open(file, ',')) {
            List<String> header = csv.next();
            int id = -1;
            int label = -1;
            for (int i = 0; header != null && i < header.size(); i++) {
                String h = header.get(i).trim().toLowerCase(Locale.ROOT);
                if (h.equals("transaction_id")) {
                    id = i;
                } else if (h.equals("label") || h.equals("is_fraud")) {
                    label = i;
                }
            }
            if (id < 0 || label < 0) {
                throw new IOException(file + ": a label file needs columns transaction_id and label (or is_fraud)");
            }
            List<String> row;
            while ((row = csv.next()) != null) {
                if (row.isEmpty()) {
                    continue;
                }
                if (row.size() <= Math.max(id, label)) {
                    badRows.add(csv.recordLine(), "too few fields");
                    continue;
                }
                Boolean fraud = values.label(row.get(label));
                String tx = row.get(id).trim();
                if (fraud == null || tx.isEmpty()) {
                    badRows.add(csv.recordLine(), fraud == null ? "label: neither a fraud nor a genuine value"
                            : "transaction_id: empty");
                    continue;
                }
                labels.put(tx, fraud);
            }
        }
        return labels;
    }
}
