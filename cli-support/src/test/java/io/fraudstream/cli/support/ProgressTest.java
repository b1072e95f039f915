package io.fraudstream.cli.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Plain progress lines off a terminal; on a terminal the bar draws on the console, not into the given stream. */
class ProgressTest {

    @Test
    void offATerminalPrintsAPlainLineEveryNRecordsAndADoneLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 10, 3_600_000, false);
        for (long i = 1; i <= 25; i++) {
            p.tick("read", i, 100);
        }
        p.done("read", 25);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text.lines().filter(l -> l.startsWith("read: ")).count()).isEqualTo(3);
        assertThat(text).contains("read: 10 / 100 (10.0%)", "read: 20 / 100 (20.0%)", "read: 25 done in");
    }

    @Test
    void onATerminalNothingGoesToThePlainStream() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 1, 1, true);
        for (long i = 1; i <= 50; i++) {
            p.tick("score", i, 50);
        }
        p.done("score", 50);
        assertThat(bytes.size()).isZero();
    }

    @Test
    void theLaunchersWordOnStderrOverridesTheConsoleGuess() {
        String before = System.getProperty("fraudstream.stderr.tty");
        try {
            System.setProperty("fraudstream.stderr.tty", "false");
            assertThat(Progress.stderrIsTerminal()).isFalse();
            System.setProperty("fraudstream.stderr.tty", "true");
            assertThat(Progress.stderrIsTerminal()).isTrue();
        } finally {
            if (before == null) {
                System.clearProperty("fraudstream.stderr.tty");
            } else {
                System.setProperty("fraudstream.stderr.tty", before);
            }
        }
    }
}
