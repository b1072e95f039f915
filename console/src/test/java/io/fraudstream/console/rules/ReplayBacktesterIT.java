package io.fraudstream.console.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudstream.console.db.AuditLog;
import io.fraudstream.console.db.Database;
import io.fraudstream.testkit.SharedData;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A draft backtested from the console's service through replay's {@code Backtest} (the job's scoring topology and
 * RuleStage on a bounded local run) on a slice of the shared Sparkov sample: the hits are what the data says, the
 * report carries card tokens only, and the figures are audited.
 */
class ReplayBacktesterIT {

    static final int ROWS = 1_200;

    @TempDir
    Path dir;

    @Test
    void aDraftIsBacktestedOnAReplayInputWithTheDataSaysHitsAndNoCardNumbers() throws Exception {
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(SharedData.sparkov())), StandardCharsets.UTF_8))) {
            for (int i = 0; i <= ROWS; i++) {
                lines.add(in.readLine());
            }
        }
        Path slice = Files.write(dir.resolve("slice.csv"), lines, StandardCharsets.UTF_8);
        long big = 0;
        List<String> pans = new ArrayList<>();
        try (CSVParser csv = CSVParser.parse(slice, StandardCharsets.UTF_8,
                CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get())) {
            for (CSVRecord row : csv) {
                pans.add(row.get("cc_num"));
                big += Double.parseDouble(row.get("amt")) > 200.0 ? 1 : 0;
            }
        }
        assertThat(big).isPositive();
        Path key = Files.writeString(dir.resolve("card.key"), "a card-token key for ReplayBacktesterIT, 32+ bytes");

        try (Database db = Database.open(Database.embeddedUrl("backtest-" + UUID.randomUUID()), "", "");
                RulesService rules = new RulesService(null, "no key", db, Clock.systemUTC(), List.of(slice),
                        new ReplayBacktester(null, null, null, key, 2))) {
            long draft = ((Number) rules.saveDraft("{\"name\": \"console\", \"rules\": [{\"name\": \"big\","
                    + " \"priority\": 20, \"action\": \"ALERT\", \"expression\": \"amount > 200.0\"}]}", "ana")
                    .get("id")).longValue();
            RulesService.Job job = rules.startBacktest(draft, slice.toString(), null, null, "ana");
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            RulesService.Job now = job;
            while (now.state().equals("QUEUED") || now.state().equals("RUNNING")) {
                assertThat(System.nanoTime()).as("backtest done in time").isLessThan(deadline);
                Thread.sleep(200); // polling a condition with a deadline, as the page does
                now = rules.job(job.id()).orElseThrow();
            }
            assertThat(now.state()).as(String.valueOf(now.error())).isEqualTo("DONE");
            Map<String, Object> report = now.report();
            assertThat(report).containsEntry("events", (long) ROWS).containsEntry("hits", big);
            assertThat(((Number) report.get("alerts")).longValue()).isEqualTo(
                    ((Number) report.get("modelAlerts")).longValue() + ((Number) report.get("alertsAdded")).longValue());
            assertThat(report.get("alertRateChange").toString()).endsWith("points");
            List<?> perRule = (List<?>) report.get("rules");
            assertThat(((Map<?, ?>) perRule.get(0)).get("hits")).isEqualTo(big);
            assertThat((List<?>) report.get("examples")).isNotEmpty();
            String json = new ObjectMapper().writeValueAsString(report);
            for (String pan : pans) {
                assertThat(json).doesNotContain(pan);
            }
            String audit;
            long auditDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            do {
                try (Connection c = db.connection()) {
                    audit = AuditLog.latest(c, 10).toString();
                }
                assertThat(System.nanoTime()).isLessThan(auditDeadline);
                Thread.sleep(audit.contains("RULES_BACKTEST_DONE") ? 0 : 50); // the audit row follows the state
            } while (!audit.contains("RULES_BACKTEST_DONE"));
            assertThat(audit).contains("hits " + big, "slice.csv");
        }
    }
}
