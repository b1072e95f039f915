package io.fraudstream.console;

import io.fraudstream.console.auth.Role;
import io.fraudstream.schemas.Topics;
import io.fraudstream.testkit.EmbeddedKafkaBroker;
import io.fraudstream.testkit.KafkaBroker;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.postgresql.PGConnection;

/**
 * Load harness (not a test; run outside {@code mvn verify}, see docs/BENCHMARKS.md): fills a real PostgreSQL with
 * {@code --alerts N} alerts (default 1,000,000; COPY), starts the console on it, signs in as an analyst and times the
 * queue page's API call (newest first; highest score first; status NEW; one merchant) and the alert detail over
 * random alerts, one client, after a warm-up. Prints p50/p95/p99 in milliseconds, measured by the client over HTTP.
 *
 * <pre>
 * mvn -B -o -pl console -am -DskipTests package
 * java -cp "console/target/test-classes:console/target/classes:$(cat console/target/test-classpath.txt)" \
 *   io.fraudstream.console.ConsoleLoadBench --alerts 1000000 --requests 1000
 * </pre>
 */
public final class ConsoleLoadBench {

    private ConsoleLoadBench() {}

    public static void main(String[] args) throws Exception {
        int alerts = 1_000_000;
        int requests = 1000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--alerts" -> alerts = Integer.parseInt(args[i + 1]);
                case "--requests" -> requests = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        try (PostgresServer pg = PostgresServer.start(); KafkaBroker broker = EmbeddedKafkaBroker.start()) {
            Map<String, Integer> topics = new HashMap<>();
            Topics.ALL.forEach(t -> topics.put(t.name(), 1));
            broker.createTopics(topics, java.time.Duration.ofSeconds(60));
            try (Console console = Console.start(ConsoleSettings.of(Map.of(
                    "kafka.bootstrap-servers", broker.bootstrapServers(), "console.port", "0",
                    "console.bind", "127.0.0.1", "console.db.url", pg.jdbcUrl(), "console.db.user", "postgres",
                    "console.bcrypt-cost", "4")))) {
                long t0 = System.nanoTime();
                fill(console, alerts);
                System.out.printf(Locale.ROOT, "loaded %,d alerts in %.1f s%n", alerts, (System.nanoTime() - t0) / 1e9);
                console.addUser("bench", "bench-password-123".toCharArray(), Role.ANALYST);
                HttpSession s = HttpSession.login(console.url(), "bench", "bench-password-123");
                SplittableRandom r = new SplittableRandom(7);
                int n = alerts;
                time(s, "queue, newest first", requests, () -> "/api/alerts?limit=50");
                time(s, "queue, highest score first", requests, () -> "/api/alerts?limit=50&sort=score");
                time(s, "queue, status NEW, newest first", requests, () -> "/api/alerts?limit=50&status=NEW");
                time(s, "queue, one merchant, newest first", requests,
                        () -> "/api/alerts?limit=50&merchant=m-" + r.nextInt(5000));
                time(s, "queue, score >= 0.9 and status NEW", requests,
                        () -> "/api/alerts?limit=50&status=NEW&minScore=0.9&sort=score");
                time(s, "alert detail (with card history)", requests, () -> "/api/alerts/tx-" + r.nextInt(n));
            }
        }
    }

    /** Alerts over 90 days, 50,000 cards, 5,000 merchants, 3 model versions; 80 % closed, 15 % new, 5 % in review. */
    private static void fill(Console console, int n) throws Exception {
        SplittableRandom r = new SplittableRandom(42);
        long end = System.currentTimeMillis();
        long span = 90L * 86_400_000L;
        String explanation = "{\"reasons\":[\"merchant had 3 confirmed frauds in the last 24 hours (merchant m-1)\","
                + "\"far from home (812 km)\"],\"attended\":[{\"transactionId\":\"tx-a\",\"eventTime\":1733300000000,"
                + "\"weight\":0.61},{\"transactionId\":\"tx-b\",\"eventTime\":1733200000000,\"weight\":0.22}],"
                + "\"contributions\":[{\"feature\":\"pop_merchant_frauds_7d\",\"value\":1.1,\"contribution\":0.8}]}";
        String quoted = "\"" + explanation.replace("\"", "\"\"") + "\"";
        try (Connection c = console.database().connection()) {
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            int batch = 50_000;
            for (int from = 0; from < n; from += batch) {
                StringBuilder b = new StringBuilder(batch * 420);
                for (int i = from; i < Math.min(n, from + batch); i++) {
                    long scored = end - (long) (r.nextDouble() * span);
                    double u = r.nextDouble();
                    String status = u < 0.80 ? "CLOSED" : u < 0.95 ? "NEW" : "IN_REVIEW";
                    b.append("tx-").append(i).append(",tok-").append(r.nextInt(50_000)).append(",m-")
                            .append(r.nextInt(5000)).append(',').append(100 + r.nextInt(100_000)).append(",EUR,")
                            .append(0.5 + r.nextDouble() / 2).append(",0.5,model-").append(r.nextInt(3)).append(',')
                            .append(scored - 5).append(',').append(scored).append(',').append(scored + 50).append(',')
                            .append(status).append(',').append(status.equals("NEW") ? "" : "analyst-1").append(',')
                            .append(status.equals("CLOSED") ? (u < 0.1 ? "FRAUD" : "GENUINE") : "").append(',')
                            .append(quoted).append('\n');
                }
                copy.copyIn("COPY alerts (transaction_id, card_id, merchant_id, amount_minor, currency, score, threshold,"
                        + " model_version, event_time, scored_at, received_at, status, assignee, label, explanation)"
                        + " FROM STDIN WITH (FORMAT csv)", new StringReader(b.toString()));
            }
            try (Statement s = c.createStatement()) {
                s.execute("VACUUM ANALYZE alerts");
            }
        }
    }

    private static void time(HttpSession s, String what, int requests, java.util.function.Supplier<String> path)
            throws Exception {
        for (int i = 0; i < Math.max(50, requests / 5); i++) {
            check(s.get(path.get()));
        }
        double[] ms = new double[requests];
        for (int i = 0; i < requests; i++) {
            String p = path.get();
            long t = System.nanoTime();
            HttpResponse<String> r = s.get(p);
            ms[i] = (System.nanoTime() - t) / 1e6;
            check(r);
        }
        Arrays.sort(ms);
        System.out.printf(Locale.ROOT, "%-40s p50 %6.2f ms  p95 %6.2f ms  p99 %6.2f ms  (%d requests)%n", what,
                ms[requests / 2], ms[(int) Math.ceil(requests * 0.95) - 1], ms[(int) Math.ceil(requests * 0.99) - 1],
                requests);
    }

    private static void check(HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
        }
    }

}
