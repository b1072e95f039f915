package io.fraudstream.console.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.console.db.AuditLog;
import io.fraudstream.console.db.Database;
import io.fraudstream.trainer.ModelRegistry;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model owner's side: champion, shadow and the registry's decisions, and promote / roll back through the
 * trainer's {@link ModelRegistry} (the very methods {@code trainer promote} and {@code trainer rollback} call: the
 * bundle is loaded and verified, the descriptor issued to {@code model-updates}, the decision logged). Every action,
 * done or refused, is written to the audit log.
 */
public final class ModelService {

    private final ModelRegistry registry;
    private final Database db;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();

    /** {@code registry} null: no model store configured; the page says so and actions are refused. */
    public ModelService(ModelRegistry registry, Database db, Clock clock) {
        this.registry = registry;
        this.db = db;
        this.clock = clock;
    }

    public boolean configured() {
        return registry != null;
    }

    /** Champion, shadow and the latest decisions (newest first, each a parsed decisions.log line). */
    public Map<String, Object> status(int decisions) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("configured", configured());
        if (!configured()) {
            return m;
        }
        m.put("champion", registry.champion().map(ModelService::describe).orElse(null));
        m.put("shadow", registry.shadow().map(ModelService::describe).orElse(null));
        m.put("shadowSince", registry.shadowSince().map(Object::toString).orElse(null));
        List<String> lines = registry.decisions();
        List<Object> parsed = new ArrayList<>();
        for (int i = lines.size() - 1; i >= 0 && parsed.size() < decisions; i--) {
            String line = lines.get(i).trim();
            if (!line.isEmpty()) {
                try {
                    parsed.add(json.readValue(line, Map.class));
                } catch (Exception e) {
                    parsed.add(Map.of("unparsed", line));
                }
            }
        }
        m.put("decisions", parsed);
        return m;
    }

    /** Promotes {@code version} (must be newer than the champion); audited as PROMOTE or PROMOTE_REFUSED. */
    public synchronized ModelDescriptor promote(String version, String user) throws Exception {
        requireConfigured();
        try {
            ModelDescriptor d = registry.promote(version, "promoted in the console by " + user, Map.of("by", user));
            audit(user, "PROMOTE", version, "champion is now " + d.getModelVersion());
            return d;
        } catch (Exception e) {
            audit(user, "PROMOTE_REFUSED", version, String.valueOf(e.getMessage()));
            throw e;
        }
    }

    /** Retires the shadow, or restores the previous champion; audited as ROLLBACK (or ROLLBACK_REFUSED). */
    public synchronized ModelRegistry.Rollback rollback(String user) throws Exception {
        requireConfigured();
        try {
            ModelRegistry.Rollback r = registry.rollback("rolled back in the console by " + user);
            audit(user, "ROLLBACK", r.descriptor().map(ModelDescriptor::getModelVersion).orElse(null), r.action());
            return r;
        } catch (Exception e) {
            audit(user, "ROLLBACK_REFUSED", null, String.valueOf(e.getMessage()));
            throw e;
        }
    }

    private void requireConfigured() {
        if (!configured()) {
            throw new IllegalStateException("no model store configured (console.model.store)");
        }
    }

    private void audit(String user, String action, String target, String detail) throws Exception {
        try (Connection c = db.connection()) {
            AuditLog.append(c, clock.millis(), user, action, target, detail);
        }
    }

    private static Map<String, Object> describe(ModelDescriptor d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", d.getModelVersion());
        m.put("role", d.getRole().name());
        m.put("createdAt", d.getCreatedAt().toString());
        m.put("sha256", d.getSha256());
        return m;
    }

    /** For callers that only need the champion's version. */
    public Optional<String> championVersion() throws Exception {
        return configured() ? registry.champion().map(ModelDescriptor::getModelVersion) : Optional.empty();
    }
}
