package io.fraudstream.replay.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fraudstream.model.scoring.AlertBudget;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BudgetedAlertsTest {

    private static final long HOUR = 3_600_000L;

    /**
     * Three days of 500 scores an hour; from day two on every score is higher, frauds score highest. A 24 h window
     * follows the shift over a day: day three is decided on shifted scores only.
     */
    private static List<ScoredTransaction> threeDays() {
        Random r = new Random(5);
        List<ScoredTransaction> out = new ArrayList<>();
        for (int h = 0; h < 72; h++) {
            for (int i = 0; i < 500; i++) {
                boolean fraud = i % 100 == 0;
                double logit = (h < 24 ? -4 : -3) + r.nextGaussian() + (fraud ? 4 : 0);
                out.add(new ScoredTransaction("t" + h + "-" + i, "c" + i, h * HOUR + i * 7_000L,
                        1 / (1 + Math.exp(-logit)), i % 3 == 0 ? null : fraud));
            }
        }
        return out;
    }

    @Test
    void decidesEachScoreAtTheThresholdOfItsTimeInEventTimeOrder() {
        List<ScoredTransaction> all = threeDays();
        AlertBudget.Settings settings = new AlertBudget.Settings(0.02, 24 * HOUR, 10);
        BudgetedAlerts day3 = BudgetedAlerts.of(all, settings, 0.5, s -> s.eventTimeMillis() >= 48 * HOUR);

        // the days before warmed the budget up: every day-three score is decided at the window's quantile, at about 2 %
        assertThat(day3.rows()).isEqualTo(24 * 500);
        assertThat(day3.onFallback()).isZero();
        assertThat(day3.alertRate()).isCloseTo(0.02, within(0.004));
        assertThat(day3.minThreshold()).isLessThanOrEqualTo(day3.maxThreshold());
        // the counts behind recall and precision: labelled rows only
        assertThat(day3.labelled()).isLessThan(day3.rows());
        assertThat(day3.fraudAlerts()).isLessThanOrEqualTo(day3.frauds()).isLessThanOrEqualTo(day3.labelled());
        assertThat(day3.recall()).isEqualTo(day3.fraudAlerts() / (double) day3.frauds());

        // the input's order does not matter (a replay's scores come back card after card)
        List<ScoredTransaction> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new Random(1));
        assertThat(BudgetedAlerts.of(shuffled, settings, 0.5, s -> s.eventTimeMillis() >= 48 * HOUR)).isEqualTo(day3);

        // the first hour has no complete bucket before it: the model's threshold decides
        BudgetedAlerts hour0 = BudgetedAlerts.of(all, settings, 0.5, s -> s.eventTimeMillis() < HOUR);
        assertThat(hour0.onFallback()).isEqualTo(500);
        assertThat(hour0.minThreshold()).isNaN();
        assertThat(hour0.alerts()).isEqualTo(all.stream().filter(s -> s.eventTimeMillis() < HOUR)
                .filter(s -> s.score() >= 0.5).count());
    }
}
