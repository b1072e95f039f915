package io.fraudstream.replay.eval;

import static io.fraudstream.replay.eval.ReportFormat.htmlFooter;
import static io.fraudstream.replay.eval.ReportFormat.htmlHeader;
import static io.fraudstream.replay.eval.ReportFormat.image;
import static io.fraudstream.replay.eval.ReportFormat.markdownHeader;
import static io.fraudstream.replay.eval.ReportFormat.markdownRow;
import static io.fraudstream.replay.eval.ReportFormat.number;
import static io.fraudstream.replay.eval.ReportFormat.row;
import static io.fraudstream.replay.eval.ReportFormat.tableHead;
import static io.fraudstream.replay.eval.ReportFormat.td;
import static io.fraudstream.replay.eval.ReportFormat.tdNum;

import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** Kept for the tests: the report's number format. */
    static String num(double v) {
        return ReportFormat.num(v);
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
        markdownHeader(s, e.title(), e.modelVersion(), e.threshold(), counts(e), e.facts());
        s.append("\n| Metric | Value |\n|---|---:|\n");
        for (Map.Entry<String, Double> m : e.headline().entrySet()) {
            markdownRow(s, label(m.getKey()), num(m.getValue()));
        }
        s.append("\nCharts: [ROC](roc.png), [precision-recall](pr.png), [score histogram](histogram.png).\n");
        s.append("\n## Daily series (UTC days)\n\n");
        s.append("| Day | Transactions | Frauds | Alerts | Compromised cards | Card precision@100 |\n");
        s.append("|---|---:|---:|---:|---:|---:|\n");
        for (Evaluation.Day d : e.days()) {
            markdownRow(s, d.day(), d.transactions(), d.frauds(), d.alerts(), d.compromisedCards(),
                    num(d.cardPrecision100()));
        }
        return s.toString();
    }

    private static String counts(Evaluation e) {
        return "Scored transactions: " + e.scored() + " (labelled frauds: " + e.frauds() + ", unlabelled: "
                + e.unlabelled() + ")";
    }

    public static String html(Evaluation e, byte[] roc, byte[] pr, byte[] hist) {
        StringBuilder s = new StringBuilder();
        htmlHeader(s, e.title(), 1000, e.modelVersion(), e.threshold(), counts(e), e.facts());
        tableHead(s, "Metric", "Value");
        for (Map.Entry<String, Double> m : e.headline().entrySet()) {
            row(s, td(label(m.getKey())), tdNum(num(m.getValue())));
        }
        s.append("</table>\n<h2>Charts</h2>\n");
        for (byte[] png : new byte[][] {roc, pr, hist}) {
            image(s, "chart", png);
        }
        s.append("<h2>Daily series (UTC days)</h2>\n");
        tableHead(s, "Day", "Transactions", "Frauds", "Alerts", "Compromised cards", "Card precision@100");
        for (Evaluation.Day d : e.days()) {
            row(s, td(d.day()), tdNum(d.transactions()), tdNum(d.frauds()), tdNum(d.alerts()),
                    tdNum(d.compromisedCards()), tdNum(num(d.cardPrecision100())));
        }
        s.append("</table>\n");
        htmlFooter(s);
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
        return ReportFormat.json(JSON.writer(PRETTY), root);
    }
}
