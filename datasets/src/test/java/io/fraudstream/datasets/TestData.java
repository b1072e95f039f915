package io.fraudstream.datasets;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** The shared read-only sample files ({@code ../shared/data}, see its README). */
public final class TestData {

    private TestData() {}

    private static Path dataDir() {
        String configured = System.getProperty("fraudstream.shared.data");
        if (configured != null) {
            return Path.of(configured);
        }
        // Tests run in a module directory; the shared directory sits beside the repository root.
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/data");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            Path sibling = p.resolveSibling("shared").resolve("data");
            if (Files.isDirectory(sibling)) {
                return sibling;
            }
        }
        return Path.of("/work/shared/data");
    }

    /** The 100-card Sparkov sample; the test is skipped (not passed) where the file is absent. */
    public static Path sparkov() {
        return require(dataDir().resolve("sparkov-100cards-2019-2020.csv.gz"));
    }

    /** The head of the public Kaggle fraudTest.csv. */
    public static Path kaggleHead() {
        return require(dataDir().resolve("kaggle-fraudTest-head.csv"));
    }

    private static Path require(Path file) {
        Assumptions.assumeTrue(Files.isRegularFile(file), "sample data not present: " + file);
        return file;
    }
}
