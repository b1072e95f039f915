package io.fraudstream.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The shared read-only sample files ({@code shared/data} beside the repository root, see its README) for tests.
 * A test that needs a missing file is skipped (not passed). JUnit is an optional dependency of this module: only
 * tests call this class.
 */
public final class SharedData {

    private SharedData() {}

    /** The sample directory: {@code -Dfraudstream.shared.data}, else the nearest {@code shared/data} up the tree. */
    public static Path dir() {
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

    /** The 100-card Sparkov sample. */
    public static Path sparkov() {
        return require("sparkov-100cards-2019-2020.csv.gz");
    }

    /** The head of the public Kaggle fraudTest.csv. */
    public static Path kaggleHead() {
        return require("kaggle-fraudTest-head.csv");
    }

    /** A file of the sample directory; skips the calling test where it is absent. */
    public static Path require(String name) {
        Path file = dir().resolve(name);
        Assumptions.assumeTrue(Files.isRegularFile(file), "sample data not present: " + file);
        return file;
    }
}
