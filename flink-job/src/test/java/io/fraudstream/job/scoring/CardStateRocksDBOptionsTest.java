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
