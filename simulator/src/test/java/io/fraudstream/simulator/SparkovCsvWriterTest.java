package io.fraudstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.Transaction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkovCsvWriterTest {

    private static final String SHARED_FILE = "shared/data/sparkov-100cards-2019-2020.csv.gz";

    @TempDir
    Path dir;

    @Test
    void headerIsTheSharedDataFilesHeader() throws IOException {
        Optional<Path> shared = findShared();
        Assumptions.assumeTrue(shared.isPresent(), "no " + SHARED_FILE + " above " + Path.of("").toAbsolutePath());
        String expected;
        try (BufferedReader r = gunzip(Files.newInputStream(shared.get()))) {
            expected = r.readLine();
        }
        assertThat(String.join(",", SparkovCsvWriter.HEADER)).isEqualTo(expected);

        Path out = dir.resolve("sim.csv.gz");
        Simulator sim = new Simulator(SimulatorConfig.builder().cards(5).duration(Duration.ofDays(1)).build());
        try (SparkovCsvWriter w = SparkovCsvWriter.open(out, sim)) {
            w.writeAll(sim.transactionIterator());
        }
        try (BufferedReader r = gunzip(Files.newInputStream(out))) {
            assertThat(r.readLine()).isEqualTo(expected);
        }
    }

    @Test
    void sharedFileUnixTimeIsItsWallClockTimeReadAsUtc() throws IOException {
        Optional<Path> shared = findShared();
        Assumptions.assumeTrue(shared.isPresent(), "no " + SHARED_FILE + " above " + Path.of("").toAbsolutePath());
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        int rows = 0;
        try (BufferedReader r = gunzip(Files.newInputStream(shared.get()))) {
            List<String> header = Csv.parse(r.readLine());
            String line;
            while (rows < 2_000 && (line = r.readLine()) != null) {
                List<String> row = Csv.parse(line);
                LocalDateTime wall = LocalDateTime.parse(row.get(header.indexOf("trans_date_trans_time")), time);
                assertThat(Long.parseLong(row.get(header.indexOf("unix_time")))).isEqualTo(wall.toEpochSecond(ZoneOffset.UTC));
                rows++;
            }
        }
        assertThat(rows).isEqualTo(2_000);
    }

    @Test
    void gzippedRowsParseBackToTheTransactions() throws IOException {
        Simulator sim = new Simulator(SimulatorConfig.builder().seed(11).cards(300).duration(Duration.ofDays(10)).build());
        List<SimulatedTransaction> txs = sim.transactions().toList();
        Path out = dir.resolve("nested/sim.csv.gz");
        try (SparkovCsvWriter w = SparkovCsvWriter.open(out, sim)) {
            assertThat(w.writeAll(txs.iterator())).isEqualTo(txs.size());
        }
        byte[] head = new byte[2];
        try (InputStream in = Files.newInputStream(out)) {
            assertThat(in.read(head)).isEqualTo(2);
        }
        assertThat(head).containsExactly(0x1f, 0x8b); // gzip magic

        List<List<String>> rows = new ArrayList<>();
        try (BufferedReader r = gunzip(Files.newInputStream(out))) {
            assertThat(Csv.parse(r.readLine())).isEqualTo(SparkovCsvWriter.HEADER);
            String line;
            while ((line = r.readLine()) != null) {
                rows.add(Csv.parse(line));
            }
        }
        assertThat(rows).hasSize(txs.size());
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        boolean sawQuotedMerchant = false;
        for (int i = 0; i < rows.size(); i++) {
            List<String> row = rows.get(i);
            assertThat(row).hasSize(24);
            SimulatedTransaction st = txs.get(i);
            Transaction tx = st.tx();
            Cardholder h = sim.cardholder(tx.getCardId());
            assertThat(col(row, "cc_num")).isEqualTo(tx.getCardId());
            assertThat(col(row, "trans_num")).isEqualTo(tx.getTransactionId());
            assertThat(col(row, "acct_num")).isEqualTo(tx.getAccountId());
            assertThat(col(row, "category")).isEqualTo(tx.getMerchantCategory());
            assertThat(Math.round(Double.parseDouble(col(row, "amt")) * 100)).isEqualTo(tx.getAmountMinor());
            // Sparkov convention: local wall-clock time, and unix_time is that wall-clock time read as UTC.
            LocalDateTime local = LocalDateTime.parse(col(row, "trans_date_trans_time"), time);
            assertThat(local).isEqualTo(SolarTime.toLocal(tx.getEventTime(), h.homeLon()));
            assertThat(Long.parseLong(col(row, "unix_time"))).isEqualTo(local.toEpochSecond(ZoneOffset.UTC));
            // A reader gets the instant back from the row alone.
            assertThat(SolarTime.toInstant(local, Double.parseDouble(col(row, "long")))).isEqualTo(tx.getEventTime());
            assertThat(Duration.between(tx.getEventTime(), local.toInstant(ZoneOffset.UTC)).toSeconds())
                    .isEqualTo(SolarTime.offsetSeconds(h.homeLon())).isNotZero();
            assertThat(col(row, "is_fraud")).isEqualTo(st.fraud() ? "1" : "0");
            assertThat(Double.parseDouble(col(row, "lat"))).isEqualTo(h.homeLat());
            assertThat(Double.parseDouble(col(row, "long"))).isEqualTo(h.homeLon());
            assertThat(col(row, "merchant")).isEqualTo(sim.merchant(tx.getMerchantId()).name()).startsWith("fraud_");
            assertThat(col(row, "job")).isEqualTo(h.job());
            sawQuotedMerchant |= col(row, "merchant").contains(",");
            if (tx.getMerchantLat() == null) {
                assertThat(col(row, "merch_lat")).isEmpty();
                assertThat(col(row, "merch_long")).isEmpty();
            } else {
                assertThat(Double.parseDouble(col(row, "merch_lat"))).isEqualTo(tx.getMerchantLat());
                assertThat(Double.parseDouble(col(row, "merch_long"))).isEqualTo(tx.getMerchantLon());
            }
        }
        assertThat(sawQuotedMerchant).as("a merchant name with a comma was quoted and read back").isTrue();
    }

    @Test
    void plainCsvWhenTheNameDoesNotEndInGz() throws IOException {
        Simulator sim = new Simulator(SimulatorConfig.builder().cards(3).duration(Duration.ofDays(1)).build());
        Path out = dir.resolve("sim.csv");
        try (SparkovCsvWriter w = SparkovCsvWriter.open(out, sim)) {
            w.writeAll(sim.transactionIterator());
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).startsWith("trans_date_trans_time,cc_num,");
        assertThat(lines).hasSize(1 + (int) sim.transactions().count());
    }

    @Test
    void amountsAreExactDollarsAndCents() {
        assertThat(SparkovCsvWriter.amount(1)).isEqualTo("0.01");
        assertThat(SparkovCsvWriter.amount(496)).isEqualTo("4.96");
        assertThat(SparkovCsvWriter.amount(12_640)).isEqualTo("126.40");
        assertThat(SparkovCsvWriter.amount(100_000_00)).isEqualTo("100000.00");
    }

    private static String col(List<String> row, String name) {
        return row.get(SparkovCsvWriter.HEADER.indexOf(name));
    }

    private static BufferedReader gunzip(InputStream in) throws IOException {
        return new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8));
    }

    /** The shared data folder sits next to (or above) the checkout; -Dfraudstream.shared.data overrides. */
    static Optional<Path> findShared() {
        String override = System.getProperty("fraudstream.shared.data");
        if (override != null) {
            return Optional.of(Path.of(override, "sparkov-100cards-2019-2020.csv.gz")).filter(Files::isRegularFile);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve(SHARED_FILE);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
