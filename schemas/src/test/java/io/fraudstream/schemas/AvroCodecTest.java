package io.fraudstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.Transaction;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AvroCodecTest {

    private final AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);

    @Test
    void roundTripsAndWritesTheSingleObjectHeader() throws Exception {
        Transaction tx = SampleTransactions.transaction(7);
        byte[] bytes = codec.encode(tx);

        // C3 01 marker, then the little-endian CRC-64-AVRO fingerprint of the writer schema.
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long fingerprint = 0;
        for (int i = 0; i < 8; i++) {
            fingerprint |= (bytes[2 + i] & 0xFFL) << (8 * i);
        }
        assertThat(fingerprint).isEqualTo(codec.fingerprint());
        assertThat(codec.decode(bytes)).isEqualTo(tx);
    }

    @Test
    void unknownFingerprintIsReportedAsUnknownSchema() {
        byte[] bytes = codec.encode(SampleTransactions.transaction(1));
        bytes[5] ^= 0x5A;
        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOfSatisfying(WireFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA));
    }

    @Test
    void truncatedBodyIsUndecodable() {
        byte[] bytes = codec.encode(SampleTransactions.transaction(1));
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 9);
        assertThatThrownBy(() -> codec.decode(truncated))
                .isInstanceOfSatisfying(WireFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.UNDECODABLE));
    }

    @Test
    void emptyAndNullValuesAreUndecodable() {
        for (byte[] bytes : new byte[][] {null, new byte[0]}) {
            assertThatThrownBy(() -> codec.decode(bytes))
                    .isInstanceOfSatisfying(WireFormatException.class,
                            e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.UNDECODABLE));
        }
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButWireFormatException() {
        Random random = new Random(42);
        byte[] valid = codec.encode(SampleTransactions.transaction(3));
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes;
            if (i % 2 == 0) {
                bytes = new byte[random.nextInt(64)];
                random.nextBytes(bytes);
            } else {
                // Valid header with a corrupted body: exercises the Avro body decoder itself.
                bytes = valid.clone();
                for (int flips = 0; flips < 3; flips++) {
                    int at = 10 + random.nextInt(bytes.length - 10);
                    bytes[at] = (byte) random.nextInt(256);
                }
            }
            try {
                codec.decode(bytes);
            } catch (WireFormatException e) {
                rejected++;
                assertThat(e.reason()).isIn(DeadLetterReason.UNDECODABLE, DeadLetterReason.UNKNOWN_SCHEMA);
            }
        }
        // Every random array is rejected (no valid header); some body corruptions still decode.
        assertThat(rejected).isGreaterThanOrEqualTo(10_000);
    }
}
