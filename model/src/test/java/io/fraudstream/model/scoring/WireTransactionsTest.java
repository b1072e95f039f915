package io.fraudstream.model.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.avro.Channel;
import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.Transaction;
import io.fraudstream.features.RawTransaction;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WireTransactionsTest {

    private final WireTransactions wire = new WireTransactions();

    static Transaction.Builder valid() {
        return Transaction.newBuilder()
                .setTransactionId("tx-1").setCardId("card-000001").setAccountId("acct-1")
                .setEventTime(Instant.parse("2026-11-29T12:00:00Z")).setAmountMinor(12_345).setCurrency("USD")
                .setMerchantId("m-1").setMerchantCategory("grocery_pos").setChannel(Channel.CONTACTLESS)
                .setMerchantLat(null).setMerchantLon(null).setHomeLat(40.8).setHomeLon(-73.9)
                .setCountry("US").setTerminalId(null);
    }

    @Test
    void mapsAmountsByTheCurrencysFractionDigitsAsTheNearestDoubleToTheDecimal() {
        assertThat(wire.toRaw(valid().build()).amount()).isEqualTo(123.45);
        assertThat(wire.toRaw(valid().setCurrency("JPY").setAmountMinor(5000).build()).amount()).isEqualTo(5000.0);
        assertThat(wire.toRaw(valid().setCurrency("BHD").setAmountMinor(1_234).build()).amount()).isEqualTo(1.234);
        // a division, not a multiplication by 0.01 (35 * 0.01 is 0.35000000000000003): the double of "0.35"
        assertThat(wire.toRaw(valid().setAmountMinor(35).build()).amount()).isEqualTo(0.35).isNotEqualTo(35 * 0.01);
    }

    @Test
    void unknownCurrenciesAndCurrenciesWithoutMinorUnitsAreRefusedNeverGuessed() {
        for (String code : new String[] {"ZZZ", "XAU", "XXX", "usd", "US", "EURO"}) {
            assertThat(wire.fractionDigits(code)).as(code).isEqualTo(WireTransactions.NOT_A_CURRENCY);
            WireTransactions.Problem p = wire.check(valid().setCurrency(code).build(), Long.MAX_VALUE);
            assertThat(p).as(code).isNotNull();
            assertThat(p.reason()).isEqualTo(DeadLetterReason.INVALID_FIELD);
            assertThat(p.field()).isEqualTo("currency");
            assertThatThrownBy(() -> wire.toRaw(valid().setCurrency(code).build()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("currency");
        }
    }

    @Test
    void absentCoordinatesAreUnknownAndChannelsMapByName() {
        RawTransaction raw = wire.toRaw(valid().build());
        assertThat(raw.merchantLocationKnown()).isFalse();
        assertThat(raw.channel()).isEqualTo(io.fraudstream.features.Channel.CONTACTLESS);
        for (Channel c : Channel.values()) {
            assertThat(WireTransactions.channel(c.name()).name()).isEqualTo(c.name());
        }
        assertThat(WireTransactions.channel("TELEPATHY")).isEqualTo(io.fraudstream.features.Channel.OTHER);
    }

    @Test
    void eachFieldRuleNamesItsField() {
        assertThat(wire.check(valid().build(), 100_000)).isNull();
        assertThat(wire.check(valid().setAccountId(" ").build(), 100_000).field()).isEqualTo("accountId");
        assertThat(wire.check(valid().setAmountMinor(-1).build(), 100_000).reason())
                .isEqualTo(DeadLetterReason.INVALID_AMOUNT);
        assertThat(wire.check(valid().setAmountMinor(100_001).build(), 100_000).reason())
                .isEqualTo(DeadLetterReason.INVALID_AMOUNT);
        assertThat(wire.check(valid().setHomeLat(null).build(), 100_000).reason())
                .isEqualTo(DeadLetterReason.INVALID_COORDINATES);
        assertThat(wire.check(valid().setMerchantId("x".repeat(257)).build(), 100_000).reason())
                .isEqualTo(DeadLetterReason.INVALID_FIELD);
    }
}
