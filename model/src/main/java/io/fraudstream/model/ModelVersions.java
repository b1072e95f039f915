package io.fraudstream.model;

import java.util.Comparator;

/**
 * Model version syntax and ordering, so that the job can refuse downgrades and duplicates.
 *
 * <p>Syntax: 1 to 128 characters from {@code [A-Za-z0-9._-]}, starting with a letter or digit. A version is
 * also the bundle's file name in the {@link ModelStore} ({@code <version>.bundle}), so the syntax keeps it a
 * safe, portable file name.
 *
 * <p>Order ("natural" order): both versions are split into maximal runs of digits and of non-digits and
 * compared run by run, left to right. Two digit runs compare by numeric value (any length, leading zeros
 * ignored; if equal, the run with fewer leading zeros is smaller, so distinct strings never compare equal);
 * two non-digit runs compare by character code (ASCII); a digit run sorts before a non-digit run. If one
 * version is a prefix (in runs) of the other, the shorter is older. Consequences:
 * <ul>
 *   <li>{@code 20261129T1030Z-bootstrap < 20261129T1830Z-retrain}: UTC time stamps in the
 *       {@code yyyyMMdd'T'HHmm'Z'} form order by time;</li>
 *   <li>{@code v9 < v10 < v000123}: counters need no zero padding (but padding is harmless);</li>
 *   <li>a version scheme change (time stamps to counters) is not ordered meaningfully: do not mix schemes
 *       in one deployment; {@code v...} sorts after any version that starts with a digit.</li>
 * </ul>
 */
public final class ModelVersions {
    public static final int MAX_LENGTH = 128;

    /** The total order described in the class comment. */
    public static final Comparator<String> ORDER = ModelVersions::compare;

    private ModelVersions() {}

    /** True if {@code candidate} is strictly newer than {@code current}; both must be valid versions. */
    public static boolean isNewer(String candidate, String current) {
        return compare(candidate, current) > 0;
    }

    /** Throws {@link IllegalArgumentException} naming the problem if {@code version} is not a valid version. */
    public static String requireValid(String version) {
        if (version == null || version.isEmpty() || version.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("model version must have 1 to " + MAX_LENGTH + " characters, was "
                    + (version == null ? "null" : version.length() + " characters"));
        }
        for (int i = 0; i < version.length(); i++) {
            char c = version.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) {
                throw new IllegalArgumentException("model version may only contain [A-Za-z0-9._-] and must start"
                        + " with a letter or digit; invalid character at index " + i + " in '" + printable(version)
                        + "'");
            }
        }
        return version;
    }

    public static boolean isValid(String version) {
        try {
            requireValid(version);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Negative, zero or positive as {@code a} is older than, equal to or newer than {@code b}. */
    public static int compare(String a, String b) {
        requireValid(a);
        requireValid(b);
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            boolean da = isDigit(a.charAt(i));
            boolean db = isDigit(b.charAt(j));
            int ea = runEnd(a, i, da);
            int eb = runEnd(b, j, db);
            if (da != db) {
                return da ? -1 : 1;
            }
            int c = da ? compareNumeric(a, i, ea, b, j, eb) : compareText(a, i, ea, b, j, eb);
            if (c != 0) {
                return c;
            }
            i = ea;
            j = eb;
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    private static int compareNumeric(String a, int i, int ea, String b, int j, int eb) {
        int za = skipZeros(a, i, ea);
        int zb = skipZeros(b, j, eb);
        int la = ea - za;
        int lb = eb - zb;
        if (la != lb) {
            return Integer.compare(la, lb);
        }
        for (int k = 0; k < la; k++) {
            int c = Character.compare(a.charAt(za + k), b.charAt(zb + k));
            if (c != 0) {
                return c;
            }
        }
        // Same value: fewer leading zeros first, so that distinct strings never tie.
        return Integer.compare(za - i, zb - j);
    }

    private static int compareText(String a, int i, int ea, String b, int j, int eb) {
        int n = Math.min(ea - i, eb - j);
        for (int k = 0; k < n; k++) {
            int c = Character.compare(a.charAt(i + k), b.charAt(j + k));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(ea - i, eb - j);
    }

    private static int skipZeros(String s, int from, int end) {
        while (from < end - 1 && s.charAt(from) == '0') {
            from++;
        }
        return from;
    }

    private static int runEnd(String s, int from, boolean digits) {
        int e = from;
        while (e < s.length() && isDigit(s.charAt(e)) == digits) {
            e++;
        }
        return e;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** {@code s} with non-printable characters replaced by {@code ?} and cut to 64 characters, for log messages. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 64));
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.length() > 64 ? b.append("...").toString() : b.toString();
    }
}
