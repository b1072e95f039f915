package io.fraudstream.trainer;

/** A bad command line; the message names the option. {@link TrainerMain} exits with status 2. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}
