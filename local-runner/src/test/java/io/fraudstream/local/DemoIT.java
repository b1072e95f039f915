package io.fraudstream.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.testkit.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default as a user runs it, for a short duration: it must print alerts for injected fraud. */
class DemoIT {

    @Test
    void demoScoresTheSimulatedStreamAndAlertsOnInjectedFraud(@TempDir Path work) throws Exception {
        DemoOptions options = DemoOptions.parse("--duration", "30s", "--rate", "400", "--cards", "300",
                "--kafka-port", "0", "--web-port", Integer.toString(FreePorts.pick()),
                "--metrics-port", Integer.toString(FreePorts.pick()), "--work-dir", work.toString());
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Demo demo = new Demo(options, new PrintStream(captured, true, StandardCharsets.UTF_8));

        long alerts = demo.run();

        String output = captured.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("[status]", "[ALERT]", "stopped cleanly");
        assertThat(output).as("the demo starts the analyst console").containsPattern("analyst console http://localhost:[0-9]+/  one-time login: analyst / [A-Za-z0-9]{20}");
        assertThat(alerts).isPositive();
        Demo.Summary summary = demo.lastSummary();
        assertThat(summary.scored()).as("transactions scored").isGreaterThan(3_000);
        assertThat(summary.fraudAlerted()).as("alerts on injected fraud").isPositive();
        // The bootstrap model alerts on about 1% of traffic; a flood of alerts would mean a broken model.
        assertThat((double) summary.alerts() / summary.scored()).isLessThan(0.05);
    }
}
