package io.fraudstream.job.scoring;

import java.util.Collection;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.state.rocksdb.ConfigurableRocksDBOptionsFactory;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;

/**
 * RocksDB column-family options for the card state's write pattern (docs/STATE.md, "RocksDB compaction"): every event
 * rewrites the tail chunk and header of a card drawn from the whole key space, so every flushed L0 file overlaps the
 * whole of L1, and RocksDB's default (an L0 to L1 compaction once 4 L0 files exist) rewrites all of L1 for every 4
 * flushes. That rewrite cost the 2-core bench a third of a core and put ~55 MB of new files per subtask into every
 * second incremental checkpoint. Reads rarely reach RocksDB (the history cache serves them), so more L0 files are
 * cheap: L1 is rewritten after {@link #LEVEL0_COMPACTION_TRIGGER} flushes instead, with the write-slowdown and stop
 * triggers raised above it by RocksDB's default margins. Set with {@code state.backend.rocksdb.options-factory} (the
 * job does, unless the configuration names another factory).
 */
public final class CardStateRocksDBOptions implements ConfigurableRocksDBOptionsFactory {

    private static final long serialVersionUID = 1L;

    public static final ConfigOption<Integer> LEVEL0_COMPACTION_TRIGGER =
            ConfigOptions.key("fraudstream.rocksdb.level0-compaction-trigger").intType().defaultValue(16)
                    .withDescription("L0 files that start an L0 to L1 compaction of the card state (RocksDB's "
                            + "level0_file_num_compaction_trigger; RocksDB's own default is 4). Writes slow down at "
                            + "this + 16 L0 files and stop at this + 32.");

    private int trigger = LEVEL0_COMPACTION_TRIGGER.defaultValue();

    @Override
    public RocksDBOptionsFactory configure(ReadableConfig configuration) {
        int t = configuration.get(LEVEL0_COMPACTION_TRIGGER);
        if (t < 1 || t > 256) {
            throw new IllegalConfigurationException(LEVEL0_COMPACTION_TRIGGER.key() + " must be in [1, 256], is " + t);
        }
        trigger = t;
        return this;
    }

    int trigger() {
        return trigger;
    }

    @Override
    public DBOptions createDBOptions(DBOptions currentOptions, Collection<AutoCloseable> handlesToClose) {
        return currentOptions;
    }

    @Override
    public ColumnFamilyOptions createColumnOptions(ColumnFamilyOptions currentOptions,
            Collection<AutoCloseable> handlesToClose) {
        return currentOptions.setLevel0FileNumCompactionTrigger(trigger)
                .setLevel0SlowdownWritesTrigger(trigger + 16)
                .setLevel0StopWritesTrigger(trigger + 32);
    }
}
