package io.fraudstream.job.validation;

/**
 * Detects strings that look like a full card number (PAN): 13–19 digits, optionally separated by
 * spaces or dashes, passing the Luhn check. fraudstream carries card tokens only; a PAN in an id
 * field is refused and never copied to logs, alerts or dead letters.
 */
public final class CardNumbers {

    private CardNumbers() {}

    public static boolean looksLikePan(CharSequence s) {
        if (s == null) {
            return false;
        }
        int digits = 0;
        int sum = 0;
        // Luhn from the rightmost digit.
        for (int i = s.length() - 1; i >= 0; i--) {
            char c = s.charAt(i);
            if (c == ' ' || c == '-') {
                continue;
            }
            if (c < '0' || c > '9') {
                return false;
            }
            int d = c - '0';
            if (digits % 2 == 1) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            digits++;
            if (digits > 19) {
                return false;
            }
        }
        return digits >= 13 && sum % 10 == 0;
    }
}
