package io.fraudstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimulatorMainTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-04T05:06:07.890Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return SimulatorMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), CLOCK);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--cards 0 --out x.csv                     | --cards: simulator.cards must be between 1 and 5000000, was 0",
        "--cards many --out x.csv                  | Invalid value for option '--cards': 'many' is not an int",
        "--count 0 --out x.csv                     | --count: simulator.max-transactions must be >= 1, was 0",
        "--duration 3 --out x.csv                  | --duration: '3' is not a non-negative duration like 500ms",
        "--duration 0d --out x.csv                 | --duration: simulator.duration must be positive",
        "--label-delay soon --out x.csv            | Invalid value for option '--label-delay': 'soon' is not",
        "--fraud-rate 0.9 --out x.csv              | --fraud-rate: simulator.fraud-rate must be between 0 and 0.2, was 0.9",
        "--start yesterday --out x.csv             | --start must be an ISO instant",
        "--rate 100 --out x.csv                    | --rate paces Kafka writes and needs --bootstrap-servers",
        "--rate -5 --bootstrap-servers localhost:1 | --rate must be > 0",
        "--cards 10                                | nothing to write",
        "--frobnicate --out x.csv                  | Unknown option: '--frobnicate'",
        "--out                                     | Missing required parameter for option '--out'",
        "--duration unbounded --out x.csv          | endless --out file",
        "--seed 1 --seed 2 --out x.csv             | option '--seed' (N) should be specified only once",
        "--profile nope --out x.csv                | --profile must be default or handbook, was nope",
        "--profile handbook --cards 10 --out x.csv | --cards does not apply to --profile handbook",
        "--profile handbook --duration 5d --out x  | --duration does not apply to --profile handbook",
        "--profile handbook                        | nothing to write"})
    void badOptionsExitWithTwoAndNameTheOption(String args, String message) {
        assertThat(run(args.trim().split("\\s+"))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(message);
    }

    @Test
    void helpPrintsUsage() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--bootstrap-servers", "--out=FILE[.gz]", "Number of cards.", "Default: 1000");
    }

    @Test
    void writesTheSameCsvForTheSameOptions() throws IOException {
        Path a = dir.resolve("a.csv");
        Path b = dir.resolve("b.csv");
        assertThat(run("--seed", "7", "--cards", "20", "--duration", "5d", "--out", a.toString())).isZero();
        assertThat(run("--seed=7", "--cards=20", "--duration=P5D", "--out=" + b)).isZero();
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        List<String> lines = Files.readAllLines(a);
        assertThat(lines.get(0)).isEqualTo(String.join(",", SparkovCsvWriter.HEADER));
        // Without --bootstrap-servers the default start is the fixed 2025-01-01, not the clock.
        assertThat(instantOf(lines.get(1))).isAfterOrEqualTo(SimulatorConfig.DEFAULT_START)
                .isBefore(SimulatorConfig.DEFAULT_START.plus(Duration.ofDays(1)));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("transactions", "CARD_TESTING", "wrote " + a);
    }

    @Test
    void countBoundsTheRunAndStartNowUsesTheClock() throws IOException {
        Path file = dir.resolve("c.csv.gz");
        assertThat(run("--cards", "50", "--count", "321", "--start", "now", "--out", file.toString())).isZero();
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(
                new java.util.zip.GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            List<String> lines = r.lines().toList();
            assertThat(lines).hasSize(322);
            // "now" truncated to the second; the CSV row holds local time, the instant is recovered from it.
            assertThat(instantOf(lines.get(1))).isAfterOrEqualTo(Instant.parse("2026-03-04T05:06:07Z"))
                    .isBefore(Instant.parse("2026-03-04T06:06:07Z"));
        }
    }

    /** The event instant of a CSV row: its local wall time shifted back by the home longitude. */
    private static Instant instantOf(String line) {
        List<String> row = Csv.parse(line);
        java.time.LocalDateTime local = java.time.LocalDateTime.parse(
                row.get(SparkovCsvWriter.HEADER.indexOf("trans_date_trans_time")).replace(' ', 'T'));
        return SolarTime.toInstant(local, Double.parseDouble(row.get(SparkovCsvWriter.HEADER.indexOf("long"))));
    }
}
