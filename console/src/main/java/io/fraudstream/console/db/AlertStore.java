package io.fraudstream.console.db;

import io.fraudstream.schemas.CardNumbers;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudstream.avro.AttendedTransaction;
import io.fraudstream.avro.FeatureContribution;
import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.LabelValue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Alerts, labels and assignments in the console's database. Every state change writes its audit entry in the same
 * transaction; a label is committed only after the {@link LabelSink} acknowledged the {@code FraudLabel}.
 */
public final class AlertStore {

    /** Triage status of an alert. */
    public enum Status { NEW, IN_REVIEW, CLOSED }

    /** Queue ordering. */
    public enum Sort { NEWEST, SCORE }

    /** Queue filters; null fields do not filter. */
    public record Filter(Status status, Double minScore, Double maxScore, Long fromMillis, Long toMillis,
            String merchantId, String modelVersion) {
        public static final Filter NONE = new Filter(null, null, null, null, null, null, null);
    }

    /** A queue row (no explanation). */
    public record Row(String transactionId, String cardId, String merchantId, long amountMinor, String currency,
            double score, double threshold, String modelVersion, long eventTime, long scoredAt, String status,
            String assignee, String label) {}

    /** One label as given. */
    public record Label(String transactionId, String label, String note, String analyst, long labelledAt) {}

    /** An alert with its explanation and the card's earlier alerts and labels. */
    public record Detail(Row alert, Map<String, Object> explanation, List<Row> cardAlerts, List<Label> cardLabels) {}

    /** Outcome of ingesting one alert. */
    public enum Ingest { INSERTED, DUPLICATE, REJECTED }

    private static final String ROW_COLUMNS = "transaction_id, card_id, merchant_id, amount_minor, currency, score,"
            + " threshold, model_version, event_time, scored_at, status, assignee, label";

    private final Database db;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();

    public AlertStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Stores an alert once: a second delivery of the same transaction id is a {@link Ingest#DUPLICATE} and changes
     * nothing (fraud-alerts is at-least-once). An alert carrying what looks like a card number is refused
     * ({@link Ingest#REJECTED}, recorded in {@code rejected_alerts}).
     */
    public Ingest ingest(FraudAlert a, String topic, int partition, long offset) throws SQLException {
        var s = a.getScore();
        if (CardNumbers.containsPan(s.getCardId()) || CardNumbers.containsPan(a.getMerchantId())
                || CardNumbers.containsPan(s.getTransactionId())
                || a.getAttended().stream().anyMatch(t -> CardNumbers.containsPan(t.getTransactionId()))) {
            reject(topic, partition, offset, "CARD_NUMBER", "an id looks like a full card number; record withheld");
            return Ingest.REJECTED;
        }
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO alerts (transaction_id, card_id, merchant_id,"
                        + " amount_minor, currency, score, threshold, model_version, event_time, scored_at,"
                        + " received_at, status, explanation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, s.getTransactionId());
            ps.setString(2, s.getCardId());
            ps.setString(3, a.getMerchantId());
            ps.setLong(4, a.getAmountMinor());
            ps.setString(5, a.getCurrency());
            ps.setDouble(6, s.getScore());
            ps.setDouble(7, s.getThreshold());
            ps.setString(8, s.getModelVersion());
            ps.setLong(9, s.getEventTime().toEpochMilli());
            ps.setLong(10, s.getScoredAt().toEpochMilli());
            ps.setLong(11, clock.millis());
            ps.setString(12, Status.NEW.name());
            ps.setString(13, explanationJson(a));
            ps.executeUpdate();
            return Ingest.INSERTED;
        } catch (SQLException e) {
            if (Database.isDuplicateKey(e)) {
                return Ingest.DUPLICATE;
            }
            throw e;
        }
    }

    /** Records a fraud-alerts record the console could not take, with its reason. */
    public void reject(String topic, int partition, long offset, String reason, String message) throws SQLException {
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO rejected_alerts (topic, partition_no,"
                        + " record_offset, reason, message, rejected_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, topic);
            ps.setInt(2, partition);
            ps.setLong(3, offset);
            ps.setString(4, reason);
            ps.setString(5, message == null ? null : message.substring(0, Math.min(2000, message.length())));
            ps.setLong(6, clock.millis());
            ps.executeUpdate();
        }
    }

    /** Rejected records per reason. */
    public Map<String, Long> rejectedByReason() throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT reason, COUNT(*) FROM rejected_alerts GROUP BY reason ORDER BY reason");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    /** The queue: one page of alerts matching {@code f}, in {@code sort} order. */
    public List<Row> queue(Filter f, Sort sort, int limit, int offset) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ").append(ROW_COLUMNS).append(" FROM alerts WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (f.status() != null) {
            sql.append(" AND status = ?");
            args.add(f.status().name());
        }
        if (f.minScore() != null) {
            sql.append(" AND score >= ?");
            args.add(f.minScore());
        }
        if (f.maxScore() != null) {
            sql.append(" AND score <= ?");
            args.add(f.maxScore());
        }
        if (f.fromMillis() != null) {
            sql.append(" AND scored_at >= ?");
            args.add(f.fromMillis());
        }
        if (f.toMillis() != null) {
            sql.append(" AND scored_at < ?");
            args.add(f.toMillis());
        }
        if (f.merchantId() != null) {
            sql.append(" AND merchant_id = ?");
            args.add(f.merchantId());
        }
        if (f.modelVersion() != null) {
            sql.append(" AND model_version = ?");
            args.add(f.modelVersion());
        }
        // A unique tie-breaker keeps paging stable.
        sql.append(sort == Sort.SCORE ? " ORDER BY score DESC, transaction_id" : " ORDER BY scored_at DESC, transaction_id");
        sql.append(" LIMIT ? OFFSET ?");
        args.add(Math.max(1, Math.min(limit, 500)));
        args.add(Math.max(0, offset));
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            bind(ps, args);
            return rows(ps);
        }
    }

    /**
     * Alerts per status, for the queue's header: counted at most once a second (a count over millions of rows on
     * every queue request would dominate its latency).
     */
    public Map<String, Long> countsByStatus() throws SQLException {
        long now = System.nanoTime();
        CachedCounts c = cachedCounts;
        if (c != null && now - c.atNanos < 1_000_000_000L) {
            return c.counts;
        }
        Map<String, Long> counts = countByStatus();
        cachedCounts = new CachedCounts(now, counts);
        return counts;
    }

    private record CachedCounts(long atNanos, Map<String, Long> counts) {}

    private volatile CachedCounts cachedCounts;

    private Map<String, Long> countByStatus() throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Status s : Status.values()) {
            out.put(s.name(), 0L);
        }
        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("SELECT status, COUNT(*) FROM alerts GROUP BY status");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    public Optional<Detail> detail(String transactionId) throws SQLException {
        try (Connection c = db.connection()) {
            Row row;
            String explanation;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + ROW_COLUMNS + ", explanation FROM alerts WHERE transaction_id = ?")) {
                ps.setString(1, transactionId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    row = row(rs);
                    explanation = rs.getString(14);
                }
            }
            List<Row> cardAlerts;
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ROW_COLUMNS
                    + " FROM alerts WHERE card_id = ? AND transaction_id <> ? ORDER BY scored_at DESC LIMIT 20")) {
                ps.setString(1, row.cardId());
                ps.setString(2, transactionId);
                cardAlerts = rows(ps);
            }
            List<Label> labels = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT transaction_id, label, note, analyst, labelled_at"
                    + " FROM labels WHERE card_id = ? ORDER BY labelled_at DESC, id DESC LIMIT 50")) {
                ps.setString(1, row.cardId());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        labels.add(new Label(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getLong(5)));
                    }
                }
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> exp = json.readValue(explanation, Map.class);
            return Optional.of(new Detail(row, exp, cardAlerts, labels));
        } catch (JsonProcessingException e) {
            throw new SQLException("stored explanation of " + transactionId + " is not JSON", e);
        }
    }

    /** Assigns an open alert to {@code user} (status IN_REVIEW); false when there is no such open alert. */
    public boolean assign(String transactionId, String user) throws SQLException {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("UPDATE alerts SET assignee = ?, status = ?"
                    + " WHERE transaction_id = ? AND status <> ?")) {
                ps.setString(1, user);
                ps.setString(2, Status.IN_REVIEW.name());
                ps.setString(3, transactionId);
                ps.setString(4, Status.CLOSED.name());
                if (ps.executeUpdate() == 0) {
                    c.rollback();
                    return false;
                }
                AuditLog.append(c, clock.millis(), user, "ASSIGN", transactionId, "assigned to " + user);
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Labels an alert and closes it: the label row, the alert's status and the audit entry are committed together,
     * and only after {@code sink} acknowledged the {@code FraudLabel} (analyst id and time included). Empty when
     * there is no such alert. A label on an already labelled alert is refused (IllegalStateException): a correction is
     * a new decision, not an overwrite.
     */
    public Optional<FraudLabel> label(String transactionId, LabelValue value, String note, String analyst,
            LabelSink sink, String action) throws Exception {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                Row row;
                // Row lock: two analysts labelling the same alert at once cannot both win.
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT " + ROW_COLUMNS + " FROM alerts WHERE transaction_id = ? FOR UPDATE")) {
                    ps.setString(1, transactionId);
                    List<Row> found = rows(ps);
                    if (found.isEmpty()) {
                        c.rollback();
                        return Optional.empty();
                    }
                    row = found.get(0);
                }
                if (row.label() != null) {
                    c.rollback();
                    throw new IllegalStateException("alert " + transactionId + " is already labelled " + row.label());
                }
                long now = clock.millis();
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO labels (transaction_id, card_id,"
                        + " merchant_id, label, note, analyst, labelled_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, transactionId);
                    ps.setString(2, row.cardId());
                    ps.setString(3, row.merchantId());
                    ps.setString(4, value.name());
                    ps.setString(5, note == null || note.isBlank() ? null : note.substring(0, Math.min(2000, note.length())));
                    ps.setString(6, analyst);
                    ps.setLong(7, now);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE alerts SET status = ?, label = ?,"
                        + " assignee = COALESCE(assignee, ?) WHERE transaction_id = ?")) {
                    ps.setString(1, Status.CLOSED.name());
                    ps.setString(2, value.name());
                    ps.setString(3, analyst);
                    ps.setString(4, transactionId);
                    ps.executeUpdate();
                }
                AuditLog.append(c, now, analyst, action, transactionId,
                        value.name() + (note == null || note.isBlank() ? "" : ": " + note));
                FraudLabel label = FraudLabel.newBuilder()
                        .setTransactionId(transactionId)
                        .setCardId(row.cardId())
                        .setLabel(value)
                        .setReportedAt(java.time.Instant.ofEpochMilli(now))
                        .setSource("ANALYST")
                        .setMerchantId(row.merchantId())
                        .setTerminalId(null)
                        .setTransactionTime(java.time.Instant.ofEpochMilli(row.eventTime()))
                        .setReportedBy(analyst)
                        .build();
                sink.send(label);
                c.commit();
                return Optional.of(label);
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
    }

    public List<AuditLog.Entry> audit(int limit) throws SQLException {
        try (Connection c = db.connection()) {
            return AuditLog.latest(c, limit);
        }
    }

    private String explanationJson(FraudAlert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reasons", new ArrayList<>(a.getReasons()));
        List<Map<String, Object>> attended = new ArrayList<>();
        for (AttendedTransaction t : a.getAttended()) {
            attended.add(Map.of("transactionId", t.getTransactionId(), "eventTime", t.getEventTime().toEpochMilli(),
                    "weight", t.getWeight()));
        }
        m.put("attended", attended);
        List<Map<String, Object>> contributions = new ArrayList<>();
        for (FeatureContribution f : a.getContributions()) {
            contributions.add(Map.of("feature", f.getFeature(), "value", finite(f.getValue()),
                    "contribution", finite(f.getContribution())));
        }
        m.put("contributions", contributions);
        try {
            return json.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0.0;
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object o = args.get(i);
            if (o instanceof String s) {
                ps.setString(i + 1, s);
            } else if (o instanceof Double d) {
                ps.setDouble(i + 1, d);
            } else if (o instanceof Long l) {
                ps.setLong(i + 1, l);
            } else if (o instanceof Integer n) {
                ps.setInt(i + 1, n);
            } else {
                throw new IllegalArgumentException("unsupported parameter " + o);
            }
        }
    }

    private static List<Row> rows(PreparedStatement ps) throws SQLException {
        List<Row> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(row(rs));
            }
        }
        return out;
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
                rs.getDouble(6), rs.getDouble(7), rs.getString(8), rs.getLong(9), rs.getLong(10), rs.getString(11),
                rs.getString(12), rs.getString(13));
    }
}
