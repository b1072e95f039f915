package io.fraudstream.schemas;

/**
 * The one detector of full card numbers (PANs) in fraudstream: 13–19 digits passing the Luhn check, written
 * with or without single spaces or dashes between the digits. fraudstream carries card tokens only; a record
 * in which this finds a PAN is refused, and neither its payload nor its Kafka key is copied anywhere.
 *
 * <p>Two ways of looking, for two kinds of input:
 * <ul>
 *   <li>{@link #containsPan(CharSequence)}: text (a decoded field, a Kafka key). A number is a run of digit
 *       groups joined by single spaces or dashes and bounded by anything that is not a letter or digit (so the
 *       hex digits of a token such as {@code card-3f41111111111111a2} are not a number). A PAN is any stretch of
 *       whole groups of the run with 13–19 digits that passes Luhn: {@code 4111 1111 1111 1111},
 *       {@code 4111-1111-1111-1111} and {@code 4111111111111111} are found alone or inside a longer text, while
 *       a 20-digit reference number is not a PAN.</li>
 *   <li>{@link #containsPan(byte[])}: bytes that did not decode, read as ASCII. Nothing is known of their layout
 *       (a length prefix or a neighbouring number may sit right next to a PAN), so every stretch of 13–19
 *       consecutive digits in a run, aligned or not, is checked. This errs on the side of withholding: a long
 *       digit run in an already-rejected record may be withheld although it was no card number.</li>
 * </ul>
 * Neither allocates; both are linear in the input for the text rule and at most 7 × 19 Luhn steps per digit for
 * the bytes rule. The detected digits are never returned or logged.
 */
public final class CardNumbers {

    public static final int MIN_DIGITS = 13;
    public static final int MAX_DIGITS = 19;

    private CardNumbers() {}

    /** True when the whole of {@code s} is one card number (13–19 digits, optional single separators, Luhn). */
    public static boolean looksLikePan(CharSequence s) {
        if (s == null) {
            return false;
        }
        int n = s.length();
        int digits = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (isDigit(c)) {
                digits++;
            } else if (!isSeparator(c) || i == 0 || i == n - 1 || !isDigit(s.charAt(i - 1))) {
                return false;
            }
        }
        return digits >= MIN_DIGITS && digits <= MAX_DIGITS && containsPan(s);
    }

    /** True when {@code s} contains a card number anywhere (text rule, see the class comment). */
    public static boolean containsPan(CharSequence s) {
        if (s == null) {
            return false;
        }
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                i++;
                continue;
            }
            boolean boundedBefore = i == 0 || !isLetterOrDigit(s.charAt(i - 1));
            // Walk the run: digit groups joined by single separators.
            int start = i;
            int j = i;
            while (j < n && (isDigit(s.charAt(j))
                    || (isSeparator(s.charAt(j)) && j + 1 < n && isDigit(s.charAt(j + 1)) && isDigit(s.charAt(j - 1))))) {
                j++;
            }
            boolean boundedAfter = j == n || !isLetterOrDigit(s.charAt(j));
            if (runHasAlignedPan(s, start, j, boundedBefore, boundedAfter)) {
                return true;
            }
            i = j;
            // A letter or digit right after the run makes the rest of that word part of it: skip the word.
            while (i < n && isLetterOrDigit(s.charAt(i))) {
                i++;
            }
        }
        return false;
    }

    /** True when the ASCII reading of {@code bytes} contains a card number (bytes rule, see the class comment). */
    public static boolean containsPan(byte[] bytes) {
        if (bytes == null) {
            return false;
        }
        int n = bytes.length;
        // The digits of the current run, separators dropped, as values 0..9.
        byte[] run = new byte[64];
        int len = 0;
        for (int i = 0; i <= n; i++) {
            int b = i < n ? bytes[i] & 0xff : -1;
            if (b >= '0' && b <= '9') {
                if (len == run.length) {
                    run = java.util.Arrays.copyOf(run, len * 2);
                }
                run[len++] = (byte) (b - '0');
                continue;
            }
            boolean joins = (b == ' ' || b == '-') && len > 0 && i > 0 && isDigit((char) (bytes[i - 1] & 0xff))
                    && i + 1 < n && isDigit((char) (bytes[i + 1] & 0xff));
            if (joins) {
                continue;
            }
            if (len >= MIN_DIGITS && anyWindowPassesLuhn(run, len)) {
                return true;
            }
            len = 0;
        }
        return false;
    }

    /**
     * Stretches of whole groups of the run [from, to) with 13–19 digits: does one pass Luhn? A first (last) group
     * glued to a letter before (after) it belongs to that word and is left out.
     */
    private static boolean runHasAlignedPan(CharSequence s, int from, int to, boolean boundedBefore,
            boolean boundedAfter) {
        // Digit positions where groups start, as indexes into the run's digits.
        int groups = 0;
        int[] starts = new int[20];
        int[] ends = new int[20];
        int digits = 0;
        int groupStart = 0;
        for (int k = from; k < to; k++) {
            if (isDigit(s.charAt(k))) {
                digits++;
            } else {
                if (groups < starts.length) {
                    starts[groups] = groupStart;
                    ends[groups] = digits;
                }
                groups++;
                groupStart = digits;
            }
        }
        if (groups < starts.length) {
            starts[groups] = groupStart;
            ends[groups] = digits;
        }
        groups++;
        if (digits < MIN_DIGITS) {
            return false;
        }
        if (groups > starts.length) {
            // More than 20 groups: every split is a one-digit group or so; fall back to every window.
            return anyWindowPassesLuhn(digitsOf(s, from, to, digits), digits);
        }
        byte[] d = digitsOf(s, from, to, digits);
        int first = boundedBefore ? 0 : 1;
        int last = boundedAfter ? groups - 1 : groups - 2;
        for (int a = first; a <= last; a++) {
            for (int b = a; b <= last; b++) {
                int count = ends[b] - starts[a];
                if (count > MAX_DIGITS) {
                    break;
                }
                if (count >= MIN_DIGITS && luhn(d, starts[a], ends[b])) {
                    return true;
                }
            }
        }
        return false;
    }

    private static byte[] digitsOf(CharSequence s, int from, int to, int count) {
        byte[] d = new byte[count];
        int k = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (isDigit(c)) {
                d[k++] = (byte) (c - '0');
            }
        }
        return d;
    }

    private static boolean anyWindowPassesLuhn(byte[] d, int len) {
        for (int start = 0; start + MIN_DIGITS <= len; start++) {
            for (int end = start + MIN_DIGITS; end <= Math.min(len, start + MAX_DIGITS); end++) {
                if (luhn(d, start, end)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Luhn over digits d[from, to), the check digit last. */
    static boolean luhn(byte[] d, int from, int to) {
        int sum = 0;
        boolean twice = false;
        for (int i = to - 1; i >= from; i--) {
            int v = d[i];
            if (twice) {
                v *= 2;
                if (v > 9) {
                    v -= 9;
                }
            }
            sum += v;
            twice = !twice;
        }
        return sum % 10 == 0;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isSeparator(char c) {
        return c == ' ' || c == '-';
    }

    private static boolean isLetterOrDigit(char c) {
        return Character.isLetterOrDigit(c);
    }
}
