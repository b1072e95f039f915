package io.fraudstream.console.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.avro.RuleSet;
import io.fraudstream.console.db.AuditLog;
import io.fraudstream.console.db.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RulesService} without a broker: a console without a signing key refuses activation naming the setting (and
 * audits the refusal), drafts are checked by the compiler, and a backtest runs off the request thread as a job whose
 * result is polled and audited.
 */
class RulesServiceTest {

    static final String GOOD = "{\"name\": \"s\", \"rules\": [{\"name\": \"big\", \"priority\": 1, \"action\":"
            + " \"ALERT\", \"expression\": \"amount > 500.0\"}]}";

    @TempDir
    Path tmp;
    Database db;

    @BeforeEach
    void open() {
        db = Database.open(Database.embeddedUrl("rules-" + UUID.randomUUID()), "", "");
    }

    @AfterEach
    void close() {
        db.close();
    }

    List<AuditLog.Entry> audit() throws Exception {
        try (Connection c = db.connection()) {
            return AuditLog.latest(c, 50);
        }
    }

    @Test
    void withoutASigningKeyActivationIsRefusedNamingTheSetting() throws Exception {
        try (RulesService s = new RulesService(null, "set console.model.keys", db, Clock.systemUTC(), List.of(),
                null)) {
            assertThat(s.status()).containsEntry("configured", false).containsEntry("notConfigured",
                    "set console.model.keys");
            long id = ((Number) s.saveDraft(GOOD, "ana").get("id")).longValue();
            assertThatThrownBy(() -> s.activate(id, "owner")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("console.model.keys");
            assertThatThrownBy(() -> s.disable("big", "owner")).hasMessageContaining("console.model.keys");
            assertThatThrownBy(() -> s.saveDraft(GOOD.replace("500.0", "500"), "ana"))
                    .isInstanceOf(RulesService.InvalidRuleSetException.class).hasMessageContaining("big");
            assertThat(audit()).extracting(AuditLog.Entry::action).containsExactly("RULES_DRAFT_REFUSED",
                    "RULES_DISABLE_REFUSED", "RULES_ACTIVATE_REFUSED", "RULES_DRAFT");
            assertThatThrownBy(() -> s.startBacktest(id, "x", null, null, "ana"))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aBacktestRunsAsAPolledJobOnAConfiguredInputAndIsAudited() throws Exception {
        Path input = Files.writeString(tmp.resolve("sample.csv"), "x\n");
        List<Object[]> calls = new ArrayList<>();
        RulesService.Backtester backtester = (RuleSet set, Path in, LocalDate from, LocalDate to) -> {
            calls.add(new Object[] {set.getRules().get(0).getName(), in, from, to});
            return Map.of("events", 10, "hits", 3);
        };
        try (RulesService s = new RulesService(null, "set console.model.keys", db, Clock.systemUTC(),
                List.of(input), backtester)) {
            long id = ((Number) s.saveDraft(GOOD, "ana").get("id")).longValue();
            assertThatThrownBy(() -> s.startBacktest(id, "/etc/passwd", null, null, "ana"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("console.rules.replay-inputs");
            assertThatThrownBy(() -> s.startBacktest(id, input.toString(), "2020-02-01", "2020-01-01", "ana"))
                    .hasMessageContaining("after");
            RulesService.Job job = s.startBacktest(id, input.toString(), "2020-01-01", "2020-02-01", "ana");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!s.job(job.id()).orElseThrow().state().equals("DONE")) {
                assertThat(s.job(job.id()).orElseThrow().state()).isNotEqualTo("FAILED");
                assertThat(System.nanoTime()).as("backtest finished in time").isLessThan(deadline);
                Thread.sleep(20); // polling a condition with a deadline
            }
            assertThat(s.job(job.id()).orElseThrow().report()).containsEntry("hits", 3);
            assertThat(calls).hasSize(1);
            assertThat(calls.get(0)).containsExactly("big", input, LocalDate.parse("2020-01-01"),
                    LocalDate.parse("2020-02-01"));
            deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (audit().stream().noneMatch(e -> e.action().equals("RULES_BACKTEST_DONE"))) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(20); // the audit row follows the job's state
            }
            assertThat(audit()).filteredOn(e -> e.action().startsWith("RULES_BACKTEST")).extracting(
                    AuditLog.Entry::detail).anySatisfy(d -> assertThat(d).contains("hits 3", "sample.csv"));
        }
    }
}
