package io.fraudstream.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.avro.Channel;
import io.fraudstream.avro.Transaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bank-style export with its own column names, order, delimiter, time format, zone and units. */
class MappedCsvReaderTest {

    @TempDir
    Path dir;

    private static final String MAPPING = """
            # a bank export: semicolons, Berlin wall time, amounts in cents
            delimiter = ;
            column.transaction-id = TxRef
            column.card-id = Karte
            column.event-time = Zeit
            event-time.format = dd.MM.yyyy HH:mm
            event-time.zone = Europe/Berlin
            column.amount = Betrag_Cent
            amount.unit = minor
            column.currency = Waehrung
            column.merchant = Haendler
            column.category = MCC
            column.channel = Kanal
            column.merchant-lat = H_Breite
            column.merchant-lon = H_Laenge
            column.label = Betrug
            label.fraud-values = ja
            label.genuine-values = nein
            country.default = DE
            """;


    @Test
    void readsOtherNamesOrderDelimiterTimeFormatAndUnitsAndIgnoresExtraColumns() throws IOException {
        Path mapping = dir.resolve("bank.properties");
        Files.writeString(mapping, MAPPING);
        Path csv = dir.resolve("export.csv");
        Files.writeString(csv, String.join("\n",
                "Betrug;Notiz;Zeit;Betrag_Cent;Karte;TxRef;Waehrung;Haendler;MCC;Kanal;H_Breite;H_Laenge",
                "nein;\"hello; world\";15.01.2024 09:30;1999;K-17;t1;EUR;Baeckerei Schmidt;5462;card_present;52.52;13.405",
                "ja;;15.07.2024 23:05;500000;K-17;t2;JPY;\"Shop \"\"X\"\"\";5732;online;;",
                "nein;;01.02.2024 00:00;42;K-18;t3;;;;;;",
                ""), StandardCharsets.UTF_8);

        List<LabelledTransaction> rows;
        try (TransactionReader reader = MappedCsvReader.open(csv, ColumnMapping.read(mapping), CardTokens.publicTestKey("test"))) {
            rows = reader.readAll();
            assertThat(reader.badRows().count()).isZero();
        }
        assertThat(rows).hasSize(3);

        Transaction t1 = rows.get(0).transaction();
        assertThat(t1.getTransactionId()).isEqualTo("t1");
        assertThat(t1.getCardId()).isEqualTo("K-17");
        assertThat(t1.getAccountId()).isEqualTo("K-17");
        assertThat(t1.getEventTime()).isEqualTo(Instant.parse("2024-01-15T08:30:00Z")); // CET = UTC+1
        assertThat(t1.getAmountMinor()).isEqualTo(1999);
        assertThat(t1.getCurrency()).isEqualTo("EUR");
        assertThat(t1.getMerchantId()).isEqualTo("Baeckerei Schmidt");
        assertThat(t1.getMerchantCategory()).isEqualTo("5462");
        assertThat(t1.getChannel()).isEqualTo(Channel.CARD_PRESENT);
        assertThat(t1.getMerchantLat()).isEqualTo(52.52);
        assertThat(t1.getHomeLat()).isNull();
        assertThat(t1.getCountry()).isEqualTo("DE");
        assertThat(rows.get(0).fraud()).isFalse();
        assertThat(rows.get(0).line()).isEqualTo(2);

        Transaction t2 = rows.get(1).transaction();
        assertThat(t2.getEventTime()).isEqualTo(Instant.parse("2024-07-15T21:05:00Z")); // CEST = UTC+2
        assertThat(t2.getCurrency()).isEqualTo("JPY");
        assertThat(t2.getMerchantId()).isEqualTo("Shop \"X\"");
        assertThat(t2.getChannel()).isEqualTo(Channel.ONLINE);
        assertThat(t2.getMerchantLat()).isNull();
        assertThat(rows.get(1).fraud()).isTrue();

        Transaction t3 = rows.get(2).transaction();
        assertThat(t3.getCurrency()).isEqualTo("USD");
        assertThat(t3.getMerchantId()).isEqualTo("unknown");
        assertThat(t3.getMerchantCategory()).isEqualTo("unknown");
    }

    @Test
    void badRowsAreReportedWithLineNumbersWithoutValuesAndReadingGoesOn() throws IOException {
        ColumnMapping mapping = ColumnMapping.of(Map.of("column.card-id", "card", "column.event-time", "time",
                "event-time.format", "iso", "column.amount", "amount", "column.label", "fraud"));
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, String.join("\r\n",
                "card,time,amount,fraud",
                "4111111111111111,2024-01-01T00:00:00Z,1.00,0",          // line 2: good, card tokenized
                "c1,2024-01-01T00:00:00Z,abc,0",                        // line 3: amount
                "c1,yesterday,1.00,0",                                  // line 4: time
                "c1,2024-01-01T00:00:00Z,1.00",                         // line 5: field count
                "c1,2024-01-01T00:00:00Z,1.00,maybe",                   // line 6: label
                "\"c\n2\",2024-01-01T10:00:00+02:00,2.50,1",            // lines 7-8: good, quoted line break
                ",2024-01-01T00:00:00Z,1.00,0",                         // line 9: empty card
                "c3,2024-01-01T00:00:00,3.00,"));                       // line 10: good, local time as UTC, no label
        List<LabelledTransaction> rows;
        BadRows bad;
        try (TransactionReader reader = MappedCsvReader.open(csv, mapping, CardTokens.publicTestKey("test"))) {
            rows = reader.readAll();
            bad = reader.badRows();
            assertThat(reader.rowsRead()).isEqualTo(8);
        }
        assertThat(rows).extracting(LabelledTransaction::line).containsExactly(2L, 7L, 10L);
        assertThat(rows.get(0).transaction().getCardId()).matches("card-[0-9a-f]{24}");
        assertThat(rows.get(0).transaction().getTransactionId()).isEqualTo("bad.csv:2");
        assertThat(rows.get(1).transaction().getEventTime()).isEqualTo(Instant.parse("2024-01-01T08:00:00Z"));
        assertThat(rows.get(1).transaction().getAmountMinor()).isEqualTo(250);
        assertThat(rows.get(2).fraud()).isNull();
        assertThat(bad.count()).isEqualTo(5);
        assertThat(bad.first()).extracting(BadRows.BadRow::line).containsExactly(3L, 4L, 5L, 6L, 9L);
        assertThat(bad.first().get(0).reason()).isEqualTo("amount: not a decimal number");
        assertThat(bad.first().get(2).reason()).isEqualTo("has 3 fields, the header has 4");
        assertThat(bad.first()).allSatisfy(b -> assertThat(b.reason()).doesNotContain("abc", "yesterday", "maybe"));
    }

    @Test
    void mappingErrorsNameTheKey() {
        assertThatThrownBy(() -> ColumnMapping.of(Map.of("column.card-id", "c", "column.event-time", "t",
                "column.amount", "a", "colum.label", "x")))
                .hasMessageContaining("unknown key 'colum.label'");
        assertThatThrownBy(() -> ColumnMapping.of(Map.of("column.card-id", "c", "column.amount", "a")))
                .hasMessageContaining("'column.event-time' is required");
        assertThatThrownBy(() -> ColumnMapping.of(Map.of("column.card-id", "c", "column.event-time", "t",
                "column.amount", "a", "event-time.zone", "Mars/Olympus")))
                .hasMessageContaining("event-time.zone").hasMessageContaining("Mars/Olympus");
    }

    @Test
    void aMissingRequiredColumnFailsAtOpenNamingIt() throws IOException {
        Path csv = dir.resolve("nocard.csv");
        Files.writeString(csv, "time,amount\n2024-01-01 00:00:00,1\n");
        ColumnMapping mapping = ColumnMapping.of(Map.of("column.card-id", "card", "column.event-time", "time",
                "column.amount", "amount"));
        assertThatThrownBy(() -> MappedCsvReader.open(csv, mapping, CardTokens.publicTestKey("test"))).hasMessageContaining("no column 'card'");
    }
}
