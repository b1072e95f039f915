package io.fraudstream.console.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PanGuardTest {

    @Test
    void findsCardNumbersWithOrWithoutSeparators() {
        assertThat(PanGuard.containsPan("4111111111111111")).isTrue();
        assertThat(PanGuard.containsPan("card 4111 1111 1111 1111 used")).isTrue();
        assertThat(PanGuard.containsPan("5500-0000-0000-0004")).isTrue();
        assertThat(PanGuard.containsPan("378282246310005")).isTrue(); // 15-digit Amex
    }

    @Test
    void leavesTokensIdsAndNonLuhnRunsAlone() {
        assertThat(PanGuard.containsPan("tok-card-000123")).isFalse();
        assertThat(PanGuard.containsPan("4111111111111112")).isFalse(); // fails Luhn
        assertThat(PanGuard.containsPan("123456789012")).isFalse(); // 12 digits
        assertThat(PanGuard.containsPan(null)).isFalse();
        assertThat(PanGuard.containsPan("tx-7f3a9c")).isFalse();
    }
}
