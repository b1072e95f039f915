package io.fraudstream.job.validation;

import io.fraudstream.avro.DeadLetter;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/**
 * How dead letters are built from rejected records: what they keep of the payload and key
 * ({@code dead-letter.payload}, {@code dead-letter.max-payload-bytes}). The one place a dead letter's payload is
 * decided; a rejection that found a card number always withholds payload and key.
 *
 * @param payload what is kept of the original value and key
 * @param maxPayloadBytes the cut in {@link DeadLetterPayload#TRUNCATED} mode
 */
public record DeadLetterPolicy(DeadLetterPayload payload, int maxPayloadBytes) implements Serializable {

    /** Longest key kept; a key is an id, longer ones are cut. */
    static final int MAX_KEY_BYTES = 1024;

    public static DeadLetterPolicy truncated(int maxPayloadBytes) {
        return new DeadLetterPolicy(DeadLetterPayload.TRUNCATED, maxPayloadBytes);
    }

    /** The dead letter of a record read at {@code topic/partition@offset} with {@code key} and {@code value}. */
    public DeadLetter build(String topic, int partition, long offset, byte[] key, byte[] value, Rejection rejection,
            long nowMillis) {
        byte[] payload = value == null ? new byte[0] : value;
        boolean truncated = false;
        boolean withheld = rejection.withholdPayload() || this.payload == DeadLetterPayload.WITHHELD;
        if (withheld) {
            payload = new byte[0];
            key = null;
        } else {
            int limit = this.payload == DeadLetterPayload.FULL ? DeadLetterPayload.HARD_LIMIT_BYTES
                    : Math.min(maxPayloadBytes, DeadLetterPayload.HARD_LIMIT_BYTES);
            if (payload.length > limit) {
                payload = Arrays.copyOf(payload, limit);
                truncated = true;
            }
        }
        return DeadLetter.newBuilder()
                .setPayload(ByteBuffer.wrap(payload))
                .setPayloadTruncated(truncated)
                .setPayloadWithheld(withheld)
                .setKey(key == null ? null : ByteBuffer.wrap(key.length > MAX_KEY_BYTES ? Arrays.copyOf(key, MAX_KEY_BYTES) : key))
                .setSourceTopic(topic == null ? "" : topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setReason(rejection.reason())
                .setMessage(rejection.message())
                .setField(rejection.field())
                .setDetectedAt(Instant.ofEpochMilli(nowMillis))
                .build();
    }

    /**
     * {@code letter} with payload and key removed when this policy withholds them, else unchanged: for dead letters
     * built elsewhere (the scoring function's duplicates and scoring failures) before they leave the job.
     */
    public DeadLetter enforce(DeadLetter letter) {
        if (payload != DeadLetterPayload.WITHHELD || letter.getPayloadWithheld()) {
            return letter;
        }
        return DeadLetter.newBuilder(letter).setPayload(ByteBuffer.wrap(new byte[0])).setPayloadTruncated(false)
                .setKey(null).setPayloadWithheld(true).build();
    }
}
