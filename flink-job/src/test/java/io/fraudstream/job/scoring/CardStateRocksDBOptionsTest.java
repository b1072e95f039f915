package io.fraudstream.job.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.job.FraudScoringJob;
import io.fraudstream.job.config.JobConfig;
import java.util.ArrayList;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.RocksDB;

class CardStateRocksDBOptionsTest {

    @Test
    void compactsL0IntoL1AfterTheConfiguredNumberOfFiles() {
        RocksDB.loadLibrary();
        Configuration conf = new Configuration();
        conf.set(CardStateRocksDBOptions.LEVEL0_COMPACTION_TRIGGER, 12);
        CardStateRocksDBOptions factory = (CardStateRocksDBOptions) new CardStateRocksDBOptions().configure(conf);
        try (ColumnFamilyOptions options = factory.createColumnOptions(new ColumnFamilyOptions(), new ArrayList<>())) {
            assertThat(options.level0FileNumCompactionTrigger()).isEqualTo(12);
            assertThat(options.level0SlowdownWritesTrigger()).isEqualTo(28);
            assertThat(options.level0StopWritesTrigger()).isEqualTo(44);
        }
        CardStateRocksDBOptions defaults =
                (CardStateRocksDBOptions) new CardStateRocksDBOptions().configure(new Configuration());
        assertThat(defaults.trigger()).isEqualTo(16);
    }

    @Test
    void level0FilesAreNotCompressedUnlessConfigured() {
        RocksDB.loadLibrary();
        CardStateRocksDBOptions factory =
                (CardStateRocksDBOptions) new CardStateRocksDBOptions().configure(new Configuration());
        try (ColumnFamilyOptions options = factory.createColumnOptions(
                new ColumnFamilyOptions().setCompressionType(CompressionType.LZ4_COMPRESSION), new ArrayList<>())) {
            assertThat(options.compressionPerLevel()).hasSize(options.numLevels());
            assertThat(options.compressionPerLevel().get(0)).isEqualTo(CompressionType.NO_COMPRESSION);
            assertThat(options.compressionPerLevel().subList(1, options.numLevels()))
                    .containsOnly(CompressionType.LZ4_COMPRESSION); // the levels below keep what was configured
        }
        Configuration compress = new Configuration();
        compress.set(CardStateRocksDBOptions.COMPRESS_L0, true);
        Configuration explicit = new Configuration();
        explicit.setString("state.backend.rocksdb.compression.per.level", "SNAPPY_COMPRESSION");
        for (Configuration conf : java.util.List.of(compress, explicit)) {
            CardStateRocksDBOptions f = (CardStateRocksDBOptions) new CardStateRocksDBOptions().configure(conf);
            try (ColumnFamilyOptions options = f.createColumnOptions(new ColumnFamilyOptions(), new ArrayList<>())) {
                assertThat(options.compressionPerLevel()).isEmpty(); // untouched
            }
        }
    }

    @Test
    void compactionThreadsRunAtTheLowestCpuPriority(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(
                java.nio.file.Path.of("/proc/self/task")), "Linux /proc");
        RocksDB.loadLibrary();
        Configuration off = new Configuration();
        off.set(CardStateRocksDBOptions.LOW_PRIORITY_COMPACTION, false);
        assertThat(((CardStateRocksDBOptions) new CardStateRocksDBOptions().configure(off)).lowPriorityCompaction())
                .isFalse();
        CardStateRocksDBOptions factory =
                (CardStateRocksDBOptions) new CardStateRocksDBOptions().configure(new Configuration());
        assertThat(factory.lowPriorityCompaction()).isTrue();
        try (org.rocksdb.DBOptions dbOptions = factory.createDBOptions(
                new org.rocksdb.DBOptions().setCreateIfMissing(true), new ArrayList<>());
                org.rocksdb.Options options = new org.rocksdb.Options(dbOptions, new ColumnFamilyOptions());
                RocksDB db = RocksDB.open(options, dir.toString());
                org.rocksdb.FlushOptions flush = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
            // Two overlapping L0 files, then a manual compaction: it runs on a thread of the LOW pool.
            for (int file = 0; file < 2; file++) {
                for (int k = 0; k < 1_000; k++) {
                    db.put(("card-" + k).getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[] {(byte) file});
                }
                db.flush(flush);
            }
            db.compactRange();
            Map<String, Integer> niceByThread = rocksDbThreadNiceness();
            assertThat(niceByThread).as("RocksDB's threads and their nice values").containsKey("rocksdb:low");
            assertThat(niceByThread.get("rocksdb:low")).isEqualTo(19);
            assertThat(niceByThread.getOrDefault("rocksdb:high", 0)).isZero(); // the flushes keep their priority
        }
    }

    /**
     * Nice value of each live thread whose name starts with "rocksdb:" (by name without a trailing number, the most
     * per name), from /proc.
     */
    private static Map<String, Integer> rocksDbThreadNiceness() throws java.io.IOException {
        Map<String, Integer> nice = new java.util.TreeMap<>();
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) tasks::iterator) {
                String comm;
                String stat;
                try {
                    comm = java.nio.file.Files.readString(task.resolve("comm")).trim();
                    stat = java.nio.file.Files.readString(task.resolve("stat"));
                } catch (java.io.IOException gone) {
                    continue; // the thread ended meanwhile
                }
                if (!comm.startsWith("rocksdb:")) {
                    continue;
                }
                // Fields after "(comm) ": state is field 3, nice field 19.
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                nice.merge(comm.replaceAll("[0-9]+$", ""), Integer.parseInt(fields[19 - 3]), Math::max);
            }
        }
        return nice;
    }

    @Test
    void anImpossibleTriggerFailsNamingTheSetting() {
        Configuration conf = new Configuration();
        conf.set(CardStateRocksDBOptions.LEVEL0_COMPACTION_TRIGGER, 0);
        assertThatThrownBy(() -> new CardStateRocksDBOptions().configure(conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("fraudstream.rocksdb.level0-compaction-trigger");
    }

    @Test
    void theJobSetsTheFactoryUnlessTheConfigurationNamesAnother() {
        Configuration flink = FraudScoringJob.flinkConfiguration(JobConfig.fromMap(minimal(Map.of())));
        assertThat(flink.toMap()).containsEntry("state.backend.rocksdb.options-factory",
                CardStateRocksDBOptions.class.getName());
        Configuration other = FraudScoringJob.flinkConfiguration(JobConfig.fromMap(minimal(Map.of(
                "state.backend.rocksdb.options-factory", "com.bank.OwnOptions"))));
        assertThat(other.toMap()).containsEntry("state.backend.rocksdb.options-factory", "com.bank.OwnOptions");
    }

    private static Map<String, String> minimal(Map<String, String> extra) {
        Map<String, String> m = new java.util.HashMap<>(extra);
        m.put("model.initial-descriptor", "/nonexistent/descriptor.json");
        m.put("kafka.bootstrap-servers", "localhost:9092");
        m.put("model.store", "/nonexistent/models");
        m.put("model.public-key", "/nonexistent/model.pub");
        return m;
    }
}
