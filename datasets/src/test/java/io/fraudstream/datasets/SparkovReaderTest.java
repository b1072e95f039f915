package io.fraudstream.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.Channel;
import io.fraudstream.avro.Transaction;
import io.fraudstream.testkit.SharedData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** Both Sparkov layouts, read from the shared sample files. */
class SparkovReaderTest {


    @Test
    void publicKaggleLayoutWithLeadingIndexColumnReadsEveryRowWithLocalSolarTime() throws IOException {
        List<LabelledTransaction> rows;
        try (TransactionReader reader = InputFormat.SPARKOV.open(SharedData.kaggleHead(),
                new InputFormat.Options(null, EventTimeRule.HOME_LONGITUDE, null, CardTokens.publicTestKey("SparkovReaderTest")))) {
            rows = reader.readAll();
            assertThat(reader.badRows().count()).isZero();
            // The data README says 5,115; the file holds index 0..5115, i.e. 5,116 rows (python csv agrees).
            assertThat(reader.rowsRead()).isEqualTo(5_116);
        }
        assertThat(rows).hasSize(5_116);
        assertThat(rows.stream().filter(r -> Boolean.TRUE.equals(r.fraud())).count()).isEqualTo(18);
        assertThat(rows.stream().map(r -> r.transaction().getCardId()).distinct().count()).isEqualTo(879);

        // Row 0: 2020-06-21 12:14:25 local at home longitude -80.9355: utc = local + 80.9355/15 h = +5h23m44.52s.
        Transaction first = rows.get(0).transaction();
        assertThat(first.getTransactionId()).isEqualTo("2da90c7d74bd46a0caf3777415b3ebd3");
        assertThat(first.getEventTime()).isEqualTo(Instant.parse("2020-06-21T17:38:09.520Z"));
        assertThat(first.getAmountMinor()).isEqualTo(286);
        assertThat(first.getCurrency()).isEqualTo("USD");
        assertThat(first.getMerchantCategory()).isEqualTo("personal_care");
        assertThat(first.getChannel()).isEqualTo(Channel.CARD_PRESENT);
        assertThat(first.getHomeLat()).isEqualTo(33.9659);
        assertThat(first.getHomeLon()).isEqualTo(-80.9355);
        assertThat(first.getMerchantLat()).isEqualTo(33.986391);
        assertThat(first.getMerchantLon()).isEqualTo(-81.200714);
        // unix_time (1371816865 = 2013) is ignored; every event time lies on the file's dates.
        assertThat(rows).allSatisfy(r -> assertThat(r.transaction().getEventTime())
                .isBetween(Instant.parse("2020-06-21T00:00:00Z"), Instant.parse("2020-06-23T12:00:00Z")));
        // No public account column: the card token stands in.
        assertThat(first.getAccountId()).isEqualTo(first.getCardId());
        assertThat(rows.stream().filter(r -> r.transaction().getMerchantCategory().endsWith("_net")))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.transaction().getChannel()).isEqualTo(Channel.ONLINE));
    }

    @Test
    void utcZoneRuleKeepsTheWallTime() throws IOException {
        try (TransactionReader reader = InputFormat.SPARKOV.open(SharedData.kaggleHead(),
                new InputFormat.Options(null, "UTC", null, CardTokens.publicTestKey("SparkovReaderTest")))) {
            assertThat(reader.next().transaction().getEventTime()).isEqualTo(Instant.parse("2020-06-21T12:14:25Z"));
        }
    }

    @Test
    void generatedLayoutReadsTheWholeSampleAndNeverCarriesACardNumber() throws IOException {
        Path file = SharedData.sparkov();
        Set<String> rawNumbers = new HashSet<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file));
                java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
            r.readLine();
            String line;
            while ((line = r.readLine()) != null) {
                rawNumbers.add(line.split(",", 3)[1]);
            }
        }
        assertThat(rawNumbers).hasSize(100).allSatisfy(n -> assertThat(n).containsOnlyDigits());

        long rows = 0;
        long fraud = 0;
        Set<String> cards = new HashSet<>();
        Set<String> accounts = new HashSet<>();
        Instant min = Instant.MAX;
        Instant max = Instant.MIN;
        try (TransactionReader reader = InputFormat.SPARKOV.open(file,
                new InputFormat.Options(null, EventTimeRule.HOME_LONGITUDE, null, CardTokens.publicTestKey("SparkovReaderTest")))) {
            LabelledTransaction t;
            while ((t = reader.next()) != null) {
                rows++;
                fraud += Boolean.TRUE.equals(t.fraud()) ? 1 : 0;
                cards.add(t.transaction().getCardId());
                accounts.add(t.transaction().getAccountId());
                Instant e = t.transaction().getEventTime();
                min = e.isBefore(min) ? e : min;
                max = e.isAfter(max) ? e : max;
            }
            assertThat(reader.badRows().count()).isZero();
        }
        assertThat(rows).isEqualTo(173_529);
        assertThat(fraud).isEqualTo(945);
        assertThat(cards).hasSize(100).allSatisfy(c -> assertThat(c).matches("card-[0-9a-f]{24}"));
        assertThat(accounts).allSatisfy(a -> assertThat(a).matches("acct-[0-9a-f]{24}"));
        for (String card : cards) {
            assertThat(rawNumbers).noneSatisfy(n -> assertThat(card).contains(n));
        }
        // US homes are 4-11 hours behind UTC in solar time: the first local midnight lands after 04:00Z.
        assertThat(min).isAfter(Instant.parse("2019-01-01T04:00:00Z"));
        assertThat(max).isBefore(Instant.parse("2021-01-01T12:00:00Z"));
    }
}
