package io.fraudstream.job.validation;

import io.fraudstream.schemas.CardNumbers;
import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.Channel;
import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.Transaction;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class TransactionValidatorTest {

    private static final long NOW = Instant.parse("2026-11-29T12:00:00Z").toEpochMilli();
    private final TransactionValidator validator = new TransactionValidator(
            new ValidationRules(Duration.ofDays(3650).toMillis(), Duration.ofDays(1).toMillis(), 100_000_000_000L, 1024));

    static Transaction.Builder valid() {
        return Transaction.newBuilder()
                .setTransactionId("tx-1").setCardId("card-000001").setAccountId("acct-1")
                .setEventTime(Instant.ofEpochMilli(NOW - 60_000)).setAmountMinor(12_345).setCurrency("USD")
                .setMerchantId("m-1").setMerchantCategory("grocery_pos").setChannel(Channel.CARD_PRESENT)
                .setMerchantLat(40.7).setMerchantLon(-74.0).setHomeLat(40.8).setHomeLon(-73.9)
                .setCountry("US").setTerminalId(null);
    }

    private Rejection check(Consumer<Transaction.Builder> change) {
        Transaction.Builder b = valid();
        change.accept(b);
        return validator.validate(b.build(), NOW, new TransactionEvent());
    }

    @Test
    void validTransactionIsConvertedWithMajorUnits() {
        TransactionEvent out = new TransactionEvent();
        assertThat(validator.validate(valid().build(), NOW, out)).isNull();
        assertThat(out.amount).isEqualTo(123.45);
        assertThat(out.merchantLat).isEqualTo(40.7);
        assertThat(out.channel).isEqualTo("CARD_PRESENT");

        Transaction yen = valid().setCurrency("JPY").setAmountMinor(5000).setMerchantLat(null).setMerchantLon(null).build();
        assertThat(validator.validate(yen, NOW, out)).isNull();
        assertThat(out.amount).isEqualTo(5000.0);
        assertThat(out.merchantLat).isNaN();
    }

    @Test
    void eachRuleRejectsWithItsReason() {
        assertThat(check(b -> b.setCardId(" ")).reason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(check(b -> b.setMerchantId("x".repeat(1_000_000))).reason()).isEqualTo(DeadLetterReason.INVALID_FIELD);
        assertThat(check(b -> b.setAmountMinor(-1)).reason()).isEqualTo(DeadLetterReason.INVALID_AMOUNT);
        assertThat(check(b -> b.setAmountMinor(Long.MAX_VALUE)).reason()).isEqualTo(DeadLetterReason.INVALID_AMOUNT);
        assertThat(check(b -> b.setMerchantLat(91.0)).reason()).isEqualTo(DeadLetterReason.INVALID_COORDINATES);
        assertThat(check(b -> b.setHomeLon(181.0)).reason()).isEqualTo(DeadLetterReason.INVALID_COORDINATES);
        assertThat(check(b -> b.setHomeLat(Double.NaN)).reason()).isEqualTo(DeadLetterReason.INVALID_COORDINATES);
        assertThat(check(b -> b.setMerchantLon(null)).reason()).isEqualTo(DeadLetterReason.INVALID_COORDINATES);
        assertThat(check(b -> b.setEventTime(Instant.EPOCH)).reason()).isEqualTo(DeadLetterReason.INVALID_TIMESTAMP);
        assertThat(check(b -> b.setEventTime(Instant.parse("9999-01-01T00:00:00Z"))).reason())
                .isEqualTo(DeadLetterReason.INVALID_TIMESTAMP);
        assertThat(check(b -> b.setCurrency("XYZ")).reason()).isEqualTo(DeadLetterReason.INVALID_FIELD);
        assertThat(check(b -> b.setCurrency("dollars")).reason()).isEqualTo(DeadLetterReason.INVALID_FIELD);
    }

    @Test
    void aFullCardNumberIsRefusedWithoutBeingRepeated() {
        String pan = "4111 1111 1111 1111";
        Rejection r = check(b -> b.setCardId(pan));
        assertThat(r.reason()).isEqualTo(DeadLetterReason.PAN_DETECTED);
        assertThat(r.withholdPayload()).isTrue();
        assertThat(r.field()).isEqualTo("cardId");
        assertThat(r.message()).contains("cardId").doesNotContain("4111");
    }

    @Test
    void theCardNumberCheckComesBeforeEveryOtherCheck() {
        // Today's bug: a PAN with another defect left as that defect, payload and key in the dead letter.
        String pan = "4111111111111111";
        for (Consumer<Transaction.Builder> defect : List.<Consumer<Transaction.Builder>>of(
                b -> b.setMerchantCategory(" "), b -> b.setMerchantId("x".repeat(300)), b -> b.setAmountMinor(-1),
                b -> b.setEventTime(Instant.EPOCH), b -> b.setCurrency("XYZ"), b -> b.setMerchantLat(91.0),
                b -> b.setTransactionId(""))) {
            Rejection r = check(b -> defect.accept(b.setCardId(pan)));
            assertThat(r.reason()).isEqualTo(DeadLetterReason.PAN_DETECTED);
            assertThat(r.withholdPayload()).isTrue();
            assertThat(r.field()).isEqualTo("cardId");
        }
    }

    @Test
    void everyStringFieldAndTheKeyAreSearched() {
        String pan = "5555-5555-5555-4444";
        Map<String, Consumer<Transaction.Builder>> fields = new LinkedHashMap<>();
        fields.put("transactionId", b -> b.setTransactionId("tx " + pan));
        fields.put("accountId", b -> b.setAccountId(pan));
        fields.put("currency", b -> b.setCurrency(pan));
        fields.put("merchantId", b -> b.setMerchantId("merchant " + pan));
        fields.put("merchantCategory", b -> b.setMerchantCategory(pan));
        fields.put("country", b -> b.setCountry(pan));
        fields.put("terminalId", b -> b.setTerminalId(pan));
        fields.put("amountMinor", b -> b.setAmountMinor(5555555555554444L));
        fields.forEach((field, put) -> {
            Rejection r = check(put);
            assertThat(r.reason()).as(field).isEqualTo(DeadLetterReason.PAN_DETECTED);
            assertThat(r.field()).as(field).isEqualTo(field);
            assertThat(r.withholdPayload()).as(field).isTrue();
        });
        Rejection both = check(b -> b.setCardId(pan).setMerchantId(pan));
        assertThat(both.field()).isEqualTo("cardId, merchantId");

        Rejection keyOnly = validator.validate(valid().build(), Rejection.KAFKA_KEY, NOW, new TransactionEvent());
        assertThat(keyOnly.reason()).isEqualTo(DeadLetterReason.PAN_DETECTED);
        assertThat(keyOnly.field()).isEqualTo("kafka key");
        Rejection keyAndField = validator.validate(valid().setCardId(pan).build(), Rejection.KAFKA_KEY, NOW,
                new TransactionEvent());
        assertThat(keyAndField.field()).isEqualTo("cardId, kafka key");
    }

    @Test
    void tokensAndOrdinaryValuesAreNotCardNumbers() {
        assertThat(check(b -> b.setCardId("card-3f2a9c41d07be5a1c2d3e4f5").setTransactionId("0b242abb623afc578575680df30655b9")
                .setMerchantId("fraud_Rippin, Kub and Mann").setTerminalId("T-0000123"))).isNull();
        assertThat(check(b -> b.setTransactionId("41111111111111111110"))).isNull(); // 20 digits
    }

    @Test
    void luhnDetection() {
        assertThat(CardNumbers.looksLikePan("4111111111111111")).isTrue();
        assertThat(CardNumbers.looksLikePan("4111-1111-1111-1111")).isTrue();
        assertThat(CardNumbers.looksLikePan("4111111111111112")).isFalse();
        assertThat(CardNumbers.looksLikePan("card-000123")).isFalse();
        assertThat(CardNumbers.looksLikePan("123456")).isFalse();
    }
}
