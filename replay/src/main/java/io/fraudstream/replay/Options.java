package io.fraudstream.replay;

import io.fraudstream.cli.support.DurationConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import picocli.CommandLine;

/**
 * Typed, validated access to the options picocli parsed for one replay command (picocli has refused unknown,
 * repeated and value-less options already). Checks across options stay in {@link ReplayMain}; every message names
 * the option.
 */
final class Options {

    /** A bad command line; the message names the option. Exit status 2. */
    static final class UsageException extends io.fraudstream.cli.support.UsageException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private final Map<String, String> values = new LinkedHashMap<>();

    /** The options given on the command line (not picocli's defaults: {@link #has} means "given"). */
    Options(CommandLine.ParseResult parsed) {
        for (CommandLine.Model.OptionSpec o : parsed.matchedOptions()) {
            List<String> given = o.originalStringValues();
            values.put(o.longestName().substring(2), given.isEmpty() ? "" : given.get(given.size() - 1));
        }
    }

    /** Options by name without the dashes (tests). */
    Options(Map<String, String> values) {
        this.values.putAll(values);
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

    /** A non-negative duration (the shared syntax: 7d, 36h, PT36H, ...); {@code def} when the option is absent. */
    java.time.Duration duration(String name, java.time.Duration def) {
        String v = values.get(name);
        if (v == null) {
            return def;
        }
        try {
            return DurationConverter.parse(v);
        } catch (CommandLine.TypeConversionException e) {
            throw new UsageException("option --" + name + ": " + e.getMessage());
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
