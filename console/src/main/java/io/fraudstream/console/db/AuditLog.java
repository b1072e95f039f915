package io.fraudstream.console.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The append-only audit log: who did what, when. Entries are written in the same database transaction as the change
 * they record, so there is no change without its entry. The database refuses UPDATE and DELETE on the table.
 */
public final class AuditLog {

    /** One entry. */
    public record Entry(long id, long at, String actor, String action, String target, String detail) {}

    private AuditLog() {}

    public static void append(Connection c, long at, String actor, String action, String target, String detail)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit_log (happened_at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)")) {
            ps.setLong(1, at);
            ps.setString(2, actor);
            ps.setString(3, action);
            ps.setString(4, target);
            ps.setString(5, detail == null ? null : truncate(detail, 4000));
            ps.executeUpdate();
        }
    }

    public static List<Entry> latest(Connection c, int limit) throws SQLException {
        List<Entry> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, happened_at, actor, action, target, detail"
                + " FROM audit_log ORDER BY id DESC LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6)));
                }
            }
        }
        return out;
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
