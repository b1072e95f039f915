package io.fraudstream.testkit;

import java.time.Duration;
import java.util.Map;

/** A running Kafka broker for tests and the embedded local run. Close it to stop it and delete its data. */
public interface KafkaBroker extends AutoCloseable {

    /** {@code host:port} for {@code bootstrap.servers}. */
    String bootstrapServers();

    /** Which broker this is, for test logs: "in-process KRaft 4.2.1" or "Testcontainers apache/kafka:...". */
    String description();

    /**
     * Creates the topics (name to partition count; replication factor 1) if they do not exist and
     * waits until every partition of each has a leader, so a producer's first send cannot fail with
     * a transient leader-not-available error.
     */
    /** Security settings a client needs for this broker (empty for a plaintext broker). */
    default Map<String, Object> clientProperties() {
        return Map.of();
    }

    void createTopics(Map<String, Integer> partitionsByTopic, Duration timeout);

    @Override
    void close();
}
