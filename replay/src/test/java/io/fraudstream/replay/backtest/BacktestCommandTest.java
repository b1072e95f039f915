package io.fraudstream.replay.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudstream.replay.ReplayMain;
import io.fraudstream.testkit.SharedData;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backtest} end to end on a Sparkov slice (a bounded Flink run of 1,500 rows): the hits, precision and recall of
 * simple rules equal what the CSV itself says, no card number reaches the report, and a bad rule file exits 2 naming
 * the problem before anything runs.
 */
class BacktestCommandTest {

    private static final int ROWS = 1_500;

    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ReplayMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void backtestsASliceAndReportsWhatTheDataSays() throws Exception {
        // The slice, and what it says: rows above 200, online (_net) rows, frauds, the card numbers.
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(SharedData.sparkov())), StandardCharsets.UTF_8))) {
            for (int i = 0; i <= ROWS; i++) {
                lines.add(in.readLine());
            }
        }
        Path slice = Files.write(dir.resolve("slice.csv"), lines, StandardCharsets.UTF_8);
        long big = 0, bigFrauds = 0, online = 0, frauds = 0;
        List<String> pans = new ArrayList<>();
        try (CSVParser csv = CSVParser.parse(slice, StandardCharsets.UTF_8,
                CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get())) {
            for (CSVRecord row : csv) {
                boolean fraud = row.get("is_fraud").equals("1");
                pans.add(row.get("cc_num"));
                frauds += fraud ? 1 : 0;
                if (Double.parseDouble(row.get("amt")) > 200.0) {
                    big++;
                    bigFrauds += fraud ? 1 : 0;
                }
                if (row.get("category").endsWith("_net")) {
                    online++;
                }
            }
        }
        assertThat(big).isPositive();
        Path rules = Files.writeString(dir.resolve("rules.json"), """
                {"name": "cmd", "version": 1, "rules": [
                  {"name": "big", "priority": 20, "action": "ALERT", "expression": "amount > 200.0"},
                  {"name": "online", "priority": 10, "action": "TAG", "expression": "channel == 'ONLINE'"}
                ]}
                """);
        Path key = Files.writeString(dir.resolve("card.key"), "a card-token key for BacktestCommandTest, 32+ bytes");
        Path out = dir.resolve("report");
        Run r = run("backtest", "--rules", rules.toString(), "--input", slice.toString(), "--card-token-key-file",
                key.toString(), "--out", out.toString(), "--parallelism", "2");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("## Per rule", "| `big` | ALERT | 20 | " + big + " |");

        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(report.get("transactions").asLong()).isEqualTo(ROWS);
        assertThat(report.get("frauds").asLong()).isEqualTo(frauds);
        JsonNode bigRule = report.get("rules").get(0);
        assertThat(bigRule.get("name").asText()).isEqualTo("big");
        assertThat(bigRule.get("hits").asLong()).isEqualTo(big);
        if (frauds > 0) {
            assertThat(bigRule.get("recall").asDouble()).isCloseTo(bigFrauds / (double) frauds, within(1e-12));
        }
        assertThat(bigRule.get("precision").asDouble()).isCloseTo(bigFrauds / (double) big, within(1e-12));
        assertThat(report.get("rules").get(1).get("hits").asLong()).isEqualTo(online);
        assertThat(report.get("rules").get(1).get("decided").asLong()).isZero(); // a TAG never decides
        JsonNode set = report.get("set");
        // Every event over 200 alerts; the others alert only when the model does.
        assertThat(set.get("alerts").asLong()).isEqualTo(set.get("model_alerts").asLong() + set.get("alerts_added")
                .asLong());
        assertThat(set.get("alerts_removed").asLong()).isZero();
        assertThat(report.get("examples")).hasSize(20);

        for (String file : List.of("report.md", "report.html", "report.json")) {
            String text = Files.readString(out.resolve(file));
            for (String pan : pans) {
                assertThat(text).as(file).doesNotContain(pan);
            }
        }
        assertThat(out.resolve("hits-per-day.png")).isNotEmptyFile();
    }

    @Test
    void aBadRuleFileExitsWith2NamingTheProblem() throws Exception {
        Path csv = Files.writeString(dir.resolve("in.csv"), "a\n");
        Path invalid = Files.writeString(dir.resolve("invalid.json"), """
                {"name": "x", "rules": [{"name": "typo", "priority": 1, "action": "ALERT", "expression": "amout > 1.0"}]}
                """);
        Run r = run("backtest", "--rules", invalid.toString(), "--input", csv.toString(), "--out", dir.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("option --rules: rule set x v0 refused", "typo", "undeclared reference to 'amout'");

        Path malformed = Files.writeString(dir.resolve("malformed.json"), """
                {"name": "x", "rules": [{"name": "r", "priority": 1, "action": "BLOCK", "expression": "true"}]}
                """);
        r = run("backtest", "--rules", malformed.toString(), "--input", csv.toString(), "--out", dir.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("option --rules:", "rules[0] (r): field 'action' must be one of");

        assertThat(run("backtest", "--input", csv.toString(), "--out", dir.toString()).err())
                .contains("option --rules is required");
        Path ok = Files.writeString(dir.resolve("ok.json"), "{\"name\": \"x\", \"rules\": []}");
        assertThat(run("backtest", "--rules", ok.toString(), "--input", csv.toString(), "--out", dir.toString(),
                "--from", "2020-01-02T00:00:00Z", "--to", "2020-01-01T00:00:00Z").err())
                .contains("option --from must be before --to");
        assertThat(run("backtest", "--rules", ok.toString(), "--input", csv.toString(), "--out", dir.toString(),
                "--from", "yesterday").err()).contains("option --from must be an instant");
        assertThat(run("backtest", "--rules", ok.toString(), "--input", csv.toString(), "--out", dir.toString(),
                "--format", "csv").err()).contains("option --mapping is required with --format csv");
    }
}
