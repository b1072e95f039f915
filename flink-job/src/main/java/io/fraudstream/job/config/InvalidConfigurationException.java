package io.fraudstream.job.config;

/** A setting is missing or invalid. The message always names the setting. */
public final class InvalidConfigurationException extends RuntimeException {

    public InvalidConfigurationException(String message) {
        super(message);
    }

    public InvalidConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
