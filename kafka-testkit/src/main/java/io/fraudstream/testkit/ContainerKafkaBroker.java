package io.fraudstream.testkit;

import java.time.Duration;
import java.util.Map;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/** Kafka in a Docker container via Testcontainers; used only where a Docker engine answers. */
final class ContainerKafkaBroker implements KafkaBroker {

    /** Pinned image, the same major line as the in-process broker. */
    static final String IMAGE = "apache/kafka:4.1.1";

    private final KafkaContainer container;

    ContainerKafkaBroker() {
        container = new KafkaContainer(DockerImageName.parse(IMAGE))
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .withEnv("KAFKA_TRANSACTION_MAX_TIMEOUT_MS", "3600000");
        container.start();
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public String description() {
        return "Testcontainers " + IMAGE + " at " + bootstrapServers();
    }

    @Override
    public void createTopics(Map<String, Integer> partitionsByTopic, Duration timeout) {
        Topics.createAndAwaitLeaders(bootstrapServers(), Map.of(), partitionsByTopic, timeout);
    }

    @Override
    public void close() {
        container.stop();
    }
}
