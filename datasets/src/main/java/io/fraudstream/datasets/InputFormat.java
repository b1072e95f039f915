package io.fraudstream.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The input formats of historical transaction files (replay and trainer read them), and how to open each. */
public enum InputFormat {
    /** Sparkov/Kaggle CSV layout (generated or public with the leading index column); {@code .csv} or {@code .csv.gz}. */
    SPARKOV,
    /** Any CSV, through a column-mapping file. */
    CSV,
    /** Avro object container file of {@code Transaction} records. */
    AVRO;

    public static InputFormat parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be sparkov, csv or avro, was " + name);
        }
    }

    /** Settings a reader needs besides the file; {@code tokens} tokenizes card and account numbers ({@link CardTokens}). */
    public record Options(ColumnMapping mapping, String sparkovZone, Map<String, Boolean> labels, CardTokens tokens) {}

    public TransactionReader open(Path file, Options options) throws IOException {
        return switch (this) {
            case SPARKOV -> MappedCsvReader.open(file, ColumnMapping.sparkov(options.sparkovZone()), options.tokens());
            case CSV -> MappedCsvReader.open(file, options.mapping(), options.tokens());
            case AVRO -> AvroTransactionReader.open(file, options.labels(), options.tokens());
        };
    }
}
