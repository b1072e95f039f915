package io.fraudstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shaded job jar ({@code target/flink-job-*-job.jar}, built by {@code package} before this IT runs) carries
 * what scoring needs and nothing that only training, simulation or tests need: no simulator, no Smile (LGPL,
 * training only), no DJL or PyTorch natives (the job runs the plain-Java kernel), no trainer, no test code or test
 * libraries. Logs the jar's size.
 */
class JobJarContentsIT {
    private static final Logger LOG = LoggerFactory.getLogger(JobJarContentsIT.class);

    /** Entry prefixes that must never be in the job jar, with why. */
    private static final List<String> FORBIDDEN_PREFIXES = List.of(
            "io/fraudstream/simulator/", // the data generator
            "io/fraudstream/trainer/", // training, bootstrap training included
            "io/fraudstream/testkit/", // the in-process broker for tests and the demo
            "smile/", // LGPL Smile: training only
            "ai/djl/", // DJL: training only; the job uses the JVM kernel
            "org/bytedeco/", // native wrappers Smile could pull
            "org/junit/",
            "org/assertj/",
            "org/mockito/");

    @Test
    void jobJarHoldsScoringButNoTrainingSimulatorDjlOrTestCode() throws IOException {
        Path jar = jobJar();
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            zip.stream().map(ZipEntry::getName).forEach(names::add);
        }
        LOG.info("{}: {} bytes ({} MiB), {} entries", jar.getFileName(), Files.size(jar),
                String.format(Locale.ROOT, "%.1f", Files.size(jar) / 1048576.0), names.size());

        // It is the real job jar: the job, the verifying loader and the scoring kernel are inside.
        assertThat(names).contains("io/fraudstream/job/FraudScoringJob.class",
                "io/fraudstream/model/ModelLoader.class", "io/fraudstream/model/FraudModel.class",
                "io/fraudstream/features/FeatureExtractor.class");

        for (String prefix : FORBIDDEN_PREFIXES) {
            assertThat(names).as("entries under " + prefix).noneMatch(n -> n.startsWith(prefix));
        }
        assertThat(names).as("PyTorch natives").noneMatch(n -> n.toLowerCase(Locale.ROOT).contains("pytorch")
                || n.toLowerCase(Locale.ROOT).contains("libtorch"));
        // No test classes of our own (surefire/failsafe naming) and no bootstrap training left in `model`.
        Set<String> ours = names.stream().filter(n -> n.startsWith("io/fraudstream/") && n.endsWith(".class"))
                .collect(Collectors.toSet());
        assertThat(ours).as("test classes").noneMatch(n -> {
            String simple = n.substring(n.lastIndexOf('/') + 1, n.length() - ".class".length());
            String top = simple.contains("$") ? simple.substring(0, simple.indexOf('$')) : simple;
            return top.endsWith("Test") || top.endsWith("IT") || top.endsWith("Tests");
        });
        assertThat(ours).doesNotContain("io/fraudstream/model/BootstrapModel.class",
                "io/fraudstream/model/LogisticFit.class", "io/fraudstream/model/BootstrapEvaluation.class");
    }

    private static Path jobJar() throws IOException {
        Path target = Path.of(System.getProperty("basedir", "."), "target");
        try (Stream<Path> files = Files.list(target)) {
            List<Path> jars = files.filter(p -> p.getFileName().toString().endsWith("-job.jar")).toList();
            assertThat(jars).as("the shaded job jar in " + target.toAbsolutePath() + " (run after `package`)")
                    .hasSize(1);
            return jars.get(0);
        }
    }
}
