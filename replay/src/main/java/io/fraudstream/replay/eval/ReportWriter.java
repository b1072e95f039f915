package io.fraudstream.replay.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an {@link Evaluation} as {@code report.md}, {@code report.html} (charts embedded as base64 PNG) and
 * {@code report.json}, plus the charts as {@code roc.png}, {@code pr.png} and {@code histogram.png}, into a
 * directory.
 */
public final class ReportWriter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter().withSeparators(
            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));

    private ReportWriter() {}

    public static void write(Evaluation e, Path dir) throws IOException {
        Files.createDirectories(dir);
        byte[] roc = Charts.roc(e.curve(), e.auc());
        byte[] pr = Charts.precisionRecall(e.curve(), e.averagePrecision(), e.baseRate());
        byte[] hist = Charts.histogram(e.scores(), e.fraud(), 50);
        Files.write(dir.resolve("roc.png"), roc);
        Files.write(dir.resolve("pr.png"), pr);
        Files.write(dir.resolve("histogram.png"), hist);
        Files.writeString(dir.resolve("report.md"), markdown(e), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.html"), html(e, roc, pr, hist), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.json"), json(e), StandardCharsets.UTF_8);
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String label(String key) {
        return switch (key) {
            case "auc_roc" -> "AUC-ROC";
            case "average_precision" -> "Average precision";
            case "card_precision_at_100_mean_daily" -> "Card precision@100 (mean of daily)";
            case "recall_at_fpr_0.1pct" -> "Recall at 0.1% FPR";
            case "recall_at_fpr_1pct" -> "Recall at 1% FPR";
            case "fpr_at_recall_80pct" -> "FPR at 80% recall";
            case "alert_rate_at_threshold" -> "Alert rate at the model threshold";
            case "precision_at_threshold" -> "Precision at the model threshold";
            case "recall_at_threshold" -> "Recall at the model threshold";
            default -> key;
        };
    }

    public static String markdown(Evaluation e) {
        StringBuilder s = new StringBuilder();
        s.append("# ").append(e.title()).append("\n\n");
        s.append("- Model: `").append(e.modelVersion()).append("`, alert threshold ").append(num(e.threshold())).append('\n');
        s.append("- Scored transactions: ").append(e.scored()).append(" (labelled frauds: ").append(e.frauds())
                .append(", unlabelled: ").append(e.unlabelled()).append(")\n");
        for (Map.Entry<String, String> f : e.facts().entrySet()) {
            s.append("- ").append(f.getKey()).append(": ").append(f.getValue()).append('\n');
        }
        s.append("\n| Metric | Value |\n|---|---:|\n");
        for (Map.Entry<String, Double> m : e.headline().entrySet()) {
            s.append("| ").append(label(m.getKey())).append(" | ").append(num(m.getValue())).append(" |\n");
        }
        s.append("\nCharts: [ROC](roc.png), [precision-recall](pr.png), [score histogram](histogram.png).\n");
        s.append("\n## Daily series (UTC days)\n\n");
        s.append("| Day | Transactions | Frauds | Alerts | Compromised cards | Card precision@100 |\n");
        s.append("|---|---:|---:|---:|---:|---:|\n");
        for (Evaluation.Day d : e.days()) {
            s.append("| ").append(d.day()).append(" | ").append(d.transactions()).append(" | ").append(d.frauds())
                    .append(" | ").append(d.alerts()).append(" | ").append(d.compromisedCards()).append(" | ")
                    .append(num(d.cardPrecision100())).append(" |\n");
        }
        return s.toString();
    }

    private static String esc(String v) {
        return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    public static String html(Evaluation e, byte[] roc, byte[] pr, byte[] hist) {
        StringBuilder s = new StringBuilder();
        s.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(e.title()))
                .append("</title>\n<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}"
                        + "td.n{text-align:right}img{margin:4px;border:1px solid #eee}</style></head><body>\n");
        s.append("<h1>").append(esc(e.title())).append("</h1>\n<ul>\n");
        s.append("<li>Model: <code>").append(esc(String.valueOf(e.modelVersion()))).append("</code>, alert threshold ")
                .append(num(e.threshold())).append("</li>\n");
        s.append("<li>Scored transactions: ").append(e.scored()).append(" (labelled frauds: ").append(e.frauds())
                .append(", unlabelled: ").append(e.unlabelled()).append(")</li>\n");
        for (Map.Entry<String, String> f : e.facts().entrySet()) {
            s.append("<li>").append(esc(f.getKey())).append(": ").append(esc(f.getValue())).append("</li>\n");
        }
        s.append("</ul>\n<table><tr><th>Metric</th><th>Value</th></tr>\n");
        for (Map.Entry<String, Double> m : e.headline().entrySet()) {
            s.append("<tr><td>").append(label(m.getKey())).append("</td><td class=\"n\">").append(num(m.getValue()))
                    .append("</td></tr>\n");
        }
        s.append("</table>\n<h2>Charts</h2>\n");
        for (byte[] png : new byte[][] {roc, pr, hist}) {
            s.append("<img alt=\"chart\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png))
                    .append("\">\n");
        }
        s.append("<h2>Daily series (UTC days)</h2>\n<table><tr><th>Day</th><th>Transactions</th><th>Frauds</th>"
                + "<th>Alerts</th><th>Compromised cards</th><th>Card precision@100</th></tr>\n");
        for (Evaluation.Day d : e.days()) {
            s.append("<tr><td>").append(d.day()).append("</td><td class=\"n\">").append(d.transactions())
                    .append("</td><td class=\"n\">").append(d.frauds()).append("</td><td class=\"n\">").append(d.alerts())
                    .append("</td><td class=\"n\">").append(d.compromisedCards()).append("</td><td class=\"n\">")
                    .append(num(d.cardPrecision100())).append("</td></tr>\n");
        }
        s.append("</table>\n</body></html>\n");
        return s.toString();
    }

    /** {@code report.json}: pretty-printed ("key": value), non-finite numbers as null. */
    public static String json(Evaluation e) {
        ObjectNode root = JSON.createObjectNode();
        root.put("title", e.title());
        root.put("model_version", e.modelVersion());
        number(root, "threshold", e.threshold());
        root.put("scored", e.scored());
        root.put("unlabelled", e.unlabelled());
        root.put("frauds", e.frauds());
        ObjectNode facts = root.putObject("facts");
        e.facts().forEach(facts::put);
        ObjectNode metrics = root.putObject("metrics");
        e.headline().forEach((k, v) -> number(metrics, k, v));
        ArrayNode daily = root.putArray("daily");
        for (Evaluation.Day d : e.days()) {
            ObjectNode day = daily.addObject().put("day", d.day().toString()).put("transactions", d.transactions())
                    .put("frauds", d.frauds()).put("alerts", d.alerts()).put("compromised_cards", d.compromisedCards());
            number(day, "card_precision_at_100", d.cardPrecision100());
        }
        try {
            return JSON.writer(PRETTY).writeValueAsString(root) + "\n";
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
