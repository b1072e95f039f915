package io.fraudstream.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.LabelValue;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.console.auth.Role;
import io.fraudstream.trainer.bootstrap.BootstrapModel;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.rules.RuleCompiler;
import io.fraudstream.rules.RuleSetFiles;
import io.fraudstream.rules.RuleSets;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.Topics;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import io.fraudstream.testkit.TopicReader;
import io.fraudstream.trainer.DescriptorSink;
import io.fraudstream.trainer.ModelRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The console's API against a real broker and a real database (each subclass picks the database): deduplication of
 * repeated alerts, refusal of bad and card-number-carrying records, the audit log (written, and append-only in the
 * database), role checks, CSRF, labels produced to fraud-labels with the analyst's id, promotion through the
 * trainer's registry, and no card number in any response.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConsoleApiContract {

    static final String ANALYST = "ana.lyst";
    static final String OWNER = "model.owner";
    static final String PASSWORD = "correct-horse-battery";
    static final String PAN = "4111111111111111";

    KafkaBroker broker;
    Console console;
    KafkaProducer<String, byte[]> producer;
    ModelRegistry registry;
    String shadowVersion;
    Path tmp;
    Path keys;

    /** The database URL, user and password this run uses. */
    abstract String[] database() throws Exception;

    void stopDatabase() throws Exception {}

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("console-it");
        broker = KafkaBrokers.start();
        Map<String, Integer> topics = new HashMap<>();
        Topics.ALL.forEach(t -> topics.put(t.name(), 1));
        broker.createTopics(topics, Duration.ofSeconds(60));
        Path store = Files.createDirectories(tmp.resolve("store"));
        keys = Files.createDirectories(tmp.resolve("keys"));
        registry = new ModelRegistry(new ModelStore(store), SigningKeys.loadOrCreate(keys), DescriptorSink.NONE,
                Clock.systemUTC());
        FraudModel shadow = BootstrapModel.create(7L).toBuilder().version("20990101T000000Z-trained").build();
        shadowVersion = registry.deployShadow(shadow, Map.of("auc", 0.91)).getModelVersion();
        String[] db = database();
        console = Console.start(ConsoleSettings.of(Map.of(
                "kafka.bootstrap-servers", broker.bootstrapServers(),
                "console.port", "0", "console.bind", "127.0.0.1",
                "console.db.url", db[0], "console.db.user", db[1], "console.db.password", db[2],
                "console.bcrypt-cost", "4",
                "console.model.store", store.toString(), "console.model.keys", keys.toString())));
        console.addUser(ANALYST, PASSWORD.toCharArray(), Role.ANALYST);
        console.addUser(OWNER, PASSWORD.toCharArray(), Role.MODEL_OWNER);
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer());
    }

    @AfterAll
    void stop() throws Exception {
        if (producer != null) {
            producer.close();
        }
        if (console != null) {
            console.close();
        }
        stopDatabase();
        if (broker != null) {
            broker.close();
        }
    }

    void send(FraudAlert a) throws Exception {
        producer.send(new ProducerRecord<>(Topics.FRAUD_ALERTS.name(), a.getScore().getCardId(),
                AvroCodec.of(FraudAlert.class).encode(a))).get();
    }

    static FraudLabel decodeLabel(byte[] b) {
        try {
            return AvroCodec.of(FraudLabel.class).decode(b);
        } catch (Exception e) {
            throw new AssertionError("undecodable label", e);
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50); // polling a condition with a deadline
        }
    }

    long count(String sql) throws SQLException {
        try (Connection c = console.database().connection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void repeatedAlertsAreStoredOnceAndBadRecordsAreRecordedNotDropped() throws Exception {
        Instant at = Instant.now().minusSeconds(60);
        FraudAlert a = TestAlerts.alert("tx-dedup-1", "tok-card-1", "merchant-1", 0.93, at);
        long before = console.ingestor().inserted.get() + console.ingestor().duplicates.get()
                + console.ingestor().rejected.get();
        send(a);
        send(a); // an at-least-once redelivery
        send(TestAlerts.alert("tx-dedup-2", "tok-card-1", "merchant-1", 0.71, at.plusSeconds(1)));
        producer.send(new ProducerRecord<>(Topics.FRAUD_ALERTS.name(), "x", new byte[] {(byte) 0xC3, 1, 2})).get();
        send(TestAlerts.alert("tx-pan-1", PAN, "merchant-1", 0.99, at));
        await("5 alert records handled", () -> console.ingestor().inserted.get() + console.ingestor().duplicates.get()
                + console.ingestor().rejected.get() - before >= 5);

        assertThat(count("SELECT COUNT(*) FROM alerts WHERE transaction_id = 'tx-dedup-1'")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM alerts WHERE transaction_id = 'tx-dedup-2'")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM alerts WHERE transaction_id = 'tx-pan-1'")).isZero();
        assertThat(count("SELECT COUNT(*) FROM rejected_alerts WHERE reason = 'UNDECODABLE'")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM rejected_alerts WHERE reason = 'CARD_NUMBER'")).isEqualTo(1);
        assertThat(console.ingestor().duplicates.get()).isGreaterThanOrEqualTo(1);

        HttpSession analyst = HttpSession.login(console.url(), ANALYST, PASSWORD);
        HttpResponse<String> queue = analyst.get("/api/alerts?merchant=merchant-1&sort=score");
        assertThat(queue.statusCode()).isEqualTo(200);
        assertThat(queue.body()).contains("tx-dedup-1", "tx-dedup-2").doesNotContain(PAN);
        assertThat(queue.body().indexOf("tx-dedup-1")).isLessThan(queue.body().indexOf("tx-dedup-2"));
        HttpResponse<String> detail = analyst.get("/api/alerts/tx-dedup-1");
        assertThat(detail.body()).contains("far from home", "tx-earlier-1", "pop_merchant_frauds_7d", "tx-dedup-2");
        assertThat(TestAlerts.containsPan(queue.body() + detail.body())).isFalse();
        assertThat(analyst.get("/api/ops").statusCode()).isEqualTo(200);
    }

    @Test
    void labelReachesFraudLabelsWithTheAnalystsIdAndIsAudited() throws Exception {
        send(TestAlerts.alert("tx-label-1", "tok-card-2", "merchant-2", 0.88, Instant.now().minusSeconds(30)));
        await("alert stored", () -> {
            try {
                return count("SELECT COUNT(*) FROM alerts WHERE transaction_id = 'tx-label-1'") == 1;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        HttpSession analyst = HttpSession.login(console.url(), ANALYST, PASSWORD);
        assertThat(analyst.postJson("/api/alerts/tx-label-1/assign", Map.of()).statusCode()).isEqualTo(200);
        HttpResponse<String> r = analyst.postJson("/api/alerts/tx-label-1/label",
                Map.of("label", "FRAUD", "note", "customer confirmed"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        // A second label of the same alert is refused, not overwritten.
        assertThat(analyst.postJson("/api/alerts/tx-label-1/label", Map.of("label", "GENUINE")).statusCode())
                .isEqualTo(409);

        List<FraudLabel> labels = TopicReader.readAll(broker.bootstrapServers(), Map.of(),
                        Topics.FRAUD_LABELS.name(), Duration.ofSeconds(30)).stream()
                .map(ConsoleApiContract::decodeLabel).filter(l -> l.getTransactionId().equals("tx-label-1"))
                .collect(Collectors.toList());
        assertThat(labels).hasSize(1);
        assertThat(labels.get(0).getReportedBy()).isEqualTo(ANALYST);
        assertThat(labels.get(0).getLabel()).isEqualTo(LabelValue.FRAUD);
        assertThat(labels.get(0).getSource()).isEqualTo("ANALYST");
        assertThat(labels.get(0).getMerchantId()).isEqualTo("merchant-2");
        assertThat(labels.get(0).getCardId()).isEqualTo("tok-card-2");

        String audit = analyst.get("/api/audit").body();
        assertThat(audit).contains("\"action\":\"ASSIGN\"", "\"action\":\"LABEL\"", ANALYST, "tx-label-1");
        assertThat(HttpSession.json(analyst.get("/api/alerts/tx-label-1")).toString()).contains("status=CLOSED",
                "label=FRAUD", "customer confirmed");
    }

    @Test
    void theAuditLogIsAppendOnlyInTheDatabase() throws Exception {
        HttpSession analyst = HttpSession.login(console.url(), ANALYST, PASSWORD);
        analyst.postJson("/api/alerts/no-such-alert/assign", Map.of());
        try (Connection c = console.database().connection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO audit_log (happened_at, actor, action, target, detail)"
                    + " VALUES (1, 'test', 'TEST', 'x', 'y')");
            assertThatThrownBy(() -> s.executeUpdate("UPDATE audit_log SET actor = 'mallory'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.executeUpdate("DELETE FROM audit_log"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
        }
        assertThat(count("SELECT COUNT(*) FROM audit_log WHERE actor = 'test'")).isEqualTo(1);
    }

    @Test
    void rolesAreEnforcedOnTheServer() throws Exception {
        HttpSession anonymous = new HttpSession(console.url());
        assertThat(anonymous.get("/api/alerts").statusCode()).isEqualTo(401);
        assertThat(anonymous.get("/").statusCode()).isEqualTo(302);

        HttpSession analyst = HttpSession.login(console.url(), ANALYST, PASSWORD);
        HttpResponse<String> promote = analyst.postJson("/api/model/promote",
                Map.of("version", shadowVersion, "confirm", "true"));
        assertThat(promote.statusCode()).isEqualTo(403);
        assertThat(analyst.postJson("/api/model/rollback", Map.of("confirm", "true")).statusCode()).isEqualTo(403);
        assertThat(HttpSession.json(analyst.get("/api/model"))).containsEntry("canChange", false);
        assertThat(registry.shadow()).isPresent(); // nothing changed

        HttpSession owner = HttpSession.login(console.url(), OWNER, PASSWORD);
        assertThat(owner.postJson("/api/alerts/tx-dedup-1/label", Map.of("label", "GENUINE")).statusCode())
                .isEqualTo(403);
        assertThat(owner.postJson("/api/model/promote", Map.of("version", shadowVersion)).statusCode())
                .as("promotion without confirmation").isEqualTo(400);
        HttpResponse<String> ok = owner.postJson("/api/model/promote",
                Map.of("version", shadowVersion, "confirm", "true"));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        // The registry's own record: the same code path as `trainer promote`.
        assertThat(registry.champion().orElseThrow().getModelVersion()).isEqualTo(shadowVersion);
        assertThat(registry.champion().orElseThrow().getRole()).isEqualTo(ModelRole.CHAMPION);
        assertThat(registry.decisions().get(registry.decisions().size() - 1)).contains("PROMOTE", OWNER);
        assertThat(owner.get("/api/audit").body()).contains("\"action\":\"PROMOTE\"", OWNER);
        assertThat(HttpSession.login(console.url(), OWNER, PASSWORD).get("/api/model").body())
                .contains(shadowVersion, "decisions");
    }

    @Test
    void stateChangesWithoutTheCsrfTokenAreRefused() throws Exception {
        HttpSession analyst = HttpSession.login(console.url(), ANALYST, PASSWORD);
        HttpResponse<String> forged = analyst.postFormWithoutToken("/api/alerts/tx-dedup-2/label", "label=GENUINE");
        assertThat(forged.statusCode()).isEqualTo(403);
        String token = analyst.csrf;
        analyst.csrf = "wrong-" + token;
        assertThat(analyst.postJson("/api/alerts/tx-dedup-2/assign", Map.of()).statusCode()).isEqualTo(403);
        assertThat(count("SELECT COUNT(*) FROM labels WHERE transaction_id = 'tx-dedup-2'")).isZero();
        HttpSession noToken = new HttpSession(console.url());
        assertThat(noToken.postJson("/login", Map.of("username", ANALYST, "password", PASSWORD)).statusCode())
                .as("sign-in without a token").isEqualTo(403);
    }

    @Test
    void wrongPasswordsAreRefused() throws Exception {
        assertThatThrownBy(() -> HttpSession.login(console.url(), ANALYST, "wrong-password-123"))
                .hasMessageContaining("401");
        assertThatThrownBy(() -> HttpSession.login(console.url(), "nobody", PASSWORD)).hasMessageContaining("401");
        try (Connection c = console.database().connection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT password_hash FROM users WHERE username = '" + ANALYST + "'")) {
            rs.next();
            assertThat(rs.getString(1)).startsWith("$2").doesNotContain(PASSWORD);
        }
    }

    static Map<String, Object> rule(String name, int priority, String action, String expression) {
        return Map.of("name", name, "priority", priority, "action", action, "expression", expression,
                "enabled", true, "description", "test rule " + name);
    }

    @Test
    void ruleAuthoringIsCheckedRoleGatedSignedOnTheRulesTopicAndAudited() throws Exception {
        RuleCompiler compiler = new RuleCompiler();
        HttpSession analyst = HttpSession.login(console.url(), ANALYST, PASSWORD);
        // An invalid expression: 400 with the compiler's own message, nothing saved.
        Map<String, Object> bad = Map.of("name", "bank-rules", "rules", List.of(
                rule("big_online", 30, "ALERT", "channel == 'ONLINE' && amount > 500")));
        String compilerSays;
        try {
            RuleSets.compile(RuleSetFiles.parse(new com.fasterxml.jackson.databind.ObjectMapper()
                    .writeValueAsString(bad), "draft"), compiler);
            throw new AssertionError("the rule should not compile");
        } catch (RuleSets.RefusedException e) {
            compilerSays = e.getMessage();
        }
        HttpResponse<String> refused = analyst.postJson("/api/rules/drafts", Map.of("set", bad));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(HttpSession.json(refused).get("error")).isEqualTo(compilerSays);
        assertThat(compilerSays).contains("big_online");
        assertThat(count("SELECT COUNT(*) FROM rule_drafts")).isZero();

        // A valid draft, by an analyst.
        Map<String, Object> good = Map.of("name", "bank-rules", "rules", List.of(
                rule("big_online", 30, "ALERT", "channel == 'ONLINE' && amount > 500.0"),
                rule("trusted_grocery", 50, "SUPPRESS", "category == 'grocery_pos' && amount < 100.0")));
        HttpResponse<String> saved = analyst.postJson("/api/rules/drafts", Map.of("set", good));
        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
        long draft = ((Number) HttpSession.json(saved).get("id")).longValue();
        long concurrentDraft = ((Number) HttpSession.json(analyst.postJson("/api/rules/drafts", Map.of("set", good)))
                .get("id")).longValue();

        // Analysts may not activate or disable (server-side), and nothing reaches the topic.
        assertThat(analyst.postJson("/api/rules/drafts/" + draft + "/activate", Map.of("confirm", "true"))
                .statusCode()).isEqualTo(403);
        assertThat(analyst.postJson("/api/rules/disable", Map.of("all", "true", "confirm", "true")).statusCode())
                .isEqualTo(403);
        assertThat(HttpSession.json(analyst.get("/api/rules"))).containsEntry("canChange", false)
                .containsEntry("inForce", null);

        HttpSession owner = HttpSession.login(console.url(), OWNER, PASSWORD);
        assertThat(owner.postJson("/api/rules/drafts/" + draft + "/activate", Map.of()).statusCode())
                .as("activation without confirmation").isEqualTo(400);
        assertThat(TopicReader.readAll(broker.bootstrapServers(), Map.of(), Topics.RULES.name(),
                Duration.ofSeconds(30))).isEmpty();
        HttpResponse<String> activated = owner.postJson("/api/rules/drafts/" + draft + "/activate",
                Map.of("confirm", "true"));
        assertThat(activated.statusCode()).as(activated.body()).isEqualTo(200);
        assertThat(HttpSession.json(activated)).containsEntry("version", 1);
        assertThat(owner.postJson("/api/rules/drafts/" + draft + "/activate", Map.of("confirm", "true"))
                .statusCode()).as("a draft is activated once").isEqualTo(409);
        HttpResponse<String> stale = owner.postJson("/api/rules/drafts/" + concurrentDraft + "/activate",
                Map.of("confirm", "true"));
        assertThat(stale.statusCode()).as("a draft written before v1 would undo it").isEqualTo(409);
        assertThat(stale.body()).contains("v1 is in force");
        HttpResponse<String> disabled = owner.postJson("/api/rules/disable",
                Map.of("rule", "trusted_grocery", "confirm", "true"));
        assertThat(disabled.statusCode()).as(disabled.body()).isEqualTo(200);

        // On the topic: signed with the model-signing key, accepted as the job accepts them.
        java.security.PublicKey pub = SigningKeys.loadPublicKey(keys.resolve(SigningKeys.PUBLIC_KEY_FILE));
        AvroCodec<RuleSet> codec = AvroCodec.of(RuleSet.class);
        List<byte[]> onTopic = TopicReader.readAll(broker.bootstrapServers(), Map.of(), Topics.RULES.name(),
                Duration.ofSeconds(30));
        assertThat(onTopic).hasSize(2);
        RuleSet v1 = codec.decode(onTopic.get(0));
        RuleSet v2 = codec.decode(onTopic.get(1));
        assertThat(RuleSets.accept(v1, pub, null, compiler).size()).isEqualTo(2);
        assertThat(v1.getIssuedBy()).isEqualTo(OWNER);
        assertThat(RuleSets.accept(v2, pub, 1L, compiler).size()).isEqualTo(1);
        assertThat(v2.getVersion()).isEqualTo(2);

        Map<String, Object> status = HttpSession.json(owner.get("/api/rules"));
        assertThat(status).containsEntry("canChange", true);
        assertThat(status.get("inForce").toString()).contains("version=2", "trusted_grocery", "enabled=false");
        assertThat((List<?>) status.get("history")).hasSize(2);

        assertThat(count("SELECT COUNT(*) FROM audit_log WHERE action = 'RULES_DRAFT_REFUSED' AND actor = '"
                + ANALYST + "'")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM audit_log WHERE action = 'RULES_DRAFT' AND actor = '" + ANALYST
                + "' AND target LIKE 'draft " + draft + " %'")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM audit_log WHERE action = 'RULES_ACTIVATE' AND actor = '" + OWNER
                + "' AND target = 'bank-rules v1'")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM audit_log WHERE action = 'RULES_DISABLE' AND actor = '" + OWNER
                + "' AND target = 'bank-rules v2' AND detail = 'rule trusted_grocery'")).isEqualTo(1);
        assertThat(count("SELECT activated_version FROM rule_drafts WHERE id = " + draft)).isEqualTo(1);
    }
}
