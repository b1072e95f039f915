package io.fraudstream.console.rules;

import io.fraudstream.avro.RuleDefinition;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.console.db.AuditLog;
import io.fraudstream.console.db.Database;
import io.fraudstream.rules.CompiledRuleSet;
import io.fraudstream.rules.RuleSetFiles;
import io.fraudstream.rules.RuleSets;
import io.fraudstream.trainer.RulePublisher;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Rule authoring in the console: the set in force and its history (read from the rules topic as the job reads it),
 * drafts (candidate sets, saved only when every rule compiles, in {@code rule_drafts}), backtests of a draft on a
 * configured replay input, and activation / disabling through {@link RulePublisher} (the code of
 * {@code fraudstream rules publish|disable}, signed with the model-signing key of {@code console.model.keys}). Every
 * draft, backtest, activation and disable, done or refused, is written to the append-only audit log with the
 * rule-set version. Roles are enforced by the web server (activation and disabling: model owner only).
 */
public final class RulesService implements AutoCloseable {

    /** Runs a candidate set over a replay window; the report is a JSON-ready map without card numbers. */
    @FunctionalInterface
    public interface Backtester {
        Map<String, Object> run(RuleSet candidate, Path input, LocalDate from, LocalDate to) throws Exception;
    }

    /** A backtest job's state, polled by the page. */
    public record Job(String id, long draftId, String state, Map<String, Object> report, String error) {}

    private static final int MAX_QUEUED_BACKTESTS = 2;

    private final RulePublisher publisher;
    private final String notConfigured;
    private final Database db;
    private final Clock clock;
    private final List<Path> replayInputs;
    private final Backtester backtester;
    private final ThreadPoolExecutor backtests;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();

    /**
     * {@code publisher} null: no signing key, the page says so ({@code notConfigured} names the setting) and
     * activation is refused. {@code backtester} null: no backtest in this build.
     */
    public RulesService(RulePublisher publisher, String notConfigured, Database db, Clock clock, List<Path> replayInputs,
            Backtester backtester) {
        this.publisher = publisher;
        this.notConfigured = notConfigured;
        this.db = db;
        this.clock = clock;
        this.replayInputs = List.copyOf(replayInputs);
        this.backtester = backtester;
        // One backtest at a time (each runs a bounded replay); a couple may wait; more are refused.
        this.backtests = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(MAX_QUEUED_BACKTESTS), r -> {
                    Thread t = new Thread(r, "console-backtest");
                    t.setDaemon(true);
                    return t;
                });
    }

    public boolean configured() {
        return publisher != null;
    }

    /** The set in force, the topic's history (newest first), the latest drafts and the replay inputs. */
    public Map<String, Object> status() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("configured", configured());
        m.put("notConfigured", configured() ? null : notConfigured);
        m.put("backtestAvailable", backtester != null && !replayInputs.isEmpty());
        List<String> inputs = new ArrayList<>();
        replayInputs.forEach(p -> inputs.add(p.toString()));
        m.put("replayInputs", inputs);
        if (configured()) {
            m.put("topic", publisher.topic());
            RulePublisher.History h;
            try {
                h = publisher.history();
            } catch (RuntimeException e) {
                m.put("topicError", String.valueOf(e.getMessage())); // e.g. the topic does not exist yet
                m.put("inForce", null);
                m.put("history", List.of());
                m.put("drafts", drafts(20));
                return m;
            }
            m.put("inForce", h.inForce().map(RulesService::describe).orElse(null));
            List<Object> history = new ArrayList<>();
            for (int i = h.entries().size() - 1; i >= 0 && history.size() < 50; i--) {
                RulePublisher.Entry e = h.entries().get(i);
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("offset", e.offset());
                x.put("accepted", e.accepted());
                x.put("refusal", e.refusal());
                if (e.set() != null) {
                    x.put("name", e.set().getName());
                    x.put("version", e.set().getVersion());
                    x.put("issuedBy", e.set().getIssuedBy());
                    x.put("issuedAt", e.set().getIssuedAt().toEpochMilli());
                    x.put("rules", e.set().getRules().size());
                }
                history.add(x);
            }
            m.put("history", history);
        }
        m.put("drafts", drafts(20));
        return m;
    }

    /**
     * Checks a candidate set (its JSON file form) and saves it as a draft; audited as RULES_DRAFT. Refused (nothing
     * saved, audited as RULES_DRAFT_REFUSED) with the parser's or the compiler's message.
     */
    public Map<String, Object> saveDraft(String setJson, String user) throws Exception {
        RuleSet set;
        CompiledRuleSet compiled;
        try {
            set = RuleSetFiles.parse(setJson == null ? "" : setJson, "draft");
            compiled = RuleSets.compile(set, new io.fraudstream.rules.RuleCompiler());
        } catch (RuleSetFiles.FormatException | RuleSets.RefusedException e) {
            audit(user, "RULES_DRAFT_REFUSED", null, e.getMessage());
            throw new InvalidRuleSetException(e.getMessage());
        }
        Long base = configured() ? publisher.inForce().map(RuleSet::getVersion).orElse(null) : null;
        String json = RuleSetFiles.toJson(set);
        long id;
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO rule_drafts (created_at, author, set_name,"
                    + " base_version, rule_count, rule_set) VALUES (?, ?, ?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setLong(1, clock.millis());
                ps.setString(2, user);
                ps.setString(3, set.getName());
                if (base == null) {
                    ps.setNull(4, Types.BIGINT);
                } else {
                    ps.setLong(4, base);
                }
                ps.setInt(5, set.getRules().size());
                ps.setString(6, json);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong(1);
                }
                AuditLog.append(c, clock.millis(), user, "RULES_DRAFT", "draft " + id + " of " + set.getName()
                        + " (in force: " + (base == null ? "none" : "v" + base) + ")", json);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.put("id", id);
        m.put("rules", set.getRules().size());
        m.put("enabled", compiled.size());
        m.put("baseVersion", base);
        return m;
    }

    /** One draft with its rules, or empty. */
    public Optional<Map<String, Object>> draft(long id) throws Exception {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(DRAFT_COLUMNS
                + " WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Map<String, Object> m = draftRow(rs);
                String json = rs.getString("rule_set");
                m.put("json", json);
                m.put("set", describe(RuleSetFiles.parse(json, "draft " + id)));
                return Optional.of(m);
            }
        }
    }

    /** Publishes a draft as the next version; audited as RULES_ACTIVATE with the version (or RULES_ACTIVATE_REFUSED). */
    public synchronized RuleSet activate(long draftId, String user) throws Exception {
        String target = "draft " + draftId;
        try {
            requireConfigured();
            Map<String, Object> d = draft(draftId).orElseThrow(() -> new IllegalArgumentException("no draft "
                    + draftId));
            if (d.get("activatedVersion") != null) {
                throw new IllegalStateException("draft " + draftId + " was already activated as v"
                        + d.get("activatedVersion"));
            }
            // A draft edits the set that was in force when it was saved: if another set was published since, the
            // draft would silently undo it. Refuse; the author loads the set in force and saves again.
            Long base = (Long) d.get("baseVersion");
            Long current = publisher.inForce().map(RuleSet::getVersion).orElse(null);
            if (!java.util.Objects.equals(base, current)) {
                throw new IllegalStateException("draft " + draftId + " was written against "
                        + (base == null ? "no rule set" : "v" + base) + " but v" + current + " is in force now:"
                        + " edit the set in force and save a new draft");
            }
            RuleSet candidate = RuleSet.newBuilder(RuleSetFiles.parse((String) d.get("json"), target)).setVersion(0)
                    .build();
            RuleSet published = publisher.publish(candidate, user);
            try (Connection c = db.connection()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("UPDATE rule_drafts SET activated_version = ?,"
                        + " activated_by = ?, activated_at = ? WHERE id = ?")) {
                    ps.setLong(1, published.getVersion());
                    ps.setString(2, user);
                    ps.setLong(3, clock.millis());
                    ps.setLong(4, draftId);
                    ps.executeUpdate();
                    AuditLog.append(c, clock.millis(), user, "RULES_ACTIVATE", published.getName() + " v"
                            + published.getVersion(), target + ": " + published.getRules().size() + " rules, "
                            + enabled(published) + " enabled");
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
            return published;
        } catch (Exception e) {
            audit(user, "RULES_ACTIVATE_REFUSED", target, String.valueOf(e.getMessage()));
            throw e;
        }
    }

    /** Disables one rule of the set in force ({@code rule} null: every rule); audited as RULES_DISABLE. */
    public synchronized RuleSet disable(String rule, String user) throws Exception {
        String target = rule == null ? "all rules" : "rule " + rule;
        try {
            requireConfigured();
            RuleSet published = rule == null ? publisher.disableAll(user) : publisher.disable(rule, user);
            audit(user, "RULES_DISABLE", published.getName() + " v" + published.getVersion(), target);
            return published;
        } catch (Exception e) {
            audit(user, "RULES_DISABLE_REFUSED", target, String.valueOf(e.getMessage()));
            throw e;
        }
    }

    /**
     * Starts a backtest of a draft on one of the configured replay inputs, between two dates (UTC, {@code to}
     * exclusive); returns the job to poll. Audited as RULES_BACKTEST when started and again with the figures when done.
     */
    public Job startBacktest(long draftId, String input, String from, String to, String user) throws Exception {
        if (backtester == null) {
            throw new IllegalStateException("backtests are not available in this console");
        }
        Path path = replayInputs.stream().filter(p -> p.toString().equals(input)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("input must be one of the configured replay inputs"
                        + " (console.rules.replay-inputs): " + replayInputs));
        LocalDate fromDate = date("from", from);
        LocalDate toDate = date("to", to);
        if (fromDate != null && toDate != null && !toDate.isAfter(fromDate)) {
            throw new IllegalArgumentException("to must be after from");
        }
        Map<String, Object> d = draft(draftId).orElseThrow(() -> new IllegalArgumentException("no draft " + draftId));
        RuleSet candidate = RuleSetFiles.parse((String) d.get("json"), "draft " + draftId);
        String id = UUID.randomUUID().toString();
        String window = path.getFileName() + " " + (fromDate == null ? "start" : fromDate) + " to "
                + (toDate == null ? "end" : toDate);
        Job queued = new Job(id, draftId, "QUEUED", null, null);
        jobs.put(id, queued);
        try {
            backtests.execute(() -> {
                jobs.put(id, new Job(id, draftId, "RUNNING", null, null));
                try {
                    Map<String, Object> report = backtester.run(candidate, path, fromDate, toDate);
                    jobs.put(id, new Job(id, draftId, "DONE", report, null));
                    audit(user, "RULES_BACKTEST_DONE", "draft " + draftId, window + ": " + summary(report));
                } catch (Exception | Error e) {
                    jobs.put(id, new Job(id, draftId, "FAILED", null, String.valueOf(e.getMessage())));
                    try {
                        audit(user, "RULES_BACKTEST_FAILED", "draft " + draftId, window + ": " + e.getMessage());
                    } catch (Exception ignored) {
                        // the job's state still says why
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            jobs.remove(id);
            throw new IllegalStateException("too many backtests waiting; try again when one is done");
        }
        audit(user, "RULES_BACKTEST", "draft " + draftId, window + " (job " + id + ")");
        return queued;
    }

    public Optional<Job> job(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    private static String summary(Map<String, Object> report) {
        StringBuilder s = new StringBuilder();
        for (String k : List.of("events", "hits", "alertsAdded", "alertsRemoved", "alertRateChange", "precision",
                "recall")) {
            if (report.get(k) != null) {
                s.append(s.length() == 0 ? "" : ", ").append(k).append(' ').append(report.get(k));
            }
        }
        return s.toString();
    }

    private static LocalDate date(String name, String v) {
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(v.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be a date YYYY-MM-DD, was '" + v + "'");
        }
    }

    private void requireConfigured() {
        if (!configured()) {
            throw new IllegalStateException(notConfigured);
        }
    }

    private static final String DRAFT_COLUMNS = "SELECT id, created_at, author, set_name, base_version, rule_count,"
            + " activated_version, activated_by, activated_at, rule_set FROM rule_drafts";

    private List<Map<String, Object>> drafts(int limit) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(DRAFT_COLUMNS
                + " ORDER BY id DESC LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(draftRow(rs));
                }
            }
        }
        return out;
    }

    private static Map<String, Object> draftRow(ResultSet rs) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rs.getLong("id"));
        m.put("createdAt", rs.getLong("created_at"));
        m.put("author", rs.getString("author"));
        m.put("name", rs.getString("set_name"));
        m.put("baseVersion", rs.getObject("base_version") == null ? null : rs.getLong("base_version"));
        m.put("rules", rs.getInt("rule_count"));
        m.put("activatedVersion", rs.getObject("activated_version") == null ? null : rs.getLong("activated_version"));
        m.put("activatedBy", rs.getString("activated_by"));
        m.put("activatedAt", rs.getObject("activated_at") == null ? null : rs.getLong("activated_at"));
        return m;
    }

    private static long enabled(RuleSet s) {
        return s.getRules().stream().filter(RuleDefinition::getEnabled).count();
    }

    /** A set as the page shows it (no signature bytes). */
    public static Map<String, Object> describe(RuleSet s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.getName());
        m.put("version", s.getVersion());
        m.put("issuedBy", s.getIssuedBy());
        Instant at = s.getIssuedAt();
        m.put("issuedAt", at == null ? null : at.toEpochMilli());
        m.put("signed", s.getSignature() != null);
        List<Object> rules = new ArrayList<>();
        for (RuleDefinition r : s.getRules()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", r.getName());
            x.put("priority", r.getPriority());
            x.put("action", r.getAction().name());
            x.put("expression", r.getExpression());
            x.put("enabled", r.getEnabled());
            x.put("description", r.getDescription());
            rules.add(x);
        }
        m.put("rules", rules);
        return m;
    }

    private void audit(String user, String action, String target, String detail) throws SQLException {
        try (Connection c = db.connection()) {
            AuditLog.append(c, clock.millis(), user, action, target, detail);
        }
    }

    @Override
    public void close() {
        backtests.shutdownNow();
        if (publisher != null) {
            publisher.close();
        }
    }

    /** A candidate set that does not parse or whose rules do not compile; the message is the parser's or compiler's. */
    public static final class InvalidRuleSetException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidRuleSetException(String message) {
            super(message);
        }
    }
}
