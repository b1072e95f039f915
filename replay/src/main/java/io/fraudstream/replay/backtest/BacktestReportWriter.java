package io.fraudstream.replay.backtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fraudstream.replay.eval.Charts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
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

    static String num(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
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
        s.append("# ").append(r.title()).append("\n\n");
        s.append("- Model: `").append(r.modelVersion()).append("`, alert threshold ").append(num(r.threshold()))
                .append('\n');
        s.append("- Events in the window: ").append(r.transactions()).append(" (labelled: ").append(r.labelled())
                .append(", frauds: ").append(r.frauds()).append(")\n");
        for (Map.Entry<String, String> f : r.facts().entrySet()) {
            s.append("- ").append(f.getKey()).append(": ").append(f.getValue()).append('\n');
        }
        s.append("\n## Whole set\n\n| Figure | Value |\n|---|---|\n");
        headline(r).forEach((k, v) -> s.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        s.append("\n## Per rule (highest priority first)\n\n");
        s.append("| Rule | Action | Priority | Hits | Hits/day | Precision | Recall | Decided | Alerts added |"
                + " Alerts removed | Failures |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (BacktestReport.RuleFigures f : r.rules()) {
            s.append("| `").append(f.name()).append("` | ").append(f.action()).append(" | ").append(f.priority())
                    .append(" | ").append(f.hits()).append(" | ").append(perDay(f.hitsPerDay())).append(" | ")
                    .append(num(f.precision())).append(" | ").append(num(f.recall())).append(" | ")
                    .append(f.decided()).append(" | ").append(f.added()).append(" | ").append(f.removed())
                    .append(" | ").append(f.failures()).append(" |\n");
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
            s.append("| `").append(e.rule()).append("` | ").append(e.time()).append(" | ").append(md(e.cardToken()))
                    .append(" | ").append(String.format(Locale.ROOT, "%.2f %s", e.amount(), e.currency()))
                    .append(" | ").append(md(e.merchant())).append(" | ").append(md(e.category())).append(" | ")
                    .append(e.channel()).append(" | ").append(num(e.score())).append(" | ").append(e.modelAlert())
                    .append(" | ").append(e.alert()).append(" | ").append(md(e.firedRules())).append(" | ")
                    .append(e.fraud() == null ? "?" : e.fraud()).append(" |\n");
        }
        s.append("\n## Daily series (UTC days)\n\n| Day | Events | Model alerts | Alerts with rules | Set hits |");
        for (BacktestReport.RuleFigures f : r.rules()) {
            s.append(" `").append(f.name()).append("` |");
        }
        s.append("\n|---|---:|---:|---:|---:|").append("---:|".repeat(r.rules().size())).append('\n');
        for (BacktestReport.Day d : r.daily()) {
            s.append("| ").append(d.day()).append(" | ").append(d.transactions()).append(" | ").append(d.modelAlerts())
                    .append(" | ").append(d.alerts()).append(" | ").append(d.setHits()).append(" |");
            for (Long h : d.ruleHits()) {
                s.append(' ').append(h).append(" |");
            }
            s.append('\n');
        }
        return s.toString();
    }

    private static String md(String v) {
        return v == null ? "" : v.replace("|", "\\|");
    }

    private static String esc(String v) {
        return v == null ? "" : v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    public static String html(BacktestReport r, byte[] chart) {
        StringBuilder s = new StringBuilder();
        s.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(r.title()))
                .append("</title>\n<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}"
                        + "td.n{text-align:right}img{margin:4px;border:1px solid #eee}</style></head><body>\n");
        s.append("<h1>").append(esc(r.title())).append("</h1>\n<ul>\n");
        s.append("<li>Model: <code>").append(esc(String.valueOf(r.modelVersion()))).append("</code>, alert threshold ")
                .append(num(r.threshold())).append("</li>\n");
        s.append("<li>Events in the window: ").append(r.transactions()).append(" (labelled: ").append(r.labelled())
                .append(", frauds: ").append(r.frauds()).append(")</li>\n");
        for (Map.Entry<String, String> f : r.facts().entrySet()) {
            s.append("<li>").append(esc(f.getKey())).append(": ").append(esc(f.getValue())).append("</li>\n");
        }
        s.append("</ul>\n<h2>Whole set</h2>\n<table><tr><th>Figure</th><th>Value</th></tr>\n");
        headline(r).forEach((k, v) -> s.append("<tr><td>").append(esc(k)).append("</td><td>").append(esc(v))
                .append("</td></tr>\n"));
        s.append("</table>\n<h2>Per rule</h2>\n<table><tr><th>Rule</th><th>Action</th><th>Priority</th><th>Hits</th>"
                + "<th>Hits/day</th><th>Precision</th><th>Recall</th><th>Decided</th><th>Alerts added</th>"
                + "<th>Alerts removed</th><th>Failures</th><th>Expression</th></tr>\n");
        for (BacktestReport.RuleFigures f : r.rules()) {
            s.append("<tr><td><code>").append(esc(f.name())).append("</code></td><td>").append(f.action())
                    .append("</td><td class=\"n\">").append(f.priority()).append("</td><td class=\"n\">")
                    .append(f.hits()).append("</td><td class=\"n\">").append(perDay(f.hitsPerDay()))
                    .append("</td><td class=\"n\">").append(num(f.precision())).append("</td><td class=\"n\">")
                    .append(num(f.recall())).append("</td><td class=\"n\">").append(f.decided())
                    .append("</td><td class=\"n\">").append(f.added()).append("</td><td class=\"n\">")
                    .append(f.removed()).append("</td><td class=\"n\">").append(f.failures())
                    .append("</td><td><code>").append(esc(f.expression())).append("</code></td></tr>\n");
        }
        s.append("</table>\n<h2>Hits per day</h2>\n<img alt=\"hits per day\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(chart)).append("\">\n");
        s.append("<h2>Examples of hits</h2>\n<table><tr><th>Rule</th><th>Time (UTC)</th><th>Card token</th>"
                + "<th>Amount</th><th>Merchant</th><th>Category</th><th>Channel</th><th>Score</th>"
                + "<th>Model alert</th><th>Alert</th><th>Fired rules</th><th>Fraud</th></tr>\n");
        for (BacktestReport.Example e : r.examples()) {
            s.append("<tr><td><code>").append(esc(e.rule())).append("</code></td><td>").append(e.time())
                    .append("</td><td>").append(esc(e.cardToken())).append("</td><td class=\"n\">")
                    .append(esc(String.format(Locale.ROOT, "%.2f %s", e.amount(), e.currency())))
                    .append("</td><td>").append(esc(e.merchant())).append("</td><td>").append(esc(e.category()))
                    .append("</td><td>").append(esc(e.channel())).append("</td><td class=\"n\">")
                    .append(num(e.score())).append("</td><td>").append(e.modelAlert()).append("</td><td>")
                    .append(e.alert()).append("</td><td>").append(esc(e.firedRules())).append("</td><td>")
                    .append(e.fraud() == null ? "?" : e.fraud()).append("</td></tr>\n");
        }
        s.append("</table>\n<h2>Daily series (UTC days)</h2>\n<table><tr><th>Day</th><th>Events</th>"
                + "<th>Model alerts</th><th>Alerts with rules</th><th>Set hits</th>");
        for (BacktestReport.RuleFigures f : r.rules()) {
            s.append("<th>").append(esc(f.name())).append("</th>");
        }
        s.append("</tr>\n");
        for (BacktestReport.Day d : r.daily()) {
            s.append("<tr><td>").append(d.day()).append("</td><td class=\"n\">").append(d.transactions())
                    .append("</td><td class=\"n\">").append(d.modelAlerts()).append("</td><td class=\"n\">")
                    .append(d.alerts()).append("</td><td class=\"n\">").append(d.setHits()).append("</td>");
            for (Long h : d.ruleHits()) {
                s.append("<td class=\"n\">").append(h).append("</td>");
            }
            s.append("</tr>\n");
        }
        s.append("</table>\n</body></html>\n");
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
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException x) {
            throw new IllegalStateException("cannot write report.json", x);
        }
    }

    private static void number(ObjectNode node, String key, double v) {
        if (Double.isFinite(v)) {
            node.put(key, v);
        } else {
            node.putNull(key);
        }
    }
}
