package io.fraudstream.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.Channel;
import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.LabelValue;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.avro.Transaction;
import io.fraudstream.console.auth.Role;
import io.fraudstream.job.FraudScoringJob;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.scoring.TestModels;
import io.fraudstream.trainer.bootstrap.BootstrapModel;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.AvroJson;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import io.fraudstream.testkit.TopicReader;
import io.fraudstream.trainer.DescriptorSink;
import io.fraudstream.trainer.ModelRegistry;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (Debian's headless Chromium through chromedriver) against a real broker and the real
 * job (flink-job on a MiniCluster, point-of-purchase on): an analyst signs in, a fraud alert appears in the open queue
 * without a reload, its reasons and attended transactions are shown, the analyst labels it fraud, the FraudLabel with
 * the analyst's id reaches fraud-labels, and a later transaction at that merchant is scored with the merchant's fraud
 * count one higher. Also: no promote button and HTTP 403 for an analyst, a form post without CSRF token refused, no
 * card number on any page. Screenshots of the main pages go to target/screenshots (docs/CONSOLE.md shows them).
 */
class ConsoleBrowserIT {

    private static final String P = "ui";
    private static final String PASSWORD = "correct-horse-battery";
    private static final Path SHOTS = Path.of("target", "screenshots");

    @Test
    void analystTriagesAndLabelsAnAlertAndTheLabelClosesTheLoop() throws Exception {
        Path dir = Files.createTempDirectory("console-browser");
        try (KafkaBroker broker = KafkaBrokers.start()) {
            String bootstrap = broker.bootstrapServers();
            Map<String, Integer> topics = new HashMap<>();
            for (String t : List.of("transactions", "scores", "shadow", "alerts", "dlq", "models", "labels", "rules")) {
                topics.put(P + "-" + t, 1);
            }
            broker.createTopics(topics, Duration.ofSeconds(60));

            // 20 chargebacks at m-hot, reported 3 hours ago: the job's test champion alerts on them.
            long now = System.currentTimeMillis();
            try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
                for (int i = 0; i < 20; i++) {
                    FraudLabel l = FraudLabel.newBuilder().setTransactionId("old-" + i).setCardId("victim-" + i)
                            .setLabel(LabelValue.FRAUD).setReportedAt(Instant.ofEpochMilli(now - 3 * 3_600_000L))
                            .setSource("CHARGEBACK").setMerchantId("m-hot").setTerminalId(null)
                            .setTransactionTime(Instant.ofEpochMilli(now - 8 * 86_400_000L)).build();
                    p.send(new ProducerRecord<>(P + "-labels", bytes(l.getCardId()),
                            AvroCodec.of(FraudLabel.class).encode(l))).get();
                }
            }

            JobClient job = startJob(dir, bootstrap);
            try (Console console = startConsole(dir, bootstrap); KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
                console.addUser("ana.lyst", PASSWORD.toCharArray(), Role.ANALYST);
                console.addUser("model.owner", PASSWORD.toCharArray(), Role.MODEL_OWNER);
                WebDriver browser = chromium(dir);
                try {
                    run(browser, console, p, now);
                } finally {
                    browser.quit();
                }
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }

    private void run(WebDriver browser, Console console, KafkaProducer<byte[], byte[]> p, long now) throws Exception {
        String base = console.url();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));

        // 1. Sign in.
        signIn(browser, base, "ana.lyst", wait);
        wait.until(d -> d.findElement(By.id("me")).getText().contains("ana.lyst"));
        shot(browser, "login-done");

        // The card's genuine history at m-cold, then purchases at m-hot until the job alerts (the chargebacks reach
        // the scoring side asynchronously). The queue page stays open: the alert must appear without a reload.
        for (int i = 0; i < 3; i++) {
            send(p, tx("hist-" + i, "tok-card-a", "m-cold", now - (4 - i) * 600_000L));
        }
        int round = 0;
        String alerted = null;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (alerted == null) {
            String id = "buy-" + round++;
            send(p, tx(id, "tok-card-a", "m-hot", now - 60_000L + round));
            alerted = awaitOrNull(Duration.ofSeconds(3), () -> firstAlertAt(console, "m-hot"));
            assertThat(System.nanoTime()).as("the job alerted at m-hot in time").isLessThan(deadline);
        }
        String tx = alerted;
        // 2. It appears in the open queue, without a reload.
        Object marker = ((JavascriptExecutor) browser).executeScript("return window.performance.timeOrigin;");
        wait.until(d -> !d.findElements(By.cssSelector("tr[data-tx='" + tx + "']")).isEmpty());
        assertThat(((JavascriptExecutor) browser).executeScript("return window.performance.timeOrigin;"))
                .as("same page, not reloaded").isEqualTo(marker);
        shot(browser, "queue");

        // 3. Open it: reasons and attended transactions.
        browser.findElement(By.cssSelector("tr[data-tx='" + tx + "']")).click();
        wait.until(d -> !d.findElements(By.cssSelector("#reasons li")).isEmpty());
        assertThat(browser.findElement(By.id("reasons")).getText())
                .contains("merchant had 20 confirmed frauds in the last 24 hours (merchant m-hot)");
        wait.until(d -> !d.findElements(By.cssSelector("#attended tbody tr")).isEmpty());
        assertThat(browser.findElement(By.id("attended")).getText()).contains("hist-");
        assertThat(browser.findElement(By.id("risk")).getText()).contains("pop_merchant_frauds_7d");
        shot(browser, "alert");

        // 4. Label it fraud.
        browser.findElement(By.id("note")).sendKeys("cardholder confirmed");
        browser.findElement(By.id("label-fraud")).click();
        wait.until(d -> d.findElement(By.id("summary")).getText().contains("FRAUD"));

        // 5. The FraudLabel with the analyst's id is on fraud-labels.
        FraudLabel label = awaitOrNull(Duration.ofSeconds(30), () -> labels(console, tx));
        assertThat(label).as("FraudLabel of " + tx).isNotNull();
        assertThat(label.getReportedBy()).isEqualTo("ana.lyst");
        assertThat(label.getLabel()).isEqualTo(LabelValue.FRAUD);
        assertThat(label.getMerchantId()).isEqualTo("m-hot");

        // 6. A later purchase at m-hot (3 h on: past the features' settle time) sees 21 frauds at the merchant.
        deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        String seen = null;
        for (int i = 0; seen == null; i++) {
            send(p, tx("later-" + i, "tok-card-b" + i, "m-hot", now + 3 * 3_600_000L + i));
            seen = awaitOrNull(Duration.ofSeconds(3),
                    () -> alertWithReason(console, "merchant had 21 confirmed frauds in the last 24 hours"));
            assertThat(System.nanoTime()).as("a later transaction saw the console's label in time").isLessThan(deadline);
        }

        // An analyst has no promote button, and the server refuses the promotion anyway.
        browser.get(base + "model");
        wait.until(d -> d.findElement(By.id("models")).getText().contains("Champion"));
        assertThat(browser.findElements(By.id("promote"))).isEmpty();
        assertThat(browser.findElements(By.id("rollback"))).isEmpty();
        Object status = ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                + "fetch('/api/model/promote', {method: 'POST', headers: {'Content-Type': 'application/json',"
                + " 'X-CSRF-Token': csrf}, body: JSON.stringify({version: '20990101T000000Z-trained', confirm: 'true'})})"
                + ".then(r => done(r.status)).catch(e => done(String(e)));");
        assertThat(status).isEqualTo(403L);
        // A form post without the CSRF token is refused.
        Object forged = ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                + "fetch('/api/alerts/later-0/assign', {method: 'POST', headers: {'Content-Type':"
                + " 'application/x-www-form-urlencoded'}, body: 'x=1'}).then(r => done(r.status));");
        assertThat(forged).isEqualTo(403L);

        // No card number on any page.
        for (String page : List.of("", "alert?id=" + tx, "model", "rules", "ops", "audit")) {
            browser.get(base + page);
            wait.until(d -> ((JavascriptExecutor) d).executeScript("return document.readyState").equals("complete"));
            Thread.sleep(300); // let the page's fetches render (a screenshot and PAN scan of the filled page)
            assertThat(TestAlerts.containsPan(browser.getPageSource())).as("PAN on /" + page).isFalse();
            if (page.equals("ops") || page.equals("audit")) {
                shot(browser, page);
            }
        }

        // The model owner's page, with its controls.
        ((JavascriptExecutor) browser).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('/logout', {method: 'POST', headers: {'X-CSRF-Token': csrf}}).then(() => done(1));");
        signIn(browser, base, "model.owner", wait);
        browser.get(base + "model");
        wait.until(d -> !d.findElements(By.id("promote")).isEmpty());
        shot(browser, "model");

        // Rule authoring: write a rule, the compiler's message for a bad expression, fix it, save the draft,
        // activate it (model owner, after the confirmation): the signed set is in force, read back from the topic.
        browser.get(base + "rules");
        wait.until(d -> d.findElement(By.id("in-force")).getText().contains("no rule set in force"));
        browser.findElement(By.id("rule-name")).sendKeys("big_amount");
        browser.findElement(By.id("rule-priority")).clear();
        browser.findElement(By.id("rule-priority")).sendKeys("40");
        browser.findElement(By.id("rule-expression")).sendKeys("amount > 500");
        browser.findElement(By.id("rule-description")).sendKeys("large purchase");
        browser.findElement(By.id("put-rule")).click();
        browser.findElement(By.id("save-draft")).click();
        wait.until(d -> d.findElement(By.id("validation")).getText().contains("big_amount"));
        assertThat(browser.findElement(By.id("validation")).getAttribute("class")).isEqualTo("error");
        browser.findElement(By.id("rule-expression")).sendKeys(".0");
        browser.findElement(By.id("put-rule")).click();
        browser.findElement(By.id("save-draft")).click();
        wait.until(d -> d.findElement(By.id("validation")).getText().startsWith("Valid: saved as draft"));
        wait.until(d -> !d.findElements(By.cssSelector("button.activate")).isEmpty());
        browser.findElement(By.cssSelector("button.activate")).click();
        wait.until(org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent()).accept();
        wait.until(d -> d.findElement(By.id("result")).getText().contains("Activated as default v1"));
        wait.until(d -> d.findElement(By.id("rules-in-force")).getText().contains("amount > 500.0"));
        assertThat(browser.findElement(By.id("in-force")).getText()).contains("model.owner");
        assertThat(browser.findElement(By.id("history")).getText()).contains("accepted");
        shot(browser, "rules");
    }

    private static void signIn(WebDriver browser, String base, String user, WebDriverWait wait) {
        browser.get(base + "login");
        wait.until(d -> d.findElement(By.id("username")).isDisplayed());
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login")).click();
        wait.until(d -> d.getCurrentUrl().equals(base));
    }

    private static JobClient startJob(Path dir, String bootstrap) throws Exception {
        Path store = Files.createDirectories(dir.resolve("job-store"));
        KeyPair keys = SigningKeys.generate();
        SigningKeys.writePublicKey(keys.getPublic(), dir.resolve("model.pub"));
        ModelDescriptor champion = new ModelStore(store).publish(TestModels.model("pop-000001", 0.5, 1024, true),
                ModelRole.CHAMPION, keys.getPrivate());
        AvroJson.write(champion, dir.resolve("champion.json"));
        Map<String, String> v = new HashMap<>();
        v.put("kafka.bootstrap-servers", bootstrap);
        v.put("kafka.group-id", P);
        v.put("topic.transactions", P + "-transactions");
        v.put("topic.scores", P + "-scores");
        v.put("topic.shadow-scores", P + "-shadow");
        v.put("topic.alerts", P + "-alerts");
        v.put("topic.dead-letters", P + "-dlq");
        v.put("topic.model-updates", P + "-models");
        v.put("topic.labels", P + "-labels");
        v.put("point-of-purchase.enabled", "true");
        v.put("point-of-purchase.flush-interval", "200 ms");
        v.put("model.store", store.toString());
        v.put("model.public-key", dir.resolve("model.pub").toString());
        v.put("model.initial-descriptor", dir.resolve("champion.json").toString());
        v.put("job.parallelism", "1");
        v.put("checkpoint.interval", "2 s");
        JobConfig config = JobConfig.fromMap(v);
        Configuration flink = FraudScoringJob.flinkConfiguration(config);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        FraudScoringJob.build(env, config);
        return env.executeAsync("console-browser-it");
    }

    private static Console startConsole(Path dir, String bootstrap) throws Exception {
        Path store = Files.createDirectories(dir.resolve("registry-store"));
        Path keys = Files.createDirectories(dir.resolve("registry-keys"));
        new ModelRegistry(new ModelStore(store), SigningKeys.loadOrCreate(keys), DescriptorSink.NONE, Clock.systemUTC())
                .deployShadow(BootstrapModel.create(7L).toBuilder().version("20990101T000000Z-trained").build(),
                        Map.of("auc", 0.91, "gate", "auc >= champion - 0.005: passed"));
        Map<String, String> s = new HashMap<>();
        s.put("kafka.bootstrap-servers", bootstrap);
        s.put("console.port", "0");
        s.put("console.bind", "127.0.0.1");
        s.put("console.bcrypt-cost", "4");
        s.put("console.job-group-id", P);
        s.put("console.model.store", store.toString());
        s.put("console.model.keys", keys.toString());
        s.put("topic.transactions", P + "-transactions");
        s.put("topic.scores", P + "-scores");
        s.put("topic.shadow-scores", P + "-shadow");
        s.put("topic.alerts", P + "-alerts");
        s.put("topic.dead-letters", P + "-dlq");
        s.put("topic.model-updates", P + "-models");
        s.put("topic.labels", P + "-labels");
        s.put("topic.rules", P + "-rules");
        return Console.start(ConsoleSettings.of(s));
    }

    private static WebDriver chromium(Path dir) {
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000", "--user-data-dir=" + dir.resolve("chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new ChromeDriver(service, o);
    }

    private static Transaction tx(String id, String card, String merchant, long time) {
        return Transaction.newBuilder()
                .setTransactionId(id).setCardId(card).setAccountId("acct-" + card)
                .setEventTime(Instant.ofEpochMilli(time)).setAmountMinor(20_00).setCurrency("USD")
                .setMerchantId(merchant).setMerchantCategory("grocery_pos").setChannel(Channel.CARD_PRESENT)
                .setMerchantLat(40.7).setMerchantLon(-74.0).setHomeLat(40.7).setHomeLon(-74.0).setCountry("US")
                .setTerminalId(null).build();
    }

    private static void send(KafkaProducer<byte[], byte[]> p, Transaction t) throws Exception {
        p.send(new ProducerRecord<>(P + "-transactions", bytes(t.getCardId()), AvroCodec.of(Transaction.class).encode(t)))
                .get();
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap), new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String firstAlertAt(Console console, String merchant) {
        return query(console, "SELECT transaction_id FROM alerts WHERE merchant_id = ? ORDER BY scored_at LIMIT 1",
                merchant);
    }

    private static String alertWithReason(Console console, String reason) {
        return query(console, "SELECT transaction_id FROM alerts WHERE explanation LIKE ? LIMIT 1",
                "%" + reason + "%");
    }

    private static String query(Console console, String sql, String arg) {
        try (Connection c = console.database().connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static FraudLabel labels(Console console, String tx) {
        return TopicReader.readAll(bootstrapOf(console), Map.of(), P + "-labels",
                        Duration.ofSeconds(20)).stream()
                .map(ConsoleApiContract::decodeLabel).filter(l -> l.getTransactionId().equals(tx)).findFirst()
                .orElse(null);
    }

    private static String bootstrapOf(Console console) {
        return console.bootstrapServers();
    }

    /** Polls {@code probe} until it answers non-null or {@code timeout} passes (a condition with a deadline). */
    private static <T> T awaitOrNull(Duration timeout, Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T v = probe.get();
            if (v != null || System.nanoTime() > deadline) {
                return v;
            }
            Thread.sleep(100);
        }
    }

    private static void shot(WebDriver browser, String name) throws Exception {
        Files.createDirectories(SHOTS);
        File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
