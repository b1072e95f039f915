package io.fraudstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CardNumbersTest {

    /** Test card numbers of the schemes (all pass Luhn): 16-digit Visa, 15-digit Amex, 14-digit Diners, 19-digit Visa. */
    static final String[] PANS = {"4111111111111111", "378282246310005", "30569309025904", "4012888888881881",
        "6011111111111117", "4000056655665556", "4111111111111111003"};

    @Test
    void luhnAgreesWithAReferenceImplementation() {
        Random random = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            int n = 13 + random.nextInt(7);
            StringBuilder s = new StringBuilder();
            for (int k = 0; k < n; k++) {
                s.append((char) ('0' + random.nextInt(10)));
            }
            assertThat(CardNumbers.looksLikePan(s)).as(s.toString()).isEqualTo(referenceLuhn(s.toString()));
        }
        for (String pan : PANS) {
            assertThat(referenceLuhn(pan)).as(pan).isTrue();
        }
    }

    @Test
    void aWholeCardNumberWithOrWithoutSeparators() {
        for (String pan : PANS) {
            assertThat(CardNumbers.looksLikePan(pan)).as(pan).isTrue();
            assertThat(CardNumbers.looksLikePan(groups(pan, ' '))).as(pan).isTrue();
            assertThat(CardNumbers.looksLikePan(groups(pan, '-'))).as(pan).isTrue();
        }
        assertThat(CardNumbers.looksLikePan("4111111111111112")).isFalse(); // Luhn fails
        assertThat(CardNumbers.looksLikePan("411111111111")).isFalse(); // 12 digits
        assertThat(CardNumbers.looksLikePan("41111111111111111110")).isFalse(); // 20 digits
        assertThat(CardNumbers.looksLikePan("4111  1111 1111 1111")).isFalse(); // two separators are not one number
        assertThat(CardNumbers.looksLikePan("card-000123")).isFalse();
        assertThat(CardNumbers.looksLikePan(null)).isFalse();
    }

    @Test
    void aCardNumberInsideText() {
        assertThat(CardNumbers.containsPan("chargeback for 4111 1111 1111 1111 on 2026-11-02")).isTrue();
        assertThat(CardNumbers.containsPan("card:4111-1111-1111-1111")).isTrue();
        assertThat(CardNumbers.containsPan("\"4111111111111111\"")).isTrue();
        assertThat(CardNumbers.containsPan("ref 12 4111111111111111")).isTrue(); // whole groups of a longer run
        assertThat(CardNumbers.containsPan("4111111111111111 7")).isTrue();
        assertThat(CardNumbers.containsPan("card-4111111111111111")).isTrue(); // a dash after letters is a boundary
        assertThat(CardNumbers.containsPan("INV12 4111 1111 1111 1111")).isTrue(); // glued first group left out
        assertThat(CardNumbers.containsPan("4111 1111 1111 1111 7x")).isTrue(); // glued last group left out
    }

    @Test
    void notACardNumber() {
        assertThat(CardNumbers.containsPan("card-000123")).isFalse();
        assertThat(CardNumbers.containsPan("4111111111111112")).isFalse();
        // Digits inside a word (hex tokens, ids): not bounded, so not a number.
        assertThat(CardNumbers.containsPan("card-a4111111111111111")).isFalse();
        assertThat(CardNumbers.containsPan("card-4111111111111111f")).isFalse();
        assertThat(CardNumbers.containsPan("tx4111111111111111")).isFalse();
        // Too long to be one (a 20-digit reference), and no stretch of whole groups is 13-19 digits.
        assertThat(CardNumbers.containsPan("41111111111111111110")).isFalse();
        assertThat(CardNumbers.containsPan("2026-12-04 19:30:00")).isFalse();
        assertThat(CardNumbers.containsPan("")).isFalse();
        assertThat(CardNumbers.containsPan((CharSequence) null)).isFalse();
    }

    @Test
    void tokensOfTwentyFourHexDigitsAreNeverCardNumbers() {
        // The shape of CardTokens' tokens: a prefix and 24 hex digits. Digit runs inside are bounded by letters or
        // are all 24 digits (too long): never a card number, whatever the key.
        Random random = new Random(2);
        for (int i = 0; i < 100_000; i++) {
            StringBuilder t = new StringBuilder("card-");
            for (int k = 0; k < 24; k++) {
                t.append(random.nextInt(8) == 0 ? (char) ('a' + random.nextInt(6)) : (char) ('0' + random.nextInt(10)));
            }
            assertThat(CardNumbers.containsPan(t)).as(t.toString()).isFalse();
        }
        assertThat(CardNumbers.containsPan("card-" + "4".repeat(24))).isFalse();
    }

    @Test
    void bytesAreSearchedInEveryWindow() {
        assertThat(CardNumbers.containsPan(ascii("{\"cardId\":\"4111111111111111\"}"))).isTrue();
        assertThat(CardNumbers.containsPan(ascii("4111 1111 1111 1111"))).isTrue();
        // Glued to other digits (an Avro length prefix such as '0', a number before it): still found.
        assertThat(CardNumbers.containsPan(ascii("04111111111111111"))).isTrue();
        assertThat(CardNumbers.containsPan(ascii("x4111111111111111y"))).isTrue();
        byte[] binary = {(byte) 0xC3, 0x01, 0x20, 0x07};
        byte[] withPan = concat(binary, ascii("4111111111111111"), binary);
        assertThat(CardNumbers.containsPan(withPan)).isTrue();
        assertThat(CardNumbers.containsPan(concat(binary, ascii("card-000123 tx-42"), binary))).isFalse();
        assertThat(CardNumbers.containsPan(ascii("411111111111"))).isFalse();
        assertThat(CardNumbers.containsPan((byte[]) null)).isFalse();
        // Random binary noise has no 13-digit ASCII run: nothing is withheld for it.
        Random random = new Random(3);
        for (int i = 0; i < 1_000; i++) {
            byte[] b = new byte[300];
            random.nextBytes(b);
            assertThat(CardNumbers.containsPan(b)).isFalse();
        }
    }

    static String groups(String pan, char separator) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < pan.length(); i++) {
            if (i > 0 && i % 4 == 0) {
                s.append(separator);
            }
            s.append(pan.charAt(i));
        }
        return s.toString();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Luhn as usually written: double every second digit from the right. */
    private static boolean referenceLuhn(String digits) {
        int sum = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = digits.charAt(digits.length() - 1 - i) - '0';
            if (i % 2 == 1) {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }
            sum += d;
        }
        return sum % 10 == 0;
    }
}
