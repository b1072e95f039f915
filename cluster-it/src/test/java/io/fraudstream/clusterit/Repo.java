package io.fraudstream.clusterit;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root (the build passes it as {@code fraudstream.repo}; otherwise found from the working directory). */
final class Repo {

    private Repo() {}

    static Path root() {
        String configured = System.getProperty("fraudstream.repo");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("docker-compose.yml"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("repository root not found from " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
