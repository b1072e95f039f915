package io.fraudstream.console;

import io.fraudstream.console.auth.PasswordAuthenticator;
import io.fraudstream.console.auth.Role;
import io.fraudstream.console.db.AlertStore;
import io.fraudstream.console.db.Database;
import io.fraudstream.console.ingest.AlertIngestor;
import io.fraudstream.console.ingest.KafkaLabelSink;
import io.fraudstream.console.model.ModelService;
import io.fraudstream.console.model.ShadowComparison;
import io.fraudstream.console.ops.OpsService;
import io.fraudstream.console.rules.ReplayBacktester;
import io.fraudstream.console.rules.RulesService;
import io.fraudstream.console.web.ConsoleServer;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.trainer.DescriptorSink;
import io.fraudstream.trainer.KafkaDescriptorSink;
import io.fraudstream.trainer.ModelRegistry;
import io.fraudstream.trainer.RulePublisher;
import java.security.KeyPair;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The whole console, started from {@link ConsoleSettings}: database (migrated), alert ingestion, label producer,
 * model registry, operator figures and the web server. {@code ConsoleMain} runs it as a process; the demo and the
 * tests start it in their JVM. Close it to stop everything.
 */
public final class Console implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Console.class);

    private final List<AutoCloseable> parts = new ArrayList<>();
    private final Database db;
    private final PasswordAuthenticator passwords;
    private final AlertIngestor ingestor;
    private final ConsoleServer server;
    private final String host;
    private final String bootstrap;

    private Console(ConsoleSettings s, Clock clock, RulesService.Backtester backtester) throws Exception {
        try {
            String url = s.get("console.db.url");
            db = Database.open(url == null ? Database.embeddedUrl("console-" + UUID.randomUUID()) : url,
                    s.get("console.db.user"), s.get("console.db.password"));
            parts.add(db);
            passwords = new PasswordAuthenticator(db, clock, s.integer("console.bcrypt-cost"));
            AlertStore store = new AlertStore(db, clock);
            String bootstrap = s.get("kafka.bootstrap-servers");
            this.bootstrap = bootstrap;
            Map<String, Object> kafka = s.kafkaClientProperties();
            KafkaLabelSink labels = new KafkaLabelSink(bootstrap, kafka, s.get("topic.labels"), Duration.ofSeconds(30));
            parts.add(labels);
            ModelRegistry registry = null;
            RulePublisher rulePublisher = null;
            if (s.get("console.model.store") != null) {
                DescriptorSink descriptors = new KafkaDescriptorSink(bootstrap, s.get("topic.model-updates"),
                        Duration.ofSeconds(60));
                parts.add(descriptors);
                // One model-signing key for promotions and rule sets (as trainer promote and fraudstream rules).
                KeyPair keys = SigningKeys.loadOrCreate(Path.of(s.get("console.model.keys")));
                registry = new ModelRegistry(new ModelStore(Path.of(s.get("console.model.store"))), keys,
                        descriptors, clock);
                rulePublisher = new RulePublisher(bootstrap, kafka, s.get("topic.rules"), keys.getPublic(),
                        keys.getPrivate(), clock, Duration.ofSeconds(60));
            }
            if (rulePublisher == null) {
                LOG.warn("Rule activation is off: rule sets are signed with the model-signing key; set"
                        + " console.model.keys (with console.model.store)");
            }
            if (backtester == null) {
                String tokenKey = s.get("console.rules.card-token-key-file");
                backtester = new ReplayBacktester(registry,
                        registry == null ? null : Path.of(s.get("console.model.store")),
                        registry == null ? null : Path.of(s.get("console.model.keys")),
                        tokenKey == null ? null : Path.of(tokenKey), s.integer("console.rules.backtest-parallelism"));
            }
            RulesService rules = new RulesService(rulePublisher, "rule sets are signed with the model-signing key:"
                    + " set console.model.keys (with console.model.store)", db, clock, s.replayInputs(),
                    backtester);
            parts.add(rules);
            ShadowComparison comparison = new ShadowComparison();
            ingestor = new AlertIngestor(bootstrap, kafka, s.get("console.group-id"), s.get("topic.alerts"),
                    s.get("topic.scores"), s.get("topic.shadow-scores"), store, comparison);
            parts.add(ingestor);
            Map<String, String> topics = new LinkedHashMap<>();
            topics.put("transactions", s.get("topic.transactions"));
            topics.put("scores", s.get("topic.scores"));
            topics.put("alerts", s.get("topic.alerts"));
            topics.put("deadLetters", s.get("topic.dead-letters"));
            OpsService ops = new OpsService(bootstrap, kafka, topics,
                    List.of(s.get("console.job-group-id"), s.get("console.group-id")), s.get("console.prometheus-url"),
                    s.get("console.grafana-url"), ingestor, store, clock);
            parts.add(ops);
            server = new ConsoleServer(store, labels, passwords, new ModelService(registry, db, clock), comparison, ops,
                    rules);
            ingestor.addListener(server::alertStored);
            host = s.get("console.bind");
            server.start(host, s.integer("console.port"));
            parts.add(server);
            ingestor.start();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    public static Console start(ConsoleSettings settings) throws Exception {
        return new Console(settings, Clock.systemUTC(), null);
    }

    public int port() {
        return server.port();
    }

    /** http://localhost:PORT/ */
    public String url() {
        return "http://localhost:" + port() + "/";
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public Database database() {
        return db;
    }

    public AlertIngestor ingestor() {
        return ingestor;
    }

    /** Creates (or resets) an account with a fresh random password and returns the password: a one-time login. */
    public char[] oneTimeLogin(String username, Role role) {
        char[] p = PasswordAuthenticator.randomPassword();
        passwords.upsertUser(username, p, role);
        return p;
    }

    public void addUser(String username, char[] password, Role role) {
        passwords.upsertUser(username, password, role);
    }

    @Override
    public void close() {
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
        parts.clear();
    }
}
