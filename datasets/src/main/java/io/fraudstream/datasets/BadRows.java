package io.fraudstream.datasets;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rows a reader skipped, with line numbers and reasons. Bad input is reported and counted, never fatal.
 * Messages name the column and the problem but never echo the field's value: a shifted row could put a
 * card number into any column, and this report is printed and written into evaluation reports.
 */
public final class BadRows {

    /** One skipped row. */
    public record BadRow(long line, String reason) {}

    private final int keep;
    private final List<BadRow> first = new ArrayList<>();
    private final Map<String, Long> byReason = new TreeMap<>();
    private long count;

    /** Keeps the first {@code keep} rows in full; counts all of them. */
    public BadRows(int keep) {
        this.keep = keep;
    }

    public BadRows() {
        this(100);
    }

    public void add(long line, String reason) {
        count++;
        if (first.size() < keep) {
            first.add(new BadRow(line, reason));
        }
        byReason.merge(reason, 1L, Long::sum);
    }

    public long count() {
        return count;
    }

    /** The first rows skipped, in input order. */
    public List<BadRow> first() {
        return Collections.unmodifiableList(first);
    }

    /** Count per reason, sorted by reason. */
    public Map<String, Long> byReason() {
        return Collections.unmodifiableMap(byReason);
    }

    /** A human-readable summary: the count, then up to {@code lines} examples. */
    public void print(PrintStream out, String source, int lines) {
        if (count == 0) {
            return;
        }
        out.println(source + ": " + count + " bad row(s) skipped");
        int n = 0;
        for (BadRow row : first) {
            if (n++ >= lines) {
                break;
            }
            out.println("  line " + row.line() + ": " + row.reason());
        }
        if (count > n) {
            out.println("  ... " + (count - n) + " more");
        }
    }
}
