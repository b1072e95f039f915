package io.fraudstream.job.pop;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.features.pop.PopCounts;
import io.fraudstream.job.JobStreams;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The byte accounting of {@link PopStateBytes} (docs/BENCHMARKS.md, "Point-of-purchase state bytes"). */
class PopStateBytesTest {
    private static final String KEY = "t:term-000001-1"; // 15 ASCII characters

    private static PopCounts hours(int n) {
        PopCounts c = new PopCounts();
        for (int h = 0; h < n; h++) {
            c.add(1000 + h, 3, h % 100 == 0 ? 1 : 0);
        }
        return c;
    }

    @Test
    void theBroadcastStateIsWrittenCompactlyWithOnlyTheFilledBuckets() throws Exception {
        MapStateDescriptor<String, PopCounts> descriptor = JobStreams.POP_COUNTS;
        descriptor.initializeSerializerUnlessSet(new ExecutionConfig());
        assertThat(descriptor.getKeySerializer()).isInstanceOf(StringSerializer.class);
        assertThat(descriptor.getValueSerializer()).isInstanceOf(PopCountsSerializer.class);
        DataOutputSerializer buffer = new DataOutputSerializer(1024);

        // Key: 1 length byte + 15 characters. Value: version 1, size 1, first hour (zigzag 2,000 with the fraud
        // flag: 4,001, 2 bytes), transactions 1, frauds 1.
        PopCounts one = hours(1);
        assertThat(one.packed.length).isEqualTo(8);
        assertThat(PopStateBytes.serializedBytes(descriptor.getKeySerializer(), descriptor.getValueSerializer(), KEY,
                one, buffer)).isEqualTo(16 + 1 + 1 + 2 + 1 + 1);

        // A terminal busy every hour of the retained month: 745 buckets packed in 1,498 bytes (2 per hour, 8 frauds
        // of 1 byte) in an array grown past them; 2 bytes per hour after the first, 8 frauds of 1 byte each; size
        // takes 2 bytes. The spare bytes are not written.
        PopCounts busy = hours(745);
        assertThat(busy.size).isEqualTo(745);
        assertThat(busy.packedLength).isEqualTo(745 * 2 + 8);
        assertThat(busy.packed.length).isGreaterThan(busy.packedLength);
        assertThat(PopStateBytes.serializedBytes(descriptor.getKeySerializer(), descriptor.getValueSerializer(), KEY,
                busy, buffer)).isEqualTo(16 + 1 + 2 + 3 + 744 * 2 + 8);
    }

    @Test
    void heapAccountingCountsNodeKeyValueAndArraysAtCapacity() {
        // Node 32 + String 24 + byte[15] 32 + PopCounts 48 (4 refs, 4 ints) + byte[8] 24.
        assertThat(PopStateBytes.entryHeapBytes(KEY, hours(1))).isEqualTo(160);
        // The same with the busy month's 1,498 packed bytes, trimmed (16 + 1,498, aligned: 1,520) and at capacity.
        PopCounts busy = hours(745);
        assertThat(PopStateBytes.entryHeapBytes(KEY, busy)).isEqualTo(32 + 24 + 32 + 48
                + PopStateBytes.byteArrayBytes(busy.packed.length));
        busy.trimToSize(0);
        assertThat(PopStateBytes.entryHeapBytes(KEY, busy)).isEqualTo(32 + 24 + 32 + 48 + 1_520);
        // The legacy form (right after a POJO restore of an older release) counts its three int[] as well.
        PopCounts legacy = new PopCounts();
        legacy.hours = new int[4];
        legacy.transactions = new int[4];
        legacy.frauds = new int[4];
        assertThat(PopStateBytes.popCountsBytes(legacy)).isEqualTo(48 + 24 + 3 * 32);
        assertThat(PopStateBytes.intArrayBytes(3)).isEqualTo(32);
        assertThat(PopStateBytes.latin1StringBytes(16)).isEqualTo(24 + 32);
        // A default HashMap doubles past 3/4 full: 12 entries fit 16 buckets, 13 need 32.
        assertThat(PopStateBytes.hashTableBytes(12)).isEqualTo(16 + 4 * 16);
        assertThat(PopStateBytes.hashTableBytes(13)).isEqualTo(16 + 4 * 32);
        assertThat(PopStateBytes.hashTableBytes(110_000)).isEqualTo(16 + 4 * 262_144);
    }
}
