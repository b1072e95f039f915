package io.fraudstream.cli.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Exit codes and messages every fraudstream command inherits from {@link Commands}. */
class CommandsTest {

    @Command(name = "sample", mixinStandardHelpOptions = true, showDefaultValues = true)
    static final class Sample implements Callable<Integer> {
        @Option(names = "--every", description = "How often.", defaultValue = "8h")
        Duration every;

        @Option(names = "--mode", description = "What happens: ok, usage, param or fail.", defaultValue = "ok")
        String mode;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        Duration seen;

        @Override
        public Integer call() {
            seen = every;
            return switch (mode) {
                case "usage" -> throw new UsageException("--mode usage goes with nothing");
                case "param" -> throw new CommandLine.ParameterException(spec.commandLine(), "--mode param is bad");
                case "fail" -> throw new IllegalStateException("disk on fire");
                default -> 0;
            };
        }
    }

    private record Run(int status, String out, String err, Sample command) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Sample sample = new Sample();
        int status = Commands.execute(sample, args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), sample);
    }

    @Test
    void durationsUseTheProjectConverterNotPicocliIsoOnlyOne() {
        Run r = run("--every", "15m");
        assertThat(r.status()).isZero();
        assertThat(r.command().seen).isEqualTo(Duration.ofMinutes(15));
        assertThat(run().command().seen).isEqualTo(Duration.ofHours(8));
    }

    @Test
    void badValuesAndUnknownOptionsExit2NamingTheOption() {
        Run bad = run("--every", "soon");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).contains("Invalid value for option '--every'", "'soon'", "Try 'sample --help'")
                .doesNotContain("at io.fraudstream");
        Run unknown = run("--evry", "8h");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown options: '--evry'", "Possible solutions: --every");
    }

    @Test
    void usageErrorsFoundWhileRunningExit2AndFailuresExit1() {
        assertThat(run("--mode", "usage")).satisfies(r -> {
            assertThat(r.status()).isEqualTo(2);
            assertThat(r.err()).contains("sample: --mode usage goes with nothing");
        });
        assertThat(run("--mode", "param")).satisfies(r -> {
            assertThat(r.status()).isEqualTo(2);
            assertThat(r.err()).contains("sample: --mode param is bad");
        });
        assertThat(run("--mode", "fail")).satisfies(r -> {
            assertThat(r.status()).isEqualTo(1);
            assertThat(r.err()).contains("sample: failed: java.lang.IllegalStateException: disk on fire");
        });
    }

    @Test
    void helpShowsDefaults() {
        Run r = run("--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("--every", "Default: 8h");
    }
}
