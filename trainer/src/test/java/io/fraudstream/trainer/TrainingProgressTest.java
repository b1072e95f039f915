package io.fraudstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.cli.support.Progress;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.simulator.SimulatorConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code train} reports its three long stages (attention epochs with DJL, the feature table card by card, the
 * classifier's lambda grid) through the shared {@link Progress}; off a terminal as plain lines, in order.
 */
class TrainingProgressTest {

    @Test
    void eachStageReportsEveryStepAndItsEnd() {
        LabelledData data = SimulatorData.load(SimulatorConfig.builder().seed(5).cards(40)
                .start(Instant.parse("2025-01-01T00:00:00Z")).duration(Duration.ofDays(40)).fraudRate(0.03).build());
        TimeSplit split = TimeSplit.latest(data.minTime(), data.maxTime(), null, Duration.ofDays(5),
                Duration.ofDays(10));
        TrainerSettings settings = TrainerSettings.defaults()
                .withExtractor(ExtractorConfig.builder().window(256).k(8).heads(2).dim(8).build())
                .withAttention(AttentionSettings.DEFAULTS.withEpochs(2).withMaxPairsPerEpoch(256))
                .withLambdas(new double[] {1, 10, 100});
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // every step a line (not a terminal: plain lines into the stream)
        Progress progress = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 1, 3_600_000, false);

        new ModelTrainer(settings, progress).train(data, split, "20261129T0800Z-progress",
                Instant.parse("2026-11-29T08:00:00Z"));

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).anyMatch(l -> l.startsWith("attention epochs: 1 / 2 (50.0%)"))
                .anyMatch(l -> l.startsWith("attention epochs: 2 / 2 (100.0%)"))
                .anyMatch(l -> l.startsWith("attention epochs: 2 done in"))
                .anyMatch(l -> l.startsWith("feature table (cards): 40 / 40 (100.0%)"))
                .anyMatch(l -> l.startsWith("feature table (cards): 40 done in"))
                .anyMatch(l -> l.startsWith("classifier lambdas: 3 / 3 (100.0%)"))
                .anyMatch(l -> l.startsWith("classifier lambdas: 3 done in"));
        // One line per card, counted 1..40 in order although the cards are computed in parallel.
        List<String> cards = lines.stream().filter(l -> l.startsWith("feature table (cards): ") && l.contains(" / "))
                .toList();
        assertThat(cards).hasSize(40);
        for (int i = 0; i < cards.size(); i++) {
            assertThat(cards.get(i)).startsWith("feature table (cards): " + (i + 1) + " / 40 ");
        }
        // The stages come in training order.
        assertThat(indexOf(lines, "attention epochs: 2 done")).isLessThan(indexOf(lines, "feature table (cards): 1 /"));
        assertThat(indexOf(lines, "feature table (cards): 40 done"))
                .isLessThan(indexOf(lines, "classifier lambdas: 1 /"));
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no line starts with '" + prefix + "' in " + lines);
    }
}
