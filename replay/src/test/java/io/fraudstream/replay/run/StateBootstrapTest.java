package io.fraudstream.replay.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.testkit.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link StateBootstrap}'s failure paths (the savepoint's contents: {@link StateBootstrapIT}). */
class StateBootstrapTest {

    @TempDir
    Path dir;

    /**
     * The State Processor API drops a bootstrap function's exceptions and then waits forever for its input to drain:
     * the run must fail with the function's exception instead.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aModelThatCannotBeLoadedFailsTheRunInsteadOfHangingIt() throws Exception {
        Path csv = dir.resolve("slice.csv");
        BoundedScoringTest.cutSparkov(SharedData.sparkov(), csv, 200, List.of());
        ModelRepository.Factory broken = () -> {
            throw new IllegalStateException("no model store here");
        };
        try (Spool spool = BoundedScoringTest.spool(csv, dir.resolve("s.spool"))) {
            assertThatThrownBy(() -> StateBootstrap.write(spool, broken, StateBootstrap.Settings.defaults(2),
                    dir.resolve("savepoint")))
                    .hasMessageContaining("writing card state failed")
                    .hasMessageContaining("no model store here");
        }
        assertThat(Files.exists(dir.resolve("savepoint").resolve("_metadata"))).isFalse();
    }

    @Test
    void refusesANonEmptyDirectoryAndSettingsTheJobWouldRefuse() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("x"), "x");
        Path csv = dir.resolve("slice.csv");
        BoundedScoringTest.cutSparkov(SharedData.sparkov(), csv, 10, List.of());
        try (Spool spool = BoundedScoringTest.spool(csv, dir.resolve("s.spool"))) {
            assertThatThrownBy(() -> StateBootstrap.write(spool, PinnedModels.inline(
                    io.fraudstream.trainer.bootstrap.BootstrapModel.create(42)), StateBootstrap.Settings.defaults(1),
                    out)).hasMessageContaining("savepoint directory is not empty");
        }
        assertThatThrownBy(() -> StateBootstrap.Settings.defaults(1).withMaxParallelism(0))
                .hasMessageContaining("max parallelism");
        assertThatThrownBy(() -> StateBootstrap.Settings.defaults(4).withMaxParallelism(2))
                .hasMessageContaining("parallelism must be in [1, max parallelism]");
        assertThatThrownBy(() -> StateBootstrap.Settings.defaults(1).withStateBackend("memory"))
                .hasMessageContaining("hashmap or rocksdb");
    }
}
