package io.fraudstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.fraudstream.avro.Transaction;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HandbookSimulatorTest {

    private static HandbookData small(long seed) {
        return new HandbookSimulator(new HandbookSimulator.Config(seed, 300, 600, 40, LocalDate.of(2018, 4, 1), 5.0))
                .generate();
    }

    /**
     * The handbook's data set (5,000 customers, 10,000 terminals, 183 days): 1,754,155 transactions, 0.84 % fraud.
     * Scenario shares follow from the generator: amount > 220 about 0.05 % of transactions; 2 terminals a day for
     * 28 days keep about 56 of 10,000 terminals compromised (about 0.5 %); 3 customers a day for 14 days keep 42
     * of 5,000 compromised with a third of their transactions fraud (about 0.28 %).
     */
    @Test
    void fullSizeStatisticsMatchTheHandbook() {
        HandbookData d = new HandbookSimulator(HandbookSimulator.Config.handbook(7)).generate();
        int[] byScenario = new int[4];
        for (int i = 0; i < d.size(); i++) {
            byScenario[d.scenarioNumber(i)]++;
        }
        double n = d.size();
        assertThat(n).isBetween(1_700_000.0, 1_810_000.0);
        assertThat((n - byScenario[0]) / n).isCloseTo(0.0084, within(0.0008));
        assertThat(byScenario[1] / n).isCloseTo(0.00055, within(0.00015));
        assertThat(byScenario[2] / n).isCloseTo(0.0052, within(0.0008));
        assertThat(byScenario[3] / n).isCloseTo(0.0027, within(0.0004));
        assertThat(d.day(d.size() - 1)).isEqualTo(182);
    }

    @Test
    void transactionsFollowTheGeneratorsRules() {
        HandbookData d = small(3);
        assertThat(d.size()).isGreaterThan(300 * 40); // 2 a day on average, fewer for customers with no terminal
        Map<Integer, Set<Integer>> terminalsByCustomer = new HashMap<>();
        long previous = -1;
        for (int i = 0; i < d.size(); i++) {
            Transaction tx = d.transaction(i).tx();
            assertThat(d.seconds(i)).isGreaterThanOrEqualTo(previous);
            previous = d.seconds(i);
            long timeOfDay = d.seconds(i) % 86_400;
            assertThat(timeOfDay).isBetween(1L, 86_399L);
            // terminal within radius 5 of the customer (grid / 100 in degrees)
            double dx = (tx.getHomeLon() - tx.getMerchantLon()) * 100;
            double dy = (tx.getHomeLat() - tx.getMerchantLat()) * 100;
            assertThat(Math.sqrt(dx * dx + dy * dy)).isLessThan(5.0 + 1e-9);
            assertThat(tx.getTerminalId()).isEqualTo(HandbookData.terminalId(d.terminal(i)))
                    .isEqualTo(tx.getMerchantId());
            assertThat(tx.getCardId()).isEqualTo(HandbookData.cardId(d.customer(i)));
            assertThat(tx.getEventTime()).isEqualTo(
                    LocalDate.of(2018, 4, 1).atStartOfDay().toInstant(java.time.ZoneOffset.UTC).plusSeconds(d.seconds(i)));
            assertThat(d.amountCents(i)).isNotNegative();
            switch (d.scenarioNumber(i)) {
                case 1 -> assertThat(d.amountCents(i)).isGreaterThan(22_000);
                case 3 -> assertThat(d.amountCents(i) % 5).isZero();
                default -> { }
            }
            assertThat(d.transaction(i).scenario()).isEqualTo(d.scenario(i));
            terminalsByCustomer.computeIfAbsent(d.customer(i), c -> new HashSet<>()).add(d.terminal(i));
        }
        // customers spread over several terminals near them
        assertThat(terminalsByCustomer.values().stream().mapToInt(Set::size).average().orElse(0)).isGreaterThan(2);
        // all three scenarios occur
        Set<Integer> scenarios = new HashSet<>();
        for (int i = 0; i < d.size(); i++) {
            scenarios.add(d.scenarioNumber(i));
        }
        assertThat(scenarios).contains(0, 2, 3);
    }

    @Test
    void compromisedTerminalsAreFraudForWholeDays() {
        HandbookData d = small(5);
        // a terminal-scenario fraud makes every later transaction that day at that terminal fraud too
        Map<Long, Boolean> terminalDay = new HashMap<>();
        for (int i = 0; i < d.size(); i++) {
            long key = (long) d.terminal(i) * 1000 + d.day(i);
            if (d.scenarioNumber(i) == 2) {
                terminalDay.put(key, true);
            }
        }
        for (int i = 0; i < d.size(); i++) {
            long key = (long) d.terminal(i) * 1000 + d.day(i);
            if (terminalDay.containsKey(key)) {
                assertThat(d.scenarioNumber(i)).as("row %d", i).isIn(2, 3);
            }
        }
        assertThat(terminalDay).isNotEmpty();
    }

    @Test
    void deterministicPerSeed() {
        HandbookData a = small(11);
        HandbookData b = small(11);
        HandbookData c = small(12);
        assertThat(a.size()).isEqualTo(b.size());
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.transaction(i)).isEqualTo(b.transaction(i));
        }
        assertThat(c.size()).isNotEqualTo(a.size());
    }

    @Test
    void eventsMergeLabelsAfterTheirDelay() {
        HandbookData d = small(3);
        List<SimulatedEvent> events = new ArrayList<>();
        for (Iterator<SimulatedEvent> it = d.events(Duration.ofDays(7)); it.hasNext();) {
            events.add(it.next());
        }
        long frauds = d.transactions().filter(SimulatedTransaction::fraud).count();
        long labels = events.stream().filter(e -> e instanceof SimulatedLabel).count();
        assertThat(labels).isEqualTo(frauds).isPositive();
        assertThat(events).hasSize(d.size() + (int) frauds);
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i).time()).isAfterOrEqualTo(events.get(i - 1).time());
        }
        SimulatedLabel first = (SimulatedLabel) events.stream().filter(e -> e instanceof SimulatedLabel).findFirst()
                .orElseThrow();
        assertThat(first.label().getTerminalId()).startsWith("term-");
        assertThat(first.label().getReportedAt()).isEqualTo(first.label().getTransactionTime().plus(Duration.ofDays(7)));
    }

    @Test
    void badSettingsNameTheSetting() {
        assertThatThrownBy(() -> new HandbookSimulator.Config(1, 0, 10, 10, LocalDate.of(2018, 4, 1), 5))
                .hasMessageContaining("simulator.handbook.customers");
        assertThatThrownBy(() -> new HandbookSimulator.Config(1, 10, 10, 10, LocalDate.of(2018, 4, 1), 0))
                .hasMessageContaining("simulator.handbook.radius");
    }
}
