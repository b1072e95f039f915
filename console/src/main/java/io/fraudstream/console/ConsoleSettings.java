package io.fraudstream.console;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The console's settings: {@code --key value} arguments, optionally over a properties file ({@code --config FILE}),
 * over environment variables ({@code CONSOLE_DB_URL} for {@code console.db.url}: upper case, dots and dashes as
 * underscores; secrets such as the database password belong there or in the file, not on the command line). An
 * unknown key or an invalid value stops start-up with a message naming the setting.
 */
public final class ConsoleSettings {

    /** Every setting with its default (null: none). */
    static final Map<String, String> DEFAULTS = defaults();

    private final Map<String, String> values;

    private ConsoleSettings(Map<String, String> values) {
        this.values = values;
    }

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("console.port", "8090");
        d.put("console.bind", "0.0.0.0");
        d.put("console.db.url", null); // null: embedded H2 in memory
        d.put("console.db.user", "");
        d.put("console.db.password", "");
        d.put("console.group-id", "fraudstream-console");
        d.put("console.job-group-id", "fraud-scoring");
        d.put("console.model.store", null);
        d.put("console.model.keys", null);
        d.put("console.rules.replay-inputs", ""); // comma-separated files a backtest may read
        d.put("console.rules.card-token-key-file", null); // null: FRAUDSTREAM_CARD_TOKEN_KEY_FILE, else none
        d.put("console.rules.backtest-parallelism", "2");
        d.put("console.prometheus-url", null);
        d.put("console.grafana-url", null);
        d.put("console.admin.user", null);
        d.put("console.admin.role", "MODEL_OWNER");
        d.put("console.bcrypt-cost", "12");
        d.put("kafka.bootstrap-servers", null);
        d.put("topic.transactions", "transactions");
        d.put("topic.scores", "fraud-scores");
        d.put("topic.shadow-scores", "fraud-scores-shadow");
        d.put("topic.alerts", "fraud-alerts");
        d.put("topic.dead-letters", "transactions-dlq");
        d.put("topic.model-updates", "model-updates");
        d.put("topic.labels", "fraud-labels");
        d.put("topic.rules", "rules");
        return d;
    }

    public static ConsoleSettings parse(String[] args, Map<String, String> env) throws IOException {
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        for (String key : DEFAULTS.keySet()) {
            String e = env.get(key.toUpperCase().replace('.', '_').replace('-', '_'));
            if (e != null) {
                v.put(key, e);
            }
        }
        Map<String, String> cli = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --key value pairs, got '" + args[i] + "'");
            }
            cli.put(args[i].substring(2), args[++i]);
        }
        if (cli.containsKey("config")) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(Path.of(cli.remove("config")))) {
                p.load(r);
            }
            p.stringPropertyNames().forEach(k -> v.put(check(k), p.getProperty(k)));
        }
        cli.forEach((k, val) -> v.put(check(k), val));
        ConsoleSettings s = new ConsoleSettings(v);
        s.validate();
        return s;
    }

    public static ConsoleSettings of(Map<String, String> overrides) {
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        overrides.forEach((k, val) -> v.put(check(k), val));
        ConsoleSettings s = new ConsoleSettings(v);
        s.validate();
        return s;
    }

    private static String check(String key) {
        if (!DEFAULTS.containsKey(key) && !key.startsWith("kafka.properties.")) {
            throw new IllegalArgumentException("unknown setting '" + key + "' (known: " + DEFAULTS.keySet()
                    + ", kafka.properties.*)");
        }
        return key;
    }

    private void validate() {
        if (get("kafka.bootstrap-servers") == null || get("kafka.bootstrap-servers").isBlank()) {
            throw new IllegalArgumentException("kafka.bootstrap-servers is required");
        }
        int port = integer("console.port");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("console.port must be 0-65535, was " + port);
        }
        int cost = integer("console.bcrypt-cost");
        if (cost < 4 || cost > 31) {
            throw new IllegalArgumentException("console.bcrypt-cost must be 4-31, was " + cost);
        }
        if ((get("console.model.store") == null) != (get("console.model.keys") == null)) {
            throw new IllegalArgumentException("console.model.store and console.model.keys go together");
        }
        if (get("topic.rules").isBlank()) {
            throw new IllegalArgumentException("topic.rules must not be empty");
        }
        replayInputs();
        int parallelism = integer("console.rules.backtest-parallelism");
        if (parallelism < 1 || parallelism > 8) {
            throw new IllegalArgumentException("console.rules.backtest-parallelism must be 1-8, was " + parallelism);
        }
        String tokenKey = get("console.rules.card-token-key-file");
        if (tokenKey != null && !Files.isRegularFile(Path.of(tokenKey))) {
            throw new IllegalArgumentException("console.rules.card-token-key-file: " + tokenKey + " is not a file");
        }
        String role = get("console.admin.role");
        if (!Set.of("ANALYST", "MODEL_OWNER").contains(role)) {
            throw new IllegalArgumentException("console.admin.role must be ANALYST or MODEL_OWNER, was " + role);
        }
    }

    /** {@code console.rules.replay-inputs}: the files a backtest may read, each of which must exist. */
    public List<Path> replayInputs() {
        List<Path> out = new ArrayList<>();
        for (String f : get("console.rules.replay-inputs").split(",")) {
            if (!f.isBlank()) {
                Path p = Path.of(f.trim());
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException("console.rules.replay-inputs: " + p + " is not a file");
                }
                out.add(p);
            }
        }
        return out;
    }

    public String get(String key) {
        return values.get(key);
    }

    public int integer(String key) {
        try {
            return Integer.parseInt(get(key).trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " must be an integer, was '" + get(key) + "'");
        }
    }

    /** {@code kafka.properties.*} without the prefix: security settings for every Kafka client. */
    public Map<String, Object> kafkaClientProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith("kafka.properties.")) {
                p.put(k.substring("kafka.properties.".length()), v);
            }
        });
        return p;
    }
}
