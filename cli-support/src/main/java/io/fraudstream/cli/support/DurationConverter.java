package io.fraudstream.cli.support;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The one duration syntax of every fraudstream command: {@code 500ms}, {@code 45s}, {@code 90m}, {@code 8h},
 * {@code 7d} (units case-insensitive), ISO-8601 ({@code PT8H}, {@code P7D}), or {@code 0}. Negative durations are
 * refused; whether zero makes sense is the option's business. Registered for every {@link Duration} option by
 * {@link Commands}; picocli's message then names the option ("Invalid value for option '--every': ...").
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    private static final Pattern SHORT = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)");

    /** A bare number is refused (seconds? days?) except 0, which means the same in every unit. */
    public static Duration parse(String text) {
        String v = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            Matcher m = SHORT.matcher(v);
            if (v.equals("0")) {
                d = Duration.ZERO;
            } else if (v.startsWith("p")) {
                d = Duration.parse(v.toUpperCase(Locale.ROOT));
            } else if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } else {
                throw new DateTimeParseException("not a duration", text, 0);
            }
            if (d.isNegative()) {
                throw new DateTimeParseException("negative", text, 0);
            }
            return d;
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new CommandLine.TypeConversionException("'" + text
                    + "' is not a non-negative duration like 500ms, 45s, 90m, 8h, 7d or PT8H");
        }
    }

    @Override
    public Duration convert(String value) {
        return parse(value);
    }
}
