package io.fraudstream.replay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options of one command, validated against the command's known names. */
final class Options {

    /** A bad command line; the message names the option. Exit status 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private final Map<String, String> values = new LinkedHashMap<>();

    Options(String[] args, int from, Set<String> known) {
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new UsageException("unexpected argument '" + a + "' (options are --name value)");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!known.contains(name)) {
                throw new UsageException("unknown option --" + name);
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException("option --" + name + " needs a value");
                }
                value = args[++i];
            }
            if (values.put(name, value) != null) {
                throw new UsageException("option --" + name + " given twice");
            }
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name, String def) {
        return values.getOrDefault(name, def);
    }

    String required(String name) {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            throw new UsageException("option --" + name + " is required");
        }
        return v;
    }

    Path existingFile(String name) {
        Path p = Path.of(required(name));
        if (!Files.isRegularFile(p)) {
            throw new UsageException("option --" + name + ": no such file: " + p);
        }
        return p;
    }

    Path existingDir(String name) {
        Path p = Path.of(required(name));
        if (!Files.isDirectory(p)) {
            throw new UsageException("option --" + name + ": not a directory: " + p);
        }
        return p;
    }

    long positiveLong(String name, long def) {
        String v = values.get(name);
        if (v == null) {
            return def;
        }
        try {
            long n = Long.parseLong(v.replace("_", ""));
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " must be a positive integer, was '" + v + "'");
        }
    }

    /**
     * A non-negative duration: {@code 7d}, {@code 36h}, {@code 90m}, {@code 30s} (units case-insensitive) or ISO-8601
     * ({@code P7D}, {@code PT36H}); {@code def} when the option is absent.
     */
    java.time.Duration duration(String name, java.time.Duration def) {
        String v = values.get(name);
        if (v == null) {
            return def;
        }
        String t = v.trim().toUpperCase(java.util.Locale.ROOT);
        try {
            java.time.Duration d;
            if (t.startsWith("P")) {
                d = java.time.Duration.parse(t);
            } else if (t.matches("\\d+[DHMS]")) {
                long n = Long.parseLong(t.substring(0, t.length() - 1));
                d = switch (t.charAt(t.length() - 1)) {
                    case 'D' -> java.time.Duration.ofDays(n);
                    case 'H' -> java.time.Duration.ofHours(n);
                    case 'M' -> java.time.Duration.ofMinutes(n);
                    default -> java.time.Duration.ofSeconds(n);
                };
            } else {
                throw new java.time.format.DateTimeParseException("not a duration", v, 0);
            }
            if (d.isNegative()) {
                throw new java.time.format.DateTimeParseException("negative", v, 0);
            }
            return d;
        } catch (java.time.format.DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new UsageException("option --" + name + " must be a non-negative duration like 7d, 36h or PT36H, was '"
                    + v + "'");
        }
    }

    double probability(String name) {
        String v = required(name);
        try {
            double d = Double.parseDouble(v);
            if (!(d >= 0 && d <= 1)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " must be a number in [0, 1], was '" + v + "'");
        }
    }
}
