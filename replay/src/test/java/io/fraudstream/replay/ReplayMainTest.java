package io.fraudstream.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.replay.eval.ScoreFile;
import io.fraudstream.replay.eval.ScoredTransaction;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command-line validation (exit 2 naming the option) and the report-only evaluate path. */
class ReplayMainTest {

    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ReplayMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badCommandLinesExitWith2AndNameTheOption() throws Exception {
        Path csv = Files.writeString(dir.resolve("in.csv"), "a\n");
        assertThat(run("evaluate", "--inptu", "x")).satisfies(r -> {
            assertThat(r.status()).isEqualTo(2);
            assertThat(r.err()).contains("Unknown options: '--inptu', 'x'", "Possible solutions: --input");
        });
        assertThat(run("evaluate", "--input", dir.resolve("missing.csv").toString(), "--out", dir.toString()).err())
                .contains("option --input: no such file");
        assertThat(run("evaluate", "--input", csv.toString(), "--out", dir.toString(), "--format", "xml"))
                .satisfies(r -> assertThat(r.status()).isEqualTo(2))
                .satisfies(r -> assertThat(r.err()).contains("option --format must be sparkov, csv or avro"));
        assertThat(run("evaluate", "--input", csv.toString(), "--out", dir.toString(), "--format", "csv").err())
                .contains("option --mapping is required");
        assertThat(run("evaluate", "--input", csv.toString(), "--out", dir.toString(), "--time-zone", "Nowhere/X").err())
                .contains("option --time-zone");
        assertThat(run("evaluate", "--input", csv.toString(), "--out", dir.toString(), "--progress-every", "-5").err())
                .contains("option --progress-every must be a positive integer");
        assertThat(run("compare", "--input", csv.toString(), "--models", "k16,sparse").err())
                .contains("option --models");
        assertThat(run("replay", "--input", csv.toString(), "--bootstrap-servers", "h:1", "--speed", "fast").err())
                .contains("option --speed");
        assertThat(run("replay", "--input", csv.toString()).err()).contains("option --bootstrap-servers is required");
        assertThat(run("bootstrap-state", "--input", csv.toString()).err()).contains("option --out is required");
        Path notEmpty = Files.createDirectories(dir.resolve("savepoint"));
        Files.writeString(notEmpty.resolve("_metadata"), "x");
        assertThat(run("bootstrap-state", "--input", csv.toString(), "--out", notEmpty.toString()))
                .satisfies(r -> assertThat(r.status()).isEqualTo(2))
                .satisfies(r -> assertThat(r.err()).contains("option --out: directory is not empty"));
        Path out = dir.resolve("new-savepoint");
        assertThat(run("bootstrap-state", "--input", csv.toString(), "--out", out.toString(), "--state-backend",
                "memory").err()).contains("option --state-backend must be hashmap or rocksdb");
        assertThat(run("bootstrap-state", "--input", csv.toString(), "--out", out.toString(), "--max-parallelism",
                "0").err()).contains("option --max-parallelism must be a positive integer");
        assertThat(run("bootstrap-state", "--input", csv.toString(), "--out", out.toString(), "--card-ttl",
                "soon").err()).contains("option --card-ttl");
        assertThat(run("bootstrap-state", "--input", csv.toString(), "--out", out.toString(), "--descriptor",
                csv.toString()).err()).contains("option --model-store is required with --public-key/--descriptor");
        assertThat(run("evaluate", "--scores", csv.toString(), "--out", dir.toString(), "--threshold", "2").err())
                .contains("option --threshold must be a number in [0, 1]");
        assertThat(run("frobnicate").status()).isEqualTo(2);
        assertThat(run("evaluate", "--out", dir.toString(), "--out", dir.toString()).err())
                .contains("option '--out' (DIR) should be specified only once");
        assertThat(run("evaluate", "--input", csv.toString(), "--out", dir.toString(), "--parallelism", "0").err())
                .contains("option --parallelism must be a positive integer");
        assertThat(run("compare", "--input", csv.toString(), "--graph", "two").err())
                .contains("option --graph must be separate or one");
    }

    @Test
    void topicInputOptionsAreCheckedBeforeAnyBrokerIsContacted() {
        // h:1 is never reached: each of these fails on the command line first
        String[] topic = {"evaluate", "--out", dir.toString(), "--input-topic", "transactions", "--bootstrap-servers", "h:1"};
        assertThat(run(concat(topic, "--from-offset", "5", "--from-time", "2019-01-01T00:00:00Z"))).satisfies(r -> {
            assertThat(r.status()).isEqualTo(2);
            assertThat(r.err()).contains("option --from-offset cannot be combined with --from-time");
        });
        assertThat(run(concat(topic, "--to-time", "yesterday")).err())
                .contains("option --to-time must be an ISO-8601 instant");
        assertThat(run(concat(topic, "--from-offset", "0:x")).err()).contains("option --from-offset");
        assertThat(run(concat(topic, "--to-offset", "0:1:2")).err()).contains("option --to-offset must be an offset or");
        assertThat(run(concat(topic, "--format", "csv")).err())
                .contains("option --format cannot be combined with --input-topic");
        assertThat(run(concat(topic, "--labels", "x.csv", "--labels-topic", "fraud-labels")).err())
                .contains("option --labels cannot be combined with --labels-topic");
        assertThat(run("evaluate", "--out", dir.toString(), "--input-topic", "transactions").err())
                .contains("option --bootstrap-servers is required");
        assertThat(run("evaluate", "--input", dir.resolve("x.csv").toString(), "--out", dir.toString(),
                "--from-offset", "3").err()).contains("option --from-offset applies to --input-topic only");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void evaluateFromAScoreFileWritesTheReport() throws Exception {
        Path scores = dir.resolve("scores.csv");
        ScoreFile.write(scores, List.of(
                new ScoredTransaction("t1", "c1", 1_700_000_000_000L, 0.9, true),
                new ScoredTransaction("t2", "c2", 1_700_000_000_000L, 0.8, false),
                new ScoredTransaction("t3", "c1", 1_700_000_100_000L, 0.7, true),
                new ScoredTransaction("t4", "c3", 1_700_000_100_000L, 0.6, false),
                new ScoredTransaction("t5", "c4", 1_700_000_200_000L, 0.5, false),
                new ScoredTransaction("t6", "c5", 1_700_000_300_000L, 0.4, true)));
        Path out = dir.resolve("report");
        Run r = run("evaluate", "--scores", scores.toString(), "--out", out.toString(), "--threshold", "0.7");
        assertThat(r.status()).as(r.err()).isZero();
        // The worked example of MetricsTest: AUC 5/9, AP 13/18.
        String json = Files.readString(out.resolve("report.json"));
        assertThat(json).contains("\"auc_roc\": " + (5.0 / 9.0)).contains("\"alert_rate_at_threshold\": 0.5");
        assertThat(json).contains("\"average_precision\": 0.722222222222222");
        assertThat(out.resolve("report.html")).exists();
        assertThat(out.resolve("roc.png")).exists();
    }

    /** A test window and the alert budget on the report-only path: only the window's rows count. */
    @Test
    void evaluateWindowAndAlertRateAgainstTheBudget() throws Exception {
        Path scores = dir.resolve("scores-window.csv");
        ScoreFile.write(scores, List.of(
                new ScoredTransaction("t0", "c0", 1_699_999_000_000L, 0.99, false), // before the window
                new ScoredTransaction("t1", "c1", 1_700_000_000_000L, 0.9, true),
                new ScoredTransaction("t2", "c2", 1_700_000_000_000L, 0.8, false),
                new ScoredTransaction("t3", "c1", 1_700_000_100_000L, 0.7, true),
                new ScoredTransaction("t4", "c3", 1_700_000_100_000L, 0.6, false),
                new ScoredTransaction("t5", "c4", 1_700_000_200_000L, 0.5, false),
                new ScoredTransaction("t6", "c5", 1_700_000_300_000L, 0.4, true),
                new ScoredTransaction("t7", "c6", 1_700_000_400_000L, 0.95, false))); // at the window's end
        Path out = dir.resolve("report-window");
        Run r = run("evaluate", "--scores", scores.toString(), "--out", out.toString(), "--threshold", "0.7",
                "--evaluate-from", "2023-11-14T22:13:20Z", "--evaluate-to", "2023-11-14T22:20:00Z",
                "--alert-budget", "0.25");
        assertThat(r.status()).as(r.err()).isZero();
        // t1..t6 only: the worked example of MetricsTest (AUC 5/9), 3 of 6 alert = 0.5 = 2x the 0.25 budget
        String json = Files.readString(out.resolve("report.json"));
        assertThat(json).contains("\"auc_roc\": " + (5.0 / 9.0)).contains("\"alert_rate_at_threshold\": 0.5");
        String md = Files.readString(out.resolve("report.md"));
        assertThat(md).contains("6 of 8 scores", "50.00 % (3 of 6 transactions) vs budget 25.00 %: 2.00x the budget");
        assertThat(run("evaluate", "--scores", scores.toString(), "--out", out.toString(), "--evaluate-from",
                "2023-11-14T22:20:00Z", "--evaluate-to", "2023-11-14T22:13:20Z").err())
                .contains("--evaluate-from must be before --evaluate-to");
        assertThat(run("evaluate", "--scores", scores.toString(), "--out", out.toString(), "--threshold", "0.7",
                "--alert-budget", "0").err()).contains("--alert-budget must be in (0, 1]");
        assertThat(run("evaluate", "--scores", scores.toString(), "--out", out.toString(), "--evaluate-to",
                "tomorrow").err()).contains("--evaluate-to must be an instant");
        assertThat(run("evaluate", "--scores", scores.toString(), "--out", out.toString(), "--threshold", "0.7",
                "--budget-window", "7d").err()).contains("--budget-window needs --alert-budget");
        assertThat(run("evaluate", "--scores", scores.toString(), "--out", out.toString(), "--threshold", "0.7",
                "--alert-budget", "0.25", "--budget-window", "1m").err()).contains("--budget-window must be at least");
    }

    /** The budget held on live scores: scores before the window warm it up; the window's rate is near the budget. */
    @Test
    void evaluateReportsTheAlertRateWithTheBudgetHeldOnLiveScores() throws Exception {
        long hour = 3_600_000L;
        long t0 = 1_700_000_000_000L - 1_700_000_000_000L % hour;
        java.util.Random random = new java.util.Random(3);
        List<ScoredTransaction> rows = new java.util.ArrayList<>();
        for (int h = 0; h < 72; h++) {
            for (int i = 0; i < 200; i++) {
                // from day two on scores are higher: at the model's threshold 0.2 the alert rate doubles; the 24 h
                // window follows over a day, so on day three the budget holds
                double logit = (h < 24 ? -3 : -2.3) + random.nextGaussian();
                rows.add(new ScoredTransaction("t" + h + "-" + i, "c" + i, t0 + h * hour + i * 10_000L,
                        1 / (1 + Math.exp(-logit)), i % 50 == 0));
            }
        }
        Path scores = dir.resolve("scores-budget.csv");
        ScoreFile.write(scores, rows);
        Path out = dir.resolve("report-budget");
        Run r = run("evaluate", "--scores", scores.toString(), "--out", out.toString(), "--threshold", "0.2",
                "--evaluate-from", java.time.Instant.ofEpochMilli(t0 + 48 * hour).toString(),
                "--alert-budget", "0.05", "--budget-window", "24h", "--budget-min-alerts", "10");
        assertThat(r.status()).as(r.err()).isZero();
        String md = Files.readString(out.resolve("report.md"));
        java.util.regex.Matcher fixed = java.util.regex.Pattern.compile("vs budget 5.00 %: ([0-9.]+)x the budget")
                .matcher(md);
        assertThat(fixed.find()).as(md).isTrue();
        assertThat(Double.parseDouble(fixed.group(1))).isGreaterThan(1.5);
        java.util.regex.Matcher live = java.util.regex.Pattern.compile(
                "Alert rate with the budget held on live scores[^\\n]*?\\(([0-9,]+) of 4,800\\): ([0-9.]+)x the budget")
                .matcher(md);
        assertThat(live.find()).as(md).isTrue();
        assertThat(Double.parseDouble(live.group(2))).isBetween(0.8, 1.2);
        assertThat(md).contains("0 decided at the model's own while the window was thin");
    }
}
