package io.fraudstream.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the broker for integration tests: Testcontainers' Kafka when a Docker engine is reachable,
 * otherwise the in-process KRaft broker. Never skips: without Docker the tests still run against a
 * real broker. Force one with {@code -Dfraudstream.kafka=embedded|container}.
 */
public final class KafkaBrokers {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokers.class);
    public static final String MODE_PROPERTY = "fraudstream.kafka";

    private KafkaBrokers() {}

    public static KafkaBroker start() {
        String mode = System.getProperty(MODE_PROPERTY, "auto").toLowerCase(Locale.ROOT);
        KafkaBroker broker = switch (mode) {
            case "embedded" -> EmbeddedKafkaBroker.start();
            case "container" -> new ContainerKafkaBroker();
            case "auto" -> dockerLikely() && dockerAnswers() ? new ContainerKafkaBroker() : EmbeddedKafkaBroker.start();
            default -> throw new IllegalArgumentException(
                    MODE_PROPERTY + " must be auto, embedded or container, was '" + mode + "'");
        };
        LOG.info("Integration tests use {}", broker.description());
        return broker;
    }

    /** Cheap check first, so machines without Docker never load the Docker client at all. */
    private static boolean dockerLikely() {
        return System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"));
    }

    private static boolean dockerAnswers() {
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            LOG.info("Docker not usable ({}); using the in-process broker", e.toString());
            return false;
        }
    }
}
