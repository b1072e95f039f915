package io.fraudstream.job.validation;

import io.fraudstream.schemas.CardNumbers;
import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.LabelValue;
import io.fraudstream.avro.Transaction;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.io.RawRecord;
import io.fraudstream.job.pop.LabelDecoder;
import io.fraudstream.schemas.AvroCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * Dead letters through the real operators ({@link DecodeAndValidate}, {@link LabelDecoder}) in every
 * {@code dead-letter.payload} mode: what they keep of payload and key, and that a card number anywhere (a field
 * with or without another defect, the Kafka key, undecodable bytes, a fraud label) always withholds both.
 */
class DeadLetterPayloadTest {

    private static final long NOW = Instant.parse("2026-11-29T12:00:00Z").toEpochMilli();
    private static final String PAN = "4111111111111111";
    private static final AvroCodec<Transaction> TX = AvroCodec.of(Transaction.class);
    private static final AvroCodec<FraudLabel> LABELS = AvroCodec.of(FraudLabel.class);
    private static final byte[] KEY = "card-000001".getBytes(StandardCharsets.UTF_8);

    private static ValidationRules rules(DeadLetterPayload mode, int maxBytes) {
        return new ValidationRules(Duration.ofDays(3650).toMillis(), Duration.ofDays(1).toMillis(), 100_000_000_000L,
                maxBytes, mode);
    }

    private static List<DeadLetter> decode(ValidationRules rules, byte[] key, byte[] value) throws Exception {
        OneInputStreamOperatorTestHarness<RawRecord, TransactionEvent> h =
                ProcessFunctionTestHarnesses.forProcessFunction(new DecodeAndValidate(rules));
        h.setProcessingTime(NOW);
        h.processElement(new StreamRecord<>(new RawRecord("transactions", 0, 7, NOW, 0, key, value)));
        List<DeadLetter> out = h.getSideOutput(JobStreams.DEAD_LETTERS).stream().map(r -> (DeadLetter) r.getValue()).toList();
        assertThat(h.extractOutputValues()).isEmpty();
        h.close();
        return out;
    }

    private static byte[] tx(java.util.function.Consumer<Transaction.Builder> change) {
        Transaction.Builder b = TransactionValidatorTest.valid();
        b.setEventTime(Instant.ofEpochMilli(NOW - 60_000));
        change.accept(b);
        return TX.encode(b.build());
    }

    private static void assertWithheld(DeadLetter d, String field) {
        assertThat(d.getReason()).isEqualTo(DeadLetterReason.PAN_DETECTED);
        assertThat(d.getField()).isEqualTo(field);
        assertThat(d.getPayloadWithheld()).isTrue();
        assertThat(d.getPayload().remaining()).isZero();
        assertThat(d.getKey()).isNull();
        assertThat(d.getMessage()).contains(field).contains("withheld").doesNotContain("4111");
        assertThat(d.getSourceOffset()).isEqualTo(7);
    }

    @Test
    void everyModeKeepsWhatItSaysOfARecordWithoutCardNumbers() throws Exception {
        byte[] bad = tx(b -> b.setMerchantCategory(" ").setMerchantId("m-" + "x".repeat(200)));
        DeadLetter full = decode(rules(DeadLetterPayload.FULL, 16), KEY, bad).get(0);
        assertThat(toBytes(full.getPayload())).isEqualTo(bad);
        assertThat(toBytes(full.getKey())).isEqualTo(KEY);
        assertThat(full.getPayloadTruncated()).isFalse();
        assertThat(full.getPayloadWithheld()).isFalse();
        assertThat(full.getReason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(full.getField()).isEqualTo("merchantCategory");

        DeadLetter cut = decode(rules(DeadLetterPayload.TRUNCATED, 16), KEY, bad).get(0);
        assertThat(toBytes(cut.getPayload())).isEqualTo(Arrays.copyOf(bad, 16));
        assertThat(cut.getPayloadTruncated()).isTrue();
        assertThat(toBytes(cut.getKey())).isEqualTo(KEY);

        DeadLetter none = decode(rules(DeadLetterPayload.WITHHELD, 16), KEY, bad).get(0);
        assertThat(none.getPayload().remaining()).isZero();
        assertThat(none.getKey()).isNull();
        assertThat(none.getPayloadWithheld()).isTrue();
        assertThat(none.getReason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
    }

    @Test
    void aCardNumberAnywhereWithholdsPayloadAndKeyInEveryMode() throws Exception {
        byte[] panKey = PAN.getBytes(StandardCharsets.UTF_8);
        for (DeadLetterPayload mode : DeadLetterPayload.values()) {
            ValidationRules rules = rules(mode, 1 << 16);
            // In cardId, alone and with another defect that today's code reported first.
            assertWithheld(decode(rules, KEY, tx(b -> b.setCardId(PAN))).get(0), "cardId");
            assertWithheld(decode(rules, KEY, tx(b -> b.setCardId(PAN).setMerchantCategory(" "))).get(0), "cardId");
            // In another string field.
            assertWithheld(decode(rules, KEY, tx(b -> b.setMerchantId("shop 4111 1111 1111 1111"))).get(0), "merchantId");
            // In the Kafka key of an otherwise valid transaction, and of one with a defect.
            assertWithheld(decode(rules, panKey, tx(b -> { })).get(0), "kafka key");
            assertWithheld(decode(rules, panKey, tx(b -> b.setAmountMinor(-1))).get(0), "kafka key");
            // In the bytes of a record that does not decode.
            byte[] json = ("{\"cardId\":\"" + PAN + "\",\"amount\":12.5}").getBytes(StandardCharsets.UTF_8);
            assertWithheld(decode(rules, KEY, json).get(0), "raw bytes");
            byte[] truncatedAvro = Arrays.copyOf(tx(b -> b.setCardId(PAN)), 40);
            assertWithheld(decode(rules, panKey, truncatedAvro).get(0), "raw bytes, kafka key");
        }
    }

    @Test
    void undecodableRecordsWithoutCardNumbersKeepTheirReason() throws Exception {
        DeadLetter d = decode(rules(DeadLetterPayload.FULL, 1024), KEY, new byte[] {1, 2, 3}).get(0);
        assertThat(d.getReason()).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(toBytes(d.getPayload())).containsExactly(1, 2, 3);
        assertThat(d.getPayloadWithheld()).isFalse();
    }

    @Test
    void fraudLabelsWithACardNumberAreWithheld() throws Exception {
        for (DeadLetterPayload mode : DeadLetterPayload.values()) {
            DeadLetterPolicy policy = new DeadLetterPolicy(mode, 1 << 16);
            assertWithheld(label(policy, KEY, LABELS.encode(label().setCardId(PAN).build())), "cardId");
            assertWithheld(label(policy, KEY, LABELS.encode(label().setSource("chargeback " + PAN.replaceAll("(\\d{4})(?=\\d)", "$1 "))
                    .setReportedAt(Instant.ofEpochMilli(NOW + Duration.ofDays(400).toMillis())).build())), "source");
            assertWithheld(label(policy, PAN.getBytes(StandardCharsets.UTF_8), LABELS.encode(label().build())), "kafka key");
            assertWithheld(label(policy, KEY, ("chargeback;" + PAN + ";2026-11-02").getBytes(StandardCharsets.UTF_8)),
                    "raw bytes");
        }
    }

    @Test
    void theScoringFunctionsDeadLettersAreWithheldToo() {
        DeadLetter duplicate = DeadLetterPolicy.truncated(1024).build("transactions", 0, 1, KEY, new byte[] {9, 9},
                Rejection.of(DeadLetterReason.DUPLICATE, "again"), NOW);
        assertThat(new DeadLetterPolicy(DeadLetterPayload.TRUNCATED, 1024).enforce(duplicate)).isSameAs(duplicate);
        DeadLetter withheld = new DeadLetterPolicy(DeadLetterPayload.WITHHELD, 1024).enforce(duplicate);
        assertThat(withheld.getPayload().remaining()).isZero();
        assertThat(withheld.getKey()).isNull();
        assertThat(withheld.getPayloadWithheld()).isTrue();
        assertThat(withheld.getReason()).isEqualTo(DeadLetterReason.DUPLICATE);
    }

    private static FraudLabel.Builder label() {
        return FraudLabel.newBuilder().setTransactionId("tx-1").setCardId("card-000001").setLabel(LabelValue.FRAUD)
                .setReportedAt(Instant.ofEpochMilli(NOW - 60_000)).setSource("CHARGEBACK").setMerchantId("m-1")
                .setTerminalId(null);
    }

    private static DeadLetter label(DeadLetterPolicy policy, byte[] key, byte[] value) throws Exception {
        OneInputStreamOperatorTestHarness<RawRecord, ?> h =
                ProcessFunctionTestHarnesses.forProcessFunction(new LabelDecoder(policy, Duration.ofDays(1).toMillis()));
        h.setProcessingTime(NOW);
        h.processElement(new StreamRecord<>(new RawRecord("fraud-labels", 0, 7, NOW, 0, key, value)));
        List<DeadLetter> out = h.getSideOutput(JobStreams.DEAD_LETTERS).stream().map(r -> (DeadLetter) r.getValue()).toList();
        assertThat(h.extractOutputValues()).isEmpty();
        h.close();
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private static byte[] toBytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
