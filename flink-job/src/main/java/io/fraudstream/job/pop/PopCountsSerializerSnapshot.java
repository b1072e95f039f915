package io.fraudstream.job.pop;

import io.fraudstream.features.pop.PopCounts;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Snapshot of {@link PopCountsSerializer}. The data format version lives in the data (its first byte), so the
 * snapshot has no configuration.
 *
 * <p>Compatibility, asked of the new serializer's snapshot with the snapshot a savepoint holds: this snapshot itself
 * is compatible as is; the {@link PojoSerializerSnapshot} of {@link PopCounts} (what releases before this serializer
 * wrote for {@code JobStreams.POP_COUNTS}) is compatible after migration: the state backend reads the old state with
 * the POJO serializer and writes it with this one from the next checkpoint on; anything else is incompatible.
 */
public final class PopCountsSerializerSnapshot implements TypeSerializerSnapshot<PopCounts> {
    static final int VERSION = 1;

    public PopCountsSerializerSnapshot() {}

    @Override
    public int getCurrentVersion() {
        return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) {}

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader) throws IOException {
        if (readVersion != VERSION) {
            throw new IOException("Unknown PopCountsSerializerSnapshot version " + readVersion + " (expected "
                    + VERSION + ")");
        }
    }

    @Override
    public TypeSerializer<PopCounts> restoreSerializer() {
        return PopCountsSerializer.INSTANCE;
    }

    @Override
    public TypeSerializerSchemaCompatibility<PopCounts> resolveSchemaCompatibility(
            TypeSerializerSnapshot<PopCounts> oldSerializerSnapshot) {
        if (oldSerializerSnapshot instanceof PopCountsSerializerSnapshot) {
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
        if (oldSerializerSnapshot instanceof PojoSerializerSnapshot && isPopCountsPojo(oldSerializerSnapshot)) {
            return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        return TypeSerializerSchemaCompatibility.incompatible();
    }

    /** Whether a POJO snapshot is of {@link PopCounts}: its serializer creates PopCounts instances. */
    private static boolean isPopCountsPojo(TypeSerializerSnapshot<PopCounts> pojoSnapshot) {
        try {
            Object instance = pojoSnapshot.restoreSerializer().createInstance();
            return instance instanceof PopCounts;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
