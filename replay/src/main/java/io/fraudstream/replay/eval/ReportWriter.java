package io.fraudstream.replay.eval;

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

    private static String jsonNum(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    private static String jsonStr(String v) {
        if (v == null) {
            return "null";
        }
        StringBuilder s = new StringBuilder("\"");
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.append('"').toString();
    }

    public static String json(Evaluation e) {
        StringBuilder s = new StringBuilder("{\n");
        s.append("  \"title\": ").append(jsonStr(e.title())).append(",\n");
        s.append("  \"model_version\": ").append(jsonStr(e.modelVersion())).append(",\n");
        s.append("  \"threshold\": ").append(jsonNum(e.threshold())).append(",\n");
        s.append("  \"scored\": ").append(e.scored()).append(",\n");
        s.append("  \"unlabelled\": ").append(e.unlabelled()).append(",\n");
        s.append("  \"frauds\": ").append(e.frauds()).append(",\n");
        s.append("  \"facts\": {");
        String sep = "\n";
        for (Map.Entry<String, String> f : e.facts().entrySet()) {
            s.append(sep).append("    ").append(jsonStr(f.getKey())).append(": ").append(jsonStr(f.getValue()));
            sep = ",\n";
        }
        s.append("\n  },\n  \"metrics\": {");
        sep = "\n";
        for (Map.Entry<String, Double> m : e.headline().entrySet()) {
            s.append(sep).append("    ").append(jsonStr(m.getKey())).append(": ").append(jsonNum(m.getValue()));
            sep = ",\n";
        }
        s.append("\n  },\n  \"daily\": [");
        sep = "\n";
        for (Evaluation.Day d : e.days()) {
            s.append(sep).append("    {\"day\": \"").append(d.day()).append("\", \"transactions\": ").append(d.transactions())
                    .append(", \"frauds\": ").append(d.frauds()).append(", \"alerts\": ").append(d.alerts())
                    .append(", \"compromised_cards\": ").append(d.compromisedCards())
                    .append(", \"card_precision_at_100\": ").append(jsonNum(d.cardPrecision100())).append('}');
            sep = ",\n";
        }
        s.append("\n  ]\n}\n");
        return s.toString();
    }
}
