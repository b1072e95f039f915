package io.fraudstream.replay.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fraudstream.avro.RuleSet;
import io.fraudstream.job.scoring.RuleDecision;
import io.fraudstream.replay.eval.ScoredTransaction;
import io.fraudstream.rules.RuleSetFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's figures from hand-made decisions (no Flink): hits, precision/recall, added/removed, rates, window. */
class BacktestReportTest {

    static final String SET = """
            {"name": "t", "version": 2, "rules": [
              {"name": "alert_big", "priority": 30, "action": "ALERT", "expression": "amount > 100.0"},
              {"name": "trusted", "priority": 50, "action": "SUPPRESS", "expression": "merchant == 'ok'"},
              {"name": "tag_night", "priority": 10, "action": "TAG", "expression": "night_time == 1.0"},
              {"name": "off", "priority": 5, "action": "ALERT", "expression": "true", "enabled": false}
            ]}
            """;

    static final long DAY1 = Instant.parse("2020-03-01T10:00:00Z").toEpochMilli();
    static final long DAY3 = Instant.parse("2020-03-03T10:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    private final List<ScoredTransaction> scores = new ArrayList<>();
    private final List<RuleDecision> decisions = new ArrayList<>();

    private void event(String id, long time, Boolean fraud, boolean modelAlert, boolean alert, String fired,
            String deciding) {
        scores.add(new ScoredTransaction(id, "card-" + id, time, modelAlert ? 0.9 : 0.1, fraud));
        RuleDecision d = new RuleDecision();
        d.transactionId = id;
        d.cardId = "card-" + id;
        d.eventTimeMillis = time;
        d.modelAlert = modelAlert;
        d.alert = alert;
        d.blockRecommended = false;
        d.firedRules = fired;
        d.decidingRule = deciding;
        d.failedRules = "";
        d.amount = 150;
        d.currency = "USD";
        d.merchant = "m-" + id;
        d.category = "misc_net";
        d.channel = "ONLINE";
        decisions.add(d);
    }

    private void scenario() {
        // day 1
        event("a", DAY1, true, false, true, "alert_big", "alert_big");               // added, fraud
        event("b", DAY1, false, false, true, "alert_big,tag_night", "alert_big");     // added, genuine
        event("c", DAY1, false, true, false, "trusted", "trusted");                   // removed
        event("d", DAY1, true, true, true, "", "");                                   // model alert, no hit
        // day 3 (day 2 has no events: the span is 3 days)
        event("e", DAY3, true, true, true, "alert_big,tag_night", "alert_big");       // model alert, rule agrees
        event("f", DAY3, null, false, false, "tag_night", "");                        // unlabelled tag only
        event("g", DAY3, false, false, false, "", "");
    }

    @Test
    void figuresForTheSetAndEachRule() throws Exception {
        scenario();
        RuleSet set = RuleSetFiles.parse(SET, "t.json");
        BacktestReport r = BacktestReport.of(set, "v1", 0.5, scores, decisions, null, null, Map.of("Input", "x"));

        assertThat(r.transactions()).isEqualTo(7);
        assertThat(r.labelled()).isEqualTo(6);
        assertThat(r.frauds()).isEqualTo(3);
        assertThat(r.days()).isEqualTo(3);
        assertThat(r.rules()).extracting(BacktestReport.RuleFigures::name)
                .containsExactly("trusted", "alert_big", "tag_night"); // enabled only, highest priority first

        BacktestReport.SetFigures s = r.set();
        assertThat(s.hits()).isEqualTo(5); // a b c e f
        assertThat(s.hitsPerDay()).isCloseTo(5 / 3.0, within(1e-12));
        assertThat(s.hitPrecision()).isCloseTo(2 / 4.0, within(1e-12)); // a e of labelled a b c e
        assertThat(s.hitRecall()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(s.modelAlerts()).isEqualTo(3); // c d e
        assertThat(s.alerts()).isEqualTo(4);      // a b d e
        assertThat(s.added()).isEqualTo(2);
        assertThat(s.removed()).isEqualTo(1);
        assertThat(s.modelAlertRate()).isCloseTo(3 / 7.0, within(1e-12));
        assertThat(s.alertRate()).isCloseTo(4 / 7.0, within(1e-12));
        assertThat(s.alertRateChangePoints()).isCloseTo(100 / 7.0, within(1e-9));
        assertThat(s.alertRateChangeRelative()).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(s.modelPrecision()).isCloseTo(2 / 3.0, within(1e-12)); // d e of c d e
        assertThat(s.modelRecall()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(s.precision()).isCloseTo(3 / 4.0, within(1e-12));      // a d e of a b d e
        assertThat(s.recall()).isCloseTo(1.0, within(1e-12));

        BacktestReport.RuleFigures trusted = r.rules().get(0);
        assertThat(trusted.hits()).isEqualTo(1);
        assertThat(trusted.precision()).isZero();
        assertThat(trusted.removed()).isEqualTo(1);
        assertThat(trusted.added()).isZero();
        BacktestReport.RuleFigures big = r.rules().get(1);
        assertThat(big.hits()).isEqualTo(3);
        assertThat(big.precision()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(big.recall()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(big.decided()).isEqualTo(3);
        assertThat(big.added()).isEqualTo(2);
        BacktestReport.RuleFigures tag = r.rules().get(2);
        assertThat(tag.hits()).isEqualTo(3);
        assertThat(tag.precision()).isCloseTo(1 / 2.0, within(1e-12)); // e of labelled b e
        assertThat(tag.decided()).isZero();

        assertThat(r.daily()).extracting(BacktestReport.Day::day)
                .containsExactly(LocalDate.parse("2020-03-01"), LocalDate.parse("2020-03-03"));
        assertThat(r.daily().get(0).ruleHits()).containsExactly(1L, 2L, 1L);
        assertThat(r.daily().get(1).setHits()).isEqualTo(2);
        assertThat(r.examples()).filteredOn(e -> e.rule().equals("alert_big"))
                .extracting(BacktestReport.Example::transactionId).containsExactly("a", "b", "e");
        assertThat(r.facts()).containsKeys("Input", "Window", "Disabled rules (not evaluated)");

        BacktestReportWriter.write(r, dir);
        for (String f : List.of("report.md", "report.html", "report.json", "hits-per-day.png")) {
            assertThat(dir.resolve(f)).isNotEmptyFile();
        }
        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("| `alert_big` | ALERT | 30 | 3 | 1.00 | 0.6667 | 0.6667 | 3 | 2 | 0 | 0 |",
                "| Model alerts removed (SUPPRESS) | 1 |", "42.857 % -> 57.143 % (+14.286 points, +33.3 %)",
                "card-a");
        String json = Files.readString(dir.resolve("report.json"));
        assertThat(json).contains("\"alerts_added\" : 2", "\"alerts_removed\" : 1", "\"rule_hits\"");
        assertThat(Files.readString(dir.resolve("report.html"))).contains("data:image/png;base64,");
    }

    @Test
    void theWindowSelectsEventsAndCapsExamples() {
        for (int i = 0; i < 25; i++) {
            event("x" + i, DAY1 + i, false, false, true, "alert_big", "alert_big");
        }
        scenario();
        RuleSet set;
        try {
            set = RuleSetFiles.parse(SET, "t.json");
        } catch (RuleSetFiles.FormatException e) {
            throw new AssertionError(e);
        }
        BacktestReport all = BacktestReport.of(set, "v1", 0.5, scores, decisions, null, null, Map.of());
        assertThat(all.rules().get(1).hits()).isEqualTo(28);
        assertThat(all.examples()).filteredOn(e -> e.rule().equals("alert_big"))
                .hasSize(BacktestReport.EXAMPLES_PER_RULE);

        BacktestReport day3 = BacktestReport.of(set, "v1", 0.5, scores, decisions,
                Instant.parse("2020-03-02T00:00:00Z"), null, Map.of());
        assertThat(day3.transactions()).isEqualTo(3);
        assertThat(day3.days()).isEqualTo(1);
        assertThat(day3.rules().get(1).hits()).isEqualTo(1);
        assertThat(day3.facts().get("Window")).contains("3 of 32 scored events", "only built history");
    }
}
