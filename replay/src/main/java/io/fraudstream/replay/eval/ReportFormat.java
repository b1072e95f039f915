package io.fraudstream.replay.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * The page scaffolding that replay's reports share ({@link ReportWriter} for {@code evaluate}, the backtest's
 * report writer): the HTML head, style and header list, escaping, number formatting, table rows in HTML and Markdown,
 * and the JSON rules. One copy, so the reports keep one look.
 */
public final class ReportFormat {

    private ReportFormat() {}

    /** A figure with 4 decimals; NaN (not computable) as {@code n/a}. */
    public static String num(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** Text escaped for HTML content and attribute values; null as empty. */
    public static String esc(String v) {
        return v == null ? "" : v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    /**
     * Starts a Markdown report: the title, then a list of the model and its alert threshold, the counts line and
     * one line per fact. Written as is: Markdown reports do not escape.
     */
    public static void markdownHeader(StringBuilder s, String title, String modelVersion, double threshold,
            String counts, Map<String, String> facts) {
        s.append("# ").append(title).append("\n\n");
        s.append("- Model: `").append(modelVersion).append("`, alert threshold ").append(num(threshold)).append('\n');
        s.append("- ").append(counts).append('\n');
        for (Map.Entry<String, String> f : facts.entrySet()) {
            s.append("- ").append(f.getKey()).append(": ").append(f.getValue()).append('\n');
        }
    }

    /** One Markdown table row: {@code | a | b |}, cells written as is. */
    public static void markdownRow(StringBuilder s, Object... cells) {
        s.append('|');
        for (Object c : cells) {
            s.append(' ').append(c).append(" |");
        }
        s.append('\n');
    }

    /**
     * Starts an HTML report: head with the title and the style sheet ({@code maxWidthPx}: the page width), the title
     * as heading, then the list of the model and its alert threshold, the counts line and the facts, all escaped.
     */
    public static void htmlHeader(StringBuilder s, String title, int maxWidthPx, String modelVersion,
            double threshold, String counts, Map<String, String> facts) {
        s.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title>\n<style>body{font-family:sans-serif;max-width:").append(maxWidthPx)
                .append("px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}"
                        + "td.n{text-align:right}img{margin:4px;border:1px solid #eee}</style></head><body>\n");
        s.append("<h1>").append(esc(title)).append("</h1>\n<ul>\n");
        // String.valueOf: an unknown model shows as "null", as in the Markdown report.
        s.append("<li>Model: <code>").append(esc(String.valueOf(modelVersion))).append("</code>, alert threshold ")
                .append(num(threshold)).append("</li>\n");
        s.append("<li>").append(esc(counts)).append("</li>\n");
        for (Map.Entry<String, String> f : facts.entrySet()) {
            s.append("<li>").append(esc(f.getKey())).append(": ").append(esc(f.getValue())).append("</li>\n");
        }
        s.append("</ul>\n");
    }

    /** Ends an HTML report started by {@link #htmlHeader}. */
    public static void htmlFooter(StringBuilder s) {
        s.append("</body></html>\n");
    }

    /** Opens an HTML table with its header row; the headers are escaped. */
    public static void tableHead(StringBuilder s, String... headers) {
        s.append("<table><tr>");
        for (String h : headers) {
            s.append("<th>").append(esc(h)).append("</th>");
        }
        s.append("</tr>\n");
    }

    /** One HTML table row of cells made by {@link #td} and {@link #tdNum}. */
    public static void row(StringBuilder s, String... cells) {
        s.append("<tr>");
        for (String c : cells) {
            s.append(c);
        }
        s.append("</tr>\n");
    }

    /** A left-aligned cell; {@code html} is written as is (escape text first). */
    public static String td(Object html) {
        return "<td>" + html + "</td>";
    }

    /** A right-aligned (numeric) cell; {@code html} is written as is. */
    public static String tdNum(Object html) {
        return "<td class=\"n\">" + html + "</td>";
    }

    /** Text as escaped inline code. */
    public static String code(String text) {
        return "<code>" + esc(text) + "</code>";
    }

    /** A PNG embedded as a base64 data URL, on its own line. */
    public static void image(StringBuilder s, String alt, byte[] png) {
        s.append("<img alt=\"").append(esc(alt)).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\">\n");
    }

    /** Puts a figure into a JSON object; non-finite (NaN, infinite) as null, which JSON has no number for. */
    public static void number(ObjectNode node, String key, double v) {
        if (Double.isFinite(v)) {
            node.put(key, v);
        } else {
            node.putNull(key);
        }
    }

    /** The text of {@code report.json}: {@code root} through {@code writer}, with a final newline. */
    public static String json(ObjectWriter writer, JsonNode root) {
        try {
            return writer.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException x) {
            throw new IllegalStateException("cannot write report.json", x);
        }
    }
}
