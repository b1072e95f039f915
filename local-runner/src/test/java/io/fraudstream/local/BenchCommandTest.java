package io.fraudstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.fraudstream.cli.support.UsageException;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandTest {

    @Test
    void flinkConfIsRepeatableAndKeepsTheEntriesInOrderWithTheLastOfAKeyWinning() {
        BenchCommand bench = new BenchCommand();
        new CommandLine(bench).parseArgs("--flink-conf", "state.backend.rocksdb.compaction.style=UNIVERSAL",
                "--flink-conf", " state.backend.rocksdb.thread.num = 4 ", "--flink-conf",
                "execution.checkpointing.interval=5 s", "--flink-conf", "state.backend.rocksdb.thread.num=2");

        assertThat(BenchCommand.flinkSettings(bench.flinkConf)).containsExactly(
                entry("state.backend.rocksdb.compaction.style", "UNIVERSAL"),
                entry("state.backend.rocksdb.thread.num", "2"),
                entry("execution.checkpointing.interval", "5 s"));
    }

    @Test
    void thePacedWindowAwaitsTheFirstCheckpointUnlessToldNotTo() {
        BenchCommand byDefault = new BenchCommand();
        new CommandLine(byDefault).parseArgs();
        BenchCommand without = new BenchCommand();
        new CommandLine(without).parseArgs("--no-await-first-checkpoint");
        BenchCommand with = new BenchCommand();
        new CommandLine(with).parseArgs("--await-first-checkpoint");

        assertThat(byDefault.awaitFirstCheckpoint).isTrue();
        assertThat(without.awaitFirstCheckpoint).isFalse();
        assertThat(with.awaitFirstCheckpoint).isTrue();
    }

    @Test
    void aNegativeWarmUpFailsNamingTheOptionBeforeAnythingStarts() {
        BenchCommand bench = new BenchCommand();
        new CommandLine(bench).parseArgs("--warm-up", "-1");

        assertThatThrownBy(bench::call).isInstanceOf(UsageException.class)
                .hasMessage("--warm-up must be >= 0 (seconds), was -1");
    }

    @Test
    void aWarmUpMaxBelowTheWarmUpFailsNamingBothOptions() {
        BenchCommand bench = new BenchCommand();
        new CommandLine(bench).parseArgs("--warm-up", "200");

        assertThatThrownBy(bench::call).isInstanceOf(UsageException.class)
                .hasMessage("--warm-up-max must be >= --warm-up (200 s), was 180");
    }

    @Test
    void theWarmUpIsAMinuteToThreeUnlessToldOtherwise() {
        BenchCommand byDefault = new BenchCommand();
        new CommandLine(byDefault).parseArgs();
        BenchCommand none = new BenchCommand();
        new CommandLine(none).parseArgs("--warm-up", "0", "--warm-up-max", "0");

        assertThat(byDefault.warmUp).isEqualTo(60);
        assertThat(byDefault.warmUpMax).isEqualTo(180);
        assertThat(none.warmUp).isZero();
        assertThat(none.warmUpMax).isZero();
    }

    @Test
    void jobConfEntriesAreKeyValuePairsNamingTheOptionWhenMalformed() {
        assertThat(BenchCommand.entries(List.of("state.card-write-idle = 0s", "shadow.max-lag=20 ms"), "--job-conf"))
                .containsExactly(entry("state.card-write-idle", "0s"), entry("shadow.max-lag", "20 ms"));
        assertThatThrownBy(() -> BenchCommand.entries(List.of("state.card-write-idle"), "--job-conf"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--job-conf must be KEY=VALUE");
    }

    @Test
    void noFlinkConfMeansNoSettings() {
        BenchCommand bench = new BenchCommand();
        new CommandLine(bench).parseArgs();

        assertThat(BenchCommand.flinkSettings(bench.flinkConf)).isEmpty();
    }

    @Test
    void aMalformedEntryFailsNamingTheOption() {
        for (String bad : List.of("state.backend.rocksdb.compaction.style", "=UNIVERSAL",
                "state.backend.rocksdb.compaction.style=", " = ")) {
            assertThatThrownBy(() -> BenchCommand.flinkSettings(List.of(bad)))
                    .as(bad).isInstanceOf(UsageException.class)
                    .hasMessage("--flink-conf must be KEY=VALUE, was '" + bad + "'");
        }
    }

    @Test
    void aRocksDbOptionWhoseValueDoesNotParseFailsBeforeAnythingStarts() {
        assertThatThrownBy(() -> BenchCommand.flinkSettings(List.of("state.backend.rocksdb.compaction.style=TIERED")))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--flink-conf state.backend.rocksdb.compaction.style=TIERED: not a valid value");
        assertThatThrownBy(() -> BenchCommand.flinkSettings(List.of(
                "state.backend.rocksdb.compaction.level.max-size-level-base=16 parsecs")))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("max-size-level-base");
    }
}
