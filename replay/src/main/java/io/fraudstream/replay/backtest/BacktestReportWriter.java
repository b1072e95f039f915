package io.fraudstream.replay.backtest;

import static io.fraudstream.replay.eval.ReportFormat.code;
import static io.fraudstream.replay.eval.ReportFormat.esc;
import static io.fraudstream.replay.eval.ReportFormat.htmlFooter;
import static io.fraudstream.replay.eval.ReportFormat.htmlHeader;
import static io.fraudstream.replay.eval.ReportFormat.image;
import static io.fraudstream.replay.eval.ReportFormat.markdownHeader;
import static io.fraudstream.replay.eval.ReportFormat.markdownRow;
import static io.fraudstream.replay.eval.ReportFormat.num;
import static io.fraudstream.replay.eval.ReportFormat.number;
import static io.fraudstream.replay.eval.ReportFormat.row;
import static io.fraudstream.replay.eval.ReportFormat.tableHead;
import static io.fraudstream.replay.eval.ReportFormat.td;
import static io.fraudstream.replay.eval.ReportFormat.tdNum;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fraudstream.replay.eval.Charts;
import io.fraudstream.replay.eval.ReportFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a {@link BacktestReport} in the style of {@code evaluate}'s report: {@code report.md}, {@code report.html}
 * (the chart embedded as base64 PNG), {@code report.json} and {@code hits-per-day.png}, into a directory. Examples
 * show the card's token, never a card number.
 */
public final class BacktestReportWriter {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BacktestReportWriter() {}

    public static void write(BacktestReport r, Path dir) throws IOException {
        Files.createDirectories(dir);
        byte[] chart = chart(r);
        Files.write(dir.resolve("hits-per-day.png"), chart);
        Files.writeString(dir.resolve("report.md"), markdown(r), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.html"), html(r, chart), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.json"), json(r), StandardCharsets.UTF_8);
    }

    /** Hits per UTC day: the whole set, then each rule (at most {@link Charts#MAX_SERIES} lines). */
    public static byte[] chart(BacktestReport r) {
        List<LocalDate> days = new ArrayList<>(r.daily().size());
        LinkedHashMap<String, long[]> series = new LinkedHashMap<>();
        long[] set = new long[r.daily().size()];
        List<long[]> perRule = new ArrayList<>();
        for (int j = 0; j < r.rules().size(); j++) {
            perRule.add(new long[r.daily().size()]);
        }
        for (int i = 0; i < r.daily().size(); i++) {
            BacktestReport.Day d = r.daily().get(i);
            days.add(d.day());
            set[i] = d.setHits();
            for (int j = 0; j < perRule.size(); j++) {
                perRule.get(j)[i] = d.ruleHits().get(j);
            }
        }
        series.put("all rules (" + r.set().hits() + ")", set);
        for (int j = 0; j < perRule.size(); j++) {
            BacktestReport.RuleFigures f = r.rules().get(j);
            series.put(f.name() + " (" + f.hits() + ")", perRule.get(j));
        }
        return Charts.perDay("Rule hits per day", "hits", days, series);
    }

    static String pct(double share) {
        return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.3f %%", 100 * share);
    }

    static String perDay(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** The headline rows (label, value) for the whole set. */
    static Map<String, String> headline(BacktestReport r) {
        BacktestReport.SetFigures s = r.set();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Events hit by any rule", s.hits() + " (" + perDay(s.hitsPerDay()) + " per day over " + r.days()
                + " days)");
        m.put("Precision / recall of the hits", num(s.hitPrecision()) + " / " + num(s.hitRecall()));
        m.put("Model alerts (model alone)", Long.toString(s.modelAlerts()));
        m.put("Alerts with the rules", s.alerts() + " (" + s.blockRecommended() + " with a block recommendation)");
        m.put("Alerts added by rules", Long.toString(s.added()));
        m.put("Model alerts removed (SUPPRESS)", Long.toString(s.removed()));
        m.put("Alert rate: model alone -> with rules", pct(s.modelAlertRate()) + " -> " + pct(s.alertRate())
                + String.format(Locale.ROOT, " (%+.3f points, %s)", s.alertRateChangePoints(),
                        Double.isNaN(s.alertRateChangeRelative()) ? "n/a"
                                : String.format(Locale.ROOT, "%+.1f %%", 100 * s.alertRateChangeRelative())));
        m.put("Alert precision: model alone -> with rules", num(s.modelPrecision()) + " -> " + num(s.precision()));
        m.put("Alert recall: model alone -> with rules", num(s.modelRecall()) + " -> " + num(s.recall()));
        m.put("Rule evaluation failures", Long.toString(s.failures()));
        return m;
    }

    public static String markdown(BacktestReport r) {
        StringBuilder s = new StringBuilder();
        markdownHeader(s, r.title(), r.modelVersion(), r.threshold(), counts(r), r.facts());
        s.append("\n## Whole set\n\n| Figure | Value |\n|---|---|\n");
        headline(r).forEach((k, v) -> markdownRow(s, k, v));
        s.append("\n## Per rule (highest priority first)\n\n");
        s.append("| Rule | Action | Priority | Hits | Hits/day | Precision | Recall | Decided | Alerts added |"
                + " Alerts removed | Failures |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (BacktestReport.RuleFigures f : r.rules()) {
            markdownRow(s, "`" + f.name() + "`", f.action(), f.priority(), f.hits(), perDay(f.hitsPerDay()),
                    num(f.precision()), num(f.recall()), f.decided(), f.added(), f.removed(), f.failures());
        }
        s.append("\nExpressions:\n\n");
        for (BacktestReport.RuleFigures f : r.rules()) {
            s.append("- `").append(f.name()).append("`: `").append(f.expression()).append("`\n");
        }
        s.append("\nChart: [hits per day](hits-per-day.png).\n");
        s.append("\n## Examples of hits (up to ").append(BacktestReport.EXAMPLES_PER_RULE).append(" per rule)\n\n");
        s.append("| Rule | Time (UTC) | Card token | Amount | Merchant | Category | Channel | Score | Model alert |"
                + " Alert | Fired rules | Fraud |\n|---|---|---|---:|---|---|---|---:|---|---|---|---|\n");
        for (BacktestReport.Example e : r.examples()) {
            markdownRow(s, "`" + e.rule() + "`", e.time(), md(e.cardToken()), amount(e), md(e.merchant()),
                    md(e.category()), e.channel(), num(e.score()), e.modelAlert(), e.alert(), md(e.firedRules()),
                    fraud(e));
        }
        s.append("\n## Daily series (UTC days)\n\n");
        List<Object> header = new ArrayList<>(List.of("Day", "Events", "Model alerts", "Alerts with rules",
                "Set hits"));
        r.rules().forEach(f -> header.add("`" + f.name() + "`"));
        markdownRow(s, header.toArray());
        s.append("|---|---:|---:|---:|---:|").append("---:|".repeat(r.rules().size())).append('\n');
        for (BacktestReport.Day d : r.daily()) {
            List<Object> cells = new ArrayList<>(List.of(d.day(), d.transactions(), d.modelAlerts(), d.alerts(),
                    d.setHits()));
            cells.addAll(d.ruleHits());
            markdownRow(s, cells.toArray());
        }
        return s.toString();
    }

    private static String counts(BacktestReport r) {
        return "Events in the window: " + r.transactions() + " (labelled: " + r.labelled() + ", frauds: "
                + r.frauds() + ")";
    }

    private static String amount(BacktestReport.Example e) {
        return String.format(Locale.ROOT, "%.2f %s", e.amount(), e.currency());
    }

    /** The example's label: true, false, or {@code ?} when unlabelled. */
    private static Object fraud(BacktestReport.Example e) {
        return e.fraud() == null ? "?" : e.fraud();
    }

    private static String md(String v) {
        return v == null ? "" : v.replace("|", "\\|");
    }

    public static String html(BacktestReport r, byte[] chart) {
        StringBuilder s = new StringBuilder();
        htmlHeader(s, r.title(), 1200, r.modelVersion(), r.threshold(), counts(r), r.facts());
        s.append("<h2>Whole set</h2>\n");
        tableHead(s, "Figure", "Value");
        headline(r).forEach((k, v) -> row(s, td(esc(k)), td(esc(v))));
        s.append("</table>\n<h2>Per rule</h2>\n");
        tableHead(s, "Rule", "Action", "Priority", "Hits", "Hits/day", "Precision", "Recall", "Decided",
                "Alerts added", "Alerts removed", "Failures", "Expression");
        for (BacktestReport.RuleFigures f : r.rules()) {
            row(s, td(code(f.name())), td(f.action()), tdNum(f.priority()), tdNum(f.hits()),
                    tdNum(perDay(f.hitsPerDay())), tdNum(num(f.precision())), tdNum(num(f.recall())),
                    tdNum(f.decided()), tdNum(f.added()), tdNum(f.removed()), tdNum(f.failures()),
                    td(code(f.expression())));
        }
        s.append("</table>\n<h2>Hits per day</h2>\n");
        image(s, "hits per day", chart);
        s.append("<h2>Examples of hits</h2>\n");
        tableHead(s, "Rule", "Time (UTC)", "Card token", "Amount", "Merchant", "Category", "Channel", "Score",
                "Model alert", "Alert", "Fired rules", "Fraud");
        for (BacktestReport.Example e : r.examples()) {
            row(s, td(code(e.rule())), td(e.time()), td(esc(e.cardToken())), tdNum(esc(amount(e))),
                    td(esc(e.merchant())), td(esc(e.category())), td(esc(e.channel())), tdNum(num(e.score())),
                    td(e.modelAlert()), td(e.alert()), td(esc(e.firedRules())), td(fraud(e)));
        }
        s.append("</table>\n<h2>Daily series (UTC days)</h2>\n");
        List<String> header = new ArrayList<>(List.of("Day", "Events", "Model alerts", "Alerts with rules",
                "Set hits"));
        r.rules().forEach(f -> header.add(f.name()));
        tableHead(s, header.toArray(String[]::new));
        for (BacktestReport.Day d : r.daily()) {
            List<String> cells = new ArrayList<>(List.of(td(d.day()), tdNum(d.transactions()),
                    tdNum(d.modelAlerts()), tdNum(d.alerts()), tdNum(d.setHits())));
            d.ruleHits().forEach(h -> cells.add(tdNum(h)));
            row(s, cells.toArray(String[]::new));
        }
        s.append("</table>\n");
        htmlFooter(s);
        return s.toString();
    }

    /** {@code report.json}: every figure, non-finite numbers as null. */
    public static String json(BacktestReport r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("title", r.title());
        root.put("rule_set", r.ruleSetName());
        root.put("rule_set_version", r.ruleSetVersion());
        root.put("model_version", r.modelVersion());
        number(root, "threshold", r.threshold());
        root.put("transactions", r.transactions());
        root.put("labelled", r.labelled());
        root.put("frauds", r.frauds());
        root.put("days", r.days());
        ObjectNode facts = root.putObject("facts");
        r.facts().forEach(facts::put);
        BacktestReport.SetFigures f = r.set();
        ObjectNode set = root.putObject("set");
        set.put("hits", f.hits());
        number(set, "hits_per_day", f.hitsPerDay());
        number(set, "hit_precision", f.hitPrecision());
        number(set, "hit_recall", f.hitRecall());
        set.put("model_alerts", f.modelAlerts());
        set.put("alerts", f.alerts());
        set.put("alerts_added", f.added());
        set.put("alerts_removed", f.removed());
        set.put("block_recommended", f.blockRecommended());
        set.put("failures", f.failures());
        number(set, "model_alert_rate", f.modelAlertRate());
        number(set, "alert_rate", f.alertRate());
        number(set, "alert_rate_change_points", f.alertRateChangePoints());
        number(set, "alert_rate_change_relative", f.alertRateChangeRelative());
        number(set, "model_precision", f.modelPrecision());
        number(set, "model_recall", f.modelRecall());
        number(set, "precision", f.precision());
        number(set, "recall", f.recall());
        ArrayNode rules = root.putArray("rules");
        for (BacktestReport.RuleFigures x : r.rules()) {
            ObjectNode o = rules.addObject().put("name", x.name()).put("action", x.action())
                    .put("priority", x.priority()).put("expression", x.expression()).put("hits", x.hits());
            number(o, "hits_per_day", x.hitsPerDay());
            number(o, "precision", x.precision());
            number(o, "recall", x.recall());
            o.put("decided", x.decided()).put("alerts_added", x.added()).put("alerts_removed", x.removed())
                    .put("failures", x.failures());
        }
        ArrayNode examples = root.putArray("examples");
        for (BacktestReport.Example e : r.examples()) {
            ObjectNode o = examples.addObject().put("rule", e.rule()).put("transaction_id", e.transactionId())
                    .put("card_token", e.cardToken()).put("time", e.time().toString()).put("amount", e.amount())
                    .put("currency", e.currency()).put("merchant", e.merchant()).put("category", e.category())
                    .put("channel", e.channel()).put("model_alert", e.modelAlert()).put("alert", e.alert())
                    .put("fired_rules", e.firedRules());
            number(o, "score", e.score());
            if (e.fraud() == null) {
                o.putNull("fraud");
            } else {
                o.put("fraud", e.fraud());
            }
        }
        ArrayNode daily = root.putArray("daily");
        for (BacktestReport.Day d : r.daily()) {
            ObjectNode o = daily.addObject().put("day", d.day().toString()).put("transactions", d.transactions())
                    .put("model_alerts", d.modelAlerts()).put("alerts", d.alerts()).put("set_hits", d.setHits());
            ArrayNode h = o.putArray("rule_hits");
            d.ruleHits().forEach(h::add);
        }
        return ReportFormat.json(JSON.writer(), root);
    }
}
