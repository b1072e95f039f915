package io.fraudstream.simulator;

/** One or more records could not be written to Kafka; the cause is the first failure. */
public final class KafkaWriteException extends RuntimeException {

    public KafkaWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
