package io.fraudstream.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fraudstream.avro.RuleDefinition;
import io.fraudstream.avro.RuleSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The analyst's rule-set file: plain JSON, written by hand or by the console, read by {@code fraudstream backtest} and
 * (signed) by the publishing tools.
 *
 * <pre>{@code
 * {
 *   "name": "bank-rules",
 *   "version": 7,
 *   "rules": [
 *     {"name": "night_online_big", "priority": 30, "action": "ALERT",
 *      "expression": "channel == 'ONLINE' && (hour >= 22 || hour < 5) && amount_zscore > 3.0",
 *      "enabled": true, "description": "..."}
 *   ]
 * }
 * }</pre>
 *
 * <p>Set fields: {@code name} (string, required), {@code version} (integer &ge; 0, optional, 0), {@code rules} (array,
 * required, may be empty), {@code issuedBy} (string, optional, {@code ""}), {@code issuedAt} (ISO-8601 instant or
 * epoch milliseconds, optional, epoch 0). Rule fields: {@code name}, {@code priority} (int), {@code action}
 * ({@code ALERT}, {@code BLOCK_RECOMMENDED}, {@code SUPPRESS}, {@code TAG}) and {@code expression} (string), all
 * required; {@code enabled} (bool, optional, true) and {@code description} (string, optional, {@code ""}). An unknown
 * field, a missing required field, a value of the wrong type, a duplicate key or a bad action is refused with a
 * {@link FormatException} naming the field and, for a rule, its index and name. The result is always UNSIGNED
 * (signature null): a file is a candidate; whether its rules compile is {@link RuleSets#compile}'s business, and
 * only {@link RuleSetSigner} makes it publishable. A {@code signature} field is refused like any unknown field, so a
 * file never pretends to be signed.
 *
 * <p>Stateless and thread-safe.
 */
public final class RuleSetFiles {

    /** A rule-set file that is not valid JSON or not of the format above; the message names the field. */
    public static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;

        public FormatException(String message) {
            super(message);
        }

        FormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Set<String> SET_FIELDS = Set.of("name", "version", "rules", "issuedBy", "issuedAt");
    private static final Set<String> RULE_FIELDS =
            Set.of("name", "priority", "action", "expression", "enabled", "description");

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private RuleSetFiles() {}

    /** Reads and parses {@code file} (UTF-8); the file name is the source in error messages. */
    public static RuleSet read(Path file) throws IOException, FormatException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses a rule-set file's text; {@code source} (a file name, "request", ...) starts every error message. */
    public static RuleSet parse(String json, String source) throws FormatException {
        JsonNode root;
        try (JsonParser p = MAPPER.createParser(json)) {
            root = MAPPER.readTree(p);
        } catch (JsonProcessingException e) {
            throw new FormatException(source + ": not valid JSON: " + e.getOriginalMessage()
                    + location(e), e);
        } catch (IOException e) {
            throw new FormatException(source + ": unreadable: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new FormatException(source + ": a rule-set file is a JSON object");
        }
        String where = source;
        unknownFields(root, SET_FIELDS, where, "rule set");
        String name = text(root, "name", where, true, null);
        long version = 0;
        JsonNode v = root.get("version");
        if (v != null) {
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
                throw new FormatException(where + ": field 'version' must be an integer >= 0, not " + v);
            }
            version = v.asLong();
        }
        String issuedBy = text(root, "issuedBy", where, false, "");
        Instant issuedAt = instant(root.get("issuedAt"), where);
        JsonNode rules = root.get("rules");
        if (rules == null || rules.isNull()) {
            throw new FormatException(where + ": missing field 'rules' (an array, possibly empty)");
        }
        if (!rules.isArray()) {
            throw new FormatException(where + ": field 'rules' must be an array");
        }
        List<RuleDefinition> defs = new ArrayList<>(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            defs.add(rule(rules.get(i), i, where));
        }
        return RuleSet.newBuilder().setName(name).setVersion(version).setRules(defs).setIssuedAt(issuedAt)
                .setIssuedBy(issuedBy).setSignature(null).build();
    }

    /**
     * The file form of {@code set}: pretty-printed, fields always in the order of the class comment (issuedBy and
     * issuedAt only when set), every rule field written; the signature is not written.
     * {@code parse(toJson(s), ...)} equals {@code s} without its signature.
     */
    public static String toJson(RuleSet set) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("name", set.getName());
        root.put("version", set.getVersion());
        if (set.getIssuedBy() != null && !set.getIssuedBy().isEmpty()) {
            root.put("issuedBy", set.getIssuedBy());
        }
        if (set.getIssuedAt() != null && !Instant.EPOCH.equals(set.getIssuedAt())) {
            root.put("issuedAt", set.getIssuedAt().toString());
        }
        ArrayNode rules = root.putArray("rules");
        for (RuleDefinition r : set.getRules()) {
            ObjectNode o = rules.addObject();
            o.put("name", r.getName());
            o.put("priority", r.getPriority());
            o.put("action", r.getAction().name());
            o.put("expression", r.getExpression());
            o.put("enabled", r.getEnabled());
            o.put("description", r.getDescription());
        }
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree did not serialize", e); // cannot happen for a tree
        }
    }

    private static RuleDefinition rule(JsonNode node, int index, String source) throws FormatException {
        String where = source + ": rules[" + index + "]";
        if (!node.isObject()) {
            throw new FormatException(where + " must be a JSON object");
        }
        JsonNode n = node.get("name");
        if (n != null && n.isTextual()) {
            where += " (" + n.asText() + ")";
        }
        unknownFields(node, RULE_FIELDS, where, "rule");
        String name = text(node, "name", where, true, null);
        JsonNode p = node.get("priority");
        if (p == null || p.isNull()) {
            throw new FormatException(where + ": missing field 'priority'");
        }
        if (!p.isIntegralNumber() || !p.canConvertToInt()) {
            throw new FormatException(where + ": field 'priority' must be an int, not " + p);
        }
        String action = text(node, "action", where, true, null);
        io.fraudstream.avro.RuleAction parsedAction;
        try {
            parsedAction = io.fraudstream.avro.RuleAction.valueOf(action);
        } catch (IllegalArgumentException e) {
            throw new FormatException(where + ": field 'action' must be one of "
                    + Arrays.toString(io.fraudstream.avro.RuleAction.values()) + ", not '" + action + "'");
        }
        String expression = text(node, "expression", where, true, null);
        boolean enabled = true;
        JsonNode e = node.get("enabled");
        if (e != null) {
            if (!e.isBoolean()) {
                throw new FormatException(where + ": field 'enabled' must be true or false, not " + e);
            }
            enabled = e.asBoolean();
        }
        String description = text(node, "description", where, false, "");
        return RuleDefinition.newBuilder().setName(name).setPriority(p.asInt()).setAction(parsedAction)
                .setExpression(expression).setEnabled(enabled).setDescription(description).build();
    }

    private static void unknownFields(JsonNode node, Set<String> known, String where, String what)
            throws FormatException {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new FormatException(where + ": unknown " + what + " field '" + f + "' (known: "
                        + known.stream().sorted().toList() + ")");
            }
        }
    }

    private static String text(JsonNode node, String field, String where, boolean required, String dflt)
            throws FormatException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new FormatException(where + ": missing field '" + field + "'");
            }
            return dflt;
        }
        if (!v.isTextual()) {
            throw new FormatException(where + ": field '" + field + "' must be a string, not " + v);
        }
        return v.asText();
    }

    private static Instant instant(JsonNode v, String where) throws FormatException {
        if (v == null || v.isNull()) {
            return Instant.EPOCH;
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return Instant.ofEpochMilli(v.asLong());
        }
        if (v.isTextual()) {
            try {
                return Instant.parse(v.asText());
            } catch (DateTimeParseException e) {
                // fall through to the message below
            }
        }
        throw new FormatException(where + ": field 'issuedAt' must be an ISO-8601 instant"
                + " (2026-12-05T06:00:00Z) or epoch milliseconds, not " + v);
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}
