package io.fraudstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SimulatorConfigTest {

    @Test
    void defaultsAreValidAndSumToOnePercent() {
        SimulatorConfig c = SimulatorConfig.builder().build();
        assertThat(c.cards()).isEqualTo(1_000);
        assertThat(c.labelDelay()).isEqualTo(Duration.ofDays(7));
        assertThat(c.compromisedMerchant()).isTrue();
        assertThat(c.totalFraudShare()).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(c.end()).contains(SimulatorConfig.DEFAULT_START.plus(Duration.ofDays(30)));
    }

    @Test
    void fraudRateKeepsTheMixAndRespectsADisabledScenario() {
        SimulatorConfig c = SimulatorConfig.builder().compromisedMerchant(false).fraudRate(0.02).build();
        assertThat(c.totalFraudShare()).isCloseTo(0.02, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(c.effectiveShare(FraudScenario.COMPROMISED_MERCHANT)).isZero();
        assertThat(c.effectiveShare(FraudScenario.ACCOUNT_TAKEOVER) / c.effectiveShare(FraudScenario.IMPOSSIBLE_TRAVEL))
                .isCloseTo(0.0025 / 0.0015, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void invalidSettingsAreNamed() {
        assertInvalid(SimulatorConfig.builder().cards(0), "simulator.cards", "simulator.cards must be between 1 and 5000000, was 0");
        assertInvalid(SimulatorConfig.builder().start(null), "simulator.start", "simulator.start must be set");
        assertInvalid(SimulatorConfig.builder().start(Instant.parse("2025-01-01T00:00:00.5Z")), "simulator.start",
                "whole second");
        assertInvalid(SimulatorConfig.builder().duration(Duration.ZERO), "simulator.duration", "must be positive, was PT0S");
        assertInvalid(SimulatorConfig.builder().maxTransactions(0), "simulator.max-transactions", "must be >= 1, was 0");
        assertInvalid(SimulatorConfig.builder().fraudShare(FraudScenario.CARD_TESTING, -0.1),
                "simulator.fraud-share.card-testing", "must be between 0 and 0.1, was -0.1");
        assertInvalid(SimulatorConfig.builder().fraudShare(FraudScenario.NIGHT_HIGH_AMOUNT, Double.NaN),
                "simulator.fraud-share.night-high-amount", "was NaN");
        assertInvalid(SimulatorConfig.builder().labelDelay(Duration.ofDays(-1)), "simulator.label-delay", "must be >= 0");
        SimulatorConfig.Builder tooMuch = SimulatorConfig.builder();
        for (FraudScenario s : FraudScenario.values()) {
            tooMuch.fraudShare(s, 0.09);
        }
        assertInvalid(tooMuch, "simulator.fraud-rate", "must be <= 0.2");
        assertThatThrownBy(() -> SimulatorConfig.builder().fraudRate(0.5))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("simulator.fraud-rate");
    }

    @Test
    void aDisabledScenarioDoesNotCountTowardsTheTotal() {
        SimulatorConfig c = SimulatorConfig.builder().compromisedMerchant(false)
                .fraudShare(FraudScenario.COMPROMISED_MERCHANT, 0.1).fraudShare(FraudScenario.CARD_TESTING, 0.1)
                .build();
        assertThat(c.totalFraudShare()).isCloseTo(0.1 + 0.0015 + 0.0025 + 0.0025, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void toBuilderRoundTrips() {
        SimulatorConfig c = SimulatorConfig.builder().seed(7).cards(3).unbounded().maxTransactions(10).build();
        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThat(c.end()).isEmpty();
    }

    private static void assertInvalid(SimulatorConfig.Builder builder, String setting, String messagePart) {
        assertThatThrownBy(builder::build)
                .isInstanceOfSatisfying(InvalidSettingException.class, e -> assertThat(e.setting()).isEqualTo(setting))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(setting)
                .hasMessageContaining(messagePart);
    }
}
