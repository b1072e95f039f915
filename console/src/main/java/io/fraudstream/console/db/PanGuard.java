package io.fraudstream.console.db;

/**
 * Recognises what looks like a full card number (13-19 digits, spaces or dashes allowed, passing Luhn), so a card
 * number that reached {@code fraud-alerts} by mistake is refused at the door and never stored or shown. The same rule
 * as the job's validation ({@code flink-job}'s {@code CardNumbers}); the console is Flink-free and cannot import it.
 */
public final class PanGuard {

    private PanGuard() {}

    /** True when {@code s} contains a run of 13-19 digits (separators ' ' and '-' allowed) that passes Luhn. */
    public static boolean containsPan(String s) {
        if (s == null) {
            return false;
        }
        int n = s.length();
        for (int start = 0; start < n; start++) {
            if (!Character.isDigit(s.charAt(start)) || (start > 0 && Character.isDigit(s.charAt(start - 1)))) {
                continue;
            }
            int[] digits = new int[19];
            int count = 0;
            for (int i = start; i < n && count < 19; i++) {
                char ch = s.charAt(i);
                if (ch >= '0' && ch <= '9') {
                    digits[count++] = ch - '0';
                    if (count >= 13 && luhn(digits, count)) {
                        return true;
                    }
                } else if (ch != ' ' && ch != '-') {
                    break;
                }
            }
        }
        return false;
    }

    static boolean luhn(int[] digits, int count) {
        int sum = 0;
        boolean dbl = false;
        for (int i = count - 1; i >= 0; i--) {
            int d = digits[i];
            if (dbl) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            dbl = !dbl;
        }
        return sum % 10 == 0;
    }
}
