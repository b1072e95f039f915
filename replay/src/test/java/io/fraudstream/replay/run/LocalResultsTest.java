package io.fraudstream.replay.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LocalResultsTest {

    @Test
    void aSinkOutsideTheClientsJvmFindsNoRunAndFailsNamingTheCause() {
        String id;
        try (LocalResults run = LocalResults.open(1)) {
            id = run.id();
            assertThat(LocalResults.of(id)).isSameAs(run);
        }
        assertThatThrownBy(() -> LocalResults.of(id))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(id)
                .hasMessageContaining("local environment");
    }

    @Test
    void deliveriesAreKeptPerModelAndStampTheInterval() {
        try (LocalResults run = LocalResults.open(2)) {
            assertThat(run.firstNanos()).isEqualTo(-1);
            ReplayOutcome a = new ReplayOutcome();
            ReplayOutcome b = new ReplayOutcome();
            ReplayOutcome c = new ReplayOutcome();
            run.started();
            long first = run.firstNanos();
            run.started(); // a later subtask's first result does not move the start
            assertThat(run.firstNanos()).isEqualTo(first);
            run.counted(2);
            run.deliver(1, List.of(a, b));
            run.counted(1);
            run.deliver(1, List.of(c));
            run.deliver(0, List.of());

            assertThat(run.count()).isEqualTo(3);
            assertThat(run.outcomes(1)).containsExactly(a, b, c);
            assertThat(run.outcomes(0)).isEmpty();
            assertThat(run.lastNanos()).isGreaterThanOrEqualTo(first);
        }
    }
}
