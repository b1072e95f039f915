package io.fraudstream.cli.support;

/**
 * A bad command line found while a command runs (options that do not go together, a missing file, ...): exit
 * status 2. The message names the option. Thrown where no picocli {@code CommandSpec} is at hand; commands that have
 * one may throw picocli's {@code ParameterException} instead, with the same effect.
 */
public class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
