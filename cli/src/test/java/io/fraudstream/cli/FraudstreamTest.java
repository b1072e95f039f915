package io.fraudstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The assembled command line: every command reachable, help, completion, exit codes. Nothing here starts a job. */
class FraudstreamTest {

    static final List<String> COMMANDS = List.of("demo", "bench", "simulate", "train", "loop", "promote", "rollback",
            "evaluate", "compare", "replay", "bootstrap-state", "backtest", "rules", "help", "completion");

    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Fraudstream.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Clock.systemUTC());
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsEverySubcommand() {
        Run r = run("help");
        assertThat(r.status()).isZero();
        for (String c : COMMANDS) {
            assertThat(r.out()).as(c).containsPattern("(?m)^\\s+" + c + "\\s");
        }
        assertThat(Fraudstream.commandLine(System.out, System.err, Clock.systemUTC()).getSubcommands().keySet())
                .containsExactlyElementsOf(COMMANDS);
    }

    @Test
    void everyCommandHasHelpWithDefaults() {
        for (String c : COMMANDS.subList(0, COMMANDS.indexOf("help"))) {
            Run r = run(c, "--help");
            assertThat(r.status()).as(c).isZero();
            assertThat(r.out()).as(c).contains("Usage: fraudstream " + c);
        }
        assertThat(run("demo", "--help").out()).contains("--rate=TX_PER_S", "Default: 200", "hashmap, rocksdb");
        assertThat(run("bench", "--help").out()).contains("--swap-every=S", "Default: 400000");
        assertThat(run("help", "train").out()).contains("--shadow-period=D", "Default: 8h");
        assertThat(run("backtest", "--help").out()).contains("--rules=FILE", "--labels=FILE", "--from=T", "--out=DIR");
    }

    @Test
    void completionScriptCoversTheCommandsAndTheirOptions() {
        Run r = run("completion");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("complete -F _complete_fraudstream", "evaluate", "--shadow-period",
                "--input-topic");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "                                   | a command is required",
        "frobnicate                         | Unmatched argument at index 0: 'frobnicate'",
        "evalute --out x                    | Did you mean: fraudstream evaluate",
        "demo --rate fast                   | Invalid value for option '--rate': 'fast' is not a double",
        "demo --duration 5 years            | Invalid value for option '--duration'",
        "demo --state-backend mongodb       | Invalid value for option '--state-backend'",
        "demo --rate 0                      | fraudstream demo: --rate must be > 0",
        "demo --web-port 70000              | --web-port must be a port number",
        "bench --swap-weights old           | --swap-weights must be new or same",
        "bench --cards                      | Missing required parameter for option '--cards'",
        "simulate --cards 10                | fraudstream simulate: nothing to write",
        "train --data simulator --keys k    | Missing required option: '--store=DIR'",
        "loop --data x --store s --keys k   | Missing required option: '--every=D'",
        "evaluate --inptu x                 | Unknown options: '--inptu', 'x'",
        "replay --input x.csv               | fraudstream replay: option --bootstrap-servers is required",
        "rules                              | a command is required: validate, publish, disable or show",
        "rules publish r.json               | Missing required options: '--kafka=HOST:PORT', '--keys=DIR'",
    })
    void badUsageExits2NamingTheOptionOrCommand(String line, String message) {
        Run r = run(line == null ? new String[0] : line.trim().split("\\s+"));
        assertThat(r.status()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(message).doesNotContain("\tat ");
    }

    @Test
    void evaluateFromAScoreFileRunsThroughTheTopCommand() throws Exception {
        Path scores = Files.writeString(dir.resolve("scores.csv"), "transaction_id,card_id,event_time,score,label\n"
                + "t1,c1,2023-11-14T22:13:20Z,0.9,1\nt2,c2,2023-11-14T22:13:20Z,0.2,0\n");
        Run r = run("evaluate", "--scores", scores.toString(), "--out", dir.resolve("report").toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(dir.resolve("report/report.html")).exists();
    }

    @Test
    void rulesValidateNamesTheInvalidRule() throws Exception {
        Path file = Files.writeString(dir.resolve("rules.json"), "{\"name\": \"s\", \"rules\": [{\"name\":"
                + " \"big\", \"priority\": 1, \"action\": \"ALERT\", \"expression\": \"amount > 500\"}]}");
        Run r = run("rules", "validate", file.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("fraudstream rules validate:", "big").doesNotContain("\tat ");
        Files.writeString(file, Files.readString(file).replace("500", "500.0"));
        assertThat(run("rules", "validate", file.toString()).status()).isZero();
    }
}
