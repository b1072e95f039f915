package io.fraudstream.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The guarantees bad-row reports rely on, over Commons CSV: start lines, blank lines, BOM, unterminated quotes. */
class CsvParserTest {

    private record Row(long line, List<String> fields, boolean unterminated) {}

    private static List<Row> parse(String text, char delimiter) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (CsvParser csv = new CsvParser(new StringReader(text), delimiter)) {
            for (List<String> r = csv.next(); r != null; r = csv.next()) {
                rows.add(new Row(csv.recordLine(), r, csv.unterminatedQuote()));
            }
        }
        return rows;
    }

    @Test
    void recordsKnowTheLineTheyStartOnAcrossQuotedLineBreaksAndBlankLines() throws IOException {
        List<Row> rows = parse("\uFEFFa,b\r\n\"x\ny\",\"say \"\"hi\"\"\"\r\n\r\nc,\"d,e\"\nlast,", ',');
        assertThat(rows).containsExactly(
                new Row(1, List.of("a", "b"), false),
                new Row(2, List.of("x\ny", "say \"hi\""), false),
                new Row(4, List.of(), false),
                new Row(5, List.of("c", "d,e"), false),
                new Row(6, List.of("last", ""), false));
    }

    @Test
    void anUnterminatedQuoteAtTheEndIsAFlaggedRecordNotAnException() throws IOException {
        List<Row> rows = parse("a;b\n1;\"open\n2;3\n", ';');
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).isEqualTo(new Row(1, List.of("a", "b"), false));
        assertThat(rows.get(1).line()).isEqualTo(2);
        assertThat(rows.get(1).unterminated()).isTrue();
    }
}
