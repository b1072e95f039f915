package io.fraudstream.job.scoring;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.state.rocksdb.ConfigurableRocksDBOptionsFactory;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.Env;
import org.rocksdb.Priority;

/**
 * RocksDB column-family options for the card state's write pattern (docs/STATE.md, "RocksDB compaction"): every event
 * rewrites the tail chunk and header of a card drawn from the whole key space, so every flushed L0 file overlaps the
 * whole of L1, and RocksDB's default (an L0 to L1 compaction once 4 L0 files exist) rewrites all of L1 for every 4
 * flushes. That rewrite cost the 2-core bench a third of a core and put ~55 MB of new files per subtask into every
 * second incremental checkpoint. Reads rarely reach RocksDB (the history cache serves them), so more L0 files are
 * cheap: L1 is rewritten after {@link #LEVEL0_COMPACTION_TRIGGER} flushes instead, with the write-slowdown and stop
 * triggers raised above it by RocksDB's default margins. Level-0 files are not compressed ({@link #COMPRESS_L0}): the
 * flush for each checkpoint, which the scoring thread waits for, then only writes. The compaction threads run at the
 * lowest CPU priority ({@link #LOW_PRIORITY_COMPACTION}): an L0 to L1 compaction rewrites L1 in one go, and competing
 * for the CPU with the scoring threads it put the p99 in the hundreds of milliseconds while it ran. Set with {@code state.backend.rocksdb.options-factory} (the
 * job does, unless the configuration names another factory).
 */
public final class CardStateRocksDBOptions implements ConfigurableRocksDBOptionsFactory {

    private static final long serialVersionUID = 1L;

    public static final ConfigOption<Integer> LEVEL0_COMPACTION_TRIGGER =
            ConfigOptions.key("fraudstream.rocksdb.level0-compaction-trigger").intType().defaultValue(16)
                    .withDescription("L0 files that start an L0 to L1 compaction of the card state (RocksDB's "
                            + "level0_file_num_compaction_trigger; RocksDB's own default is 4). Writes slow down at "
                            + "this + 16 L0 files and stop at this + 32.");

    public static final ConfigOption<Boolean> COMPRESS_L0 =
            ConfigOptions.key("fraudstream.rocksdb.compress-l0").booleanType().defaultValue(false)
                    .withDescription("Whether SST files flushed from memtables (level 0) are compressed. Off: the "
                            + "flush that Flink's native checkpoint waits for, on the scoring thread, does not "
                            + "compress (on the 2-core bench the checkpoint's synchronous part went from 80-234 to "
                            + "34-77 ms); compaction compresses L1 and below as configured. Costs about 2.3 times the "
                            + "incremental checkpoint bytes (79 to 177-187 B per scored event) and the local disk of L0. "
                            + "Ignored when state.backend.rocksdb.compression.per.level is set.");

    public static final ConfigOption<Boolean> LOW_PRIORITY_COMPACTION =
            ConfigOptions.key("fraudstream.rocksdb.low-priority-compaction").booleanType().defaultValue(true)
                    .withDescription("Whether RocksDB's compaction threads (its low-priority pool) run at the lowest "
                            + "CPU priority (nice 19), so that they take the CPU the scoring threads leave idle instead "
                            + "of competing with them. The memtable flushes that checkpoints wait for run in the "
                            + "high-priority pool and are not lowered. RocksDB's thread pools belong to the process: "
                            + "this lowers them for every RocksDB state backend in the TaskManager, and only a "
                            + "restart raises them again.");

    private int trigger = LEVEL0_COMPACTION_TRIGGER.defaultValue();
    private boolean compressL0 = COMPRESS_L0.defaultValue();
    private boolean lowPriorityCompaction = LOW_PRIORITY_COMPACTION.defaultValue();

    @Override
    public RocksDBOptionsFactory configure(ReadableConfig configuration) {
        int t = configuration.get(LEVEL0_COMPACTION_TRIGGER);
        if (t < 1 || t > 256) {
            throw new IllegalConfigurationException(LEVEL0_COMPACTION_TRIGGER.key() + " must be in [1, 256], is " + t);
        }
        trigger = t;
        // An explicit per-level compression is the operator's choice: leave it alone.
        compressL0 = configuration.get(COMPRESS_L0)
                || configuration.getOptional(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL).isPresent();
        lowPriorityCompaction = configuration.get(LOW_PRIORITY_COMPACTION);
        return this;
    }

    int trigger() {
        return trigger;
    }

    boolean lowPriorityCompaction() {
        return lowPriorityCompaction;
    }

    @Override
    public DBOptions createDBOptions(DBOptions currentOptions, Collection<AutoCloseable> handlesToClose) {
        if (lowPriorityCompaction) {
            // Compactions run in the LOW pool (and BOTTOM, where configured); flushes in HIGH, left as they are.
            Env env = currentOptions.getEnv() != null ? currentOptions.getEnv() : Env.getDefault();
            env.lowerThreadPoolCPUPriority(Priority.LOW);
            env.lowerThreadPoolCPUPriority(Priority.BOTTOM);
        }
        return currentOptions;
    }

    @Override
    public ColumnFamilyOptions createColumnOptions(ColumnFamilyOptions currentOptions,
            Collection<AutoCloseable> handlesToClose) {
        currentOptions.setLevel0FileNumCompactionTrigger(trigger)
                .setLevel0SlowdownWritesTrigger(trigger + 16)
                .setLevel0StopWritesTrigger(trigger + 32);
        if (!compressL0) {
            List<CompressionType> perLevel = new ArrayList<>();
            List<CompressionType> configured = currentOptions.compressionPerLevel();
            for (int level = 0; level < currentOptions.numLevels(); level++) {
                perLevel.add(level == 0 ? CompressionType.NO_COMPRESSION
                        : configured.isEmpty() ? currentOptions.compressionType()
                        : configured.get(Math.min(level, configured.size() - 1)));
            }
            currentOptions.setCompressionPerLevel(perLevel);
        }
        return currentOptions;
    }
}
