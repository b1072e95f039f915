package io.fraudstream.job.pop;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.features.pop.PopCounts;
import io.fraudstream.job.JobStreams;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The byte accounting of {@link PopStateBytes} (docs/BENCHMARKS.md, "Point-of-purchase state bytes"). */
class PopStateBytesTest {
    private static final String KEY = "t:term-000001-1"; // 15 ASCII characters

    /** The arrays at {@code capacity} slots, as the previous release's doubling left a busy key (1,024 for 745). */
    private static PopCounts withCapacity(PopCounts c, int capacity) {
        c.hours = java.util.Arrays.copyOf(c.hours, capacity);
        c.transactions = java.util.Arrays.copyOf(c.transactions, capacity);
        c.frauds = java.util.Arrays.copyOf(c.frauds, capacity);
        return c;
    }

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
        assertThat(one.hours.length).isEqualTo(4);
        assertThat(PopStateBytes.serializedBytes(descriptor.getKeySerializer(), descriptor.getValueSerializer(), KEY,
                one, buffer)).isEqualTo(16 + 1 + 1 + 2 + 1 + 1);

        // A terminal busy every hour of the retained month: 745 buckets in arrays grown (x1.25) to 828; 2 bytes per
        // hour after the first, 8 frauds of 1 byte each; size takes 2 bytes. The spare slots are not written.
        PopCounts busy = hours(745);
        assertThat(busy.size).isEqualTo(745);
        assertThat(busy.hours.length).isEqualTo(828);
        assertThat(PopStateBytes.serializedBytes(descriptor.getKeySerializer(), descriptor.getValueSerializer(), KEY,
                busy, buffer)).isEqualTo(16 + 1 + 2 + 3 + 744 * 2 + 8);
    }

    @Test
    void thePreviousReleasesPojoSerializerCarriedTheArraysWholeCapacity() throws Exception {
        TypeSerializer<PopCounts> pojo = TypeInformation.of(PopCounts.class).createSerializer(new SerializerConfigImpl());
        assertThat(pojo).isInstanceOf(PojoSerializer.class);
        DataOutputSerializer buffer = new DataOutputSerializer(1024);
        // Key 16. Value: 1 flag byte, a null marker per field (4), size (4), three int[] (length + 4 B per element of
        // the array's capacity, not of size).
        assertThat(PopStateBytes.serializedBytes(StringSerializer.INSTANCE, pojo, KEY, hours(1), buffer))
                .isEqualTo(16 + 1 + 4 + 4 + 3 * (4 + 4 * 4));
        assertThat(PopStateBytes.serializedBytes(StringSerializer.INSTANCE, pojo, KEY, withCapacity(hours(745), 1024),
                buffer)).isEqualTo(12_325);
    }

    @Test
    void heapAccountingCountsNodeKeyValueAndArraysAtCapacity() {
        // Node 32 + String 24 + byte[15] 32 + PopCounts 32 + 3 x int[4] 32.
        assertThat(PopStateBytes.entryHeapBytes(KEY, hours(1))).isEqualTo(216);
        // The same with 3 x int[1024] (16 + 4,096 each), and with the x1.25 growth's 3 x int[828] (16 + 3,312 each).
        assertThat(PopStateBytes.entryHeapBytes(KEY, withCapacity(hours(745), 1024)))
                .isEqualTo(32 + 24 + 32 + 32 + 3 * 4_112);
        assertThat(PopStateBytes.entryHeapBytes(KEY, hours(745))).isEqualTo(32 + 24 + 32 + 32 + 3 * 3_328);
        assertThat(PopStateBytes.intArrayBytes(3)).isEqualTo(32);
        assertThat(PopStateBytes.latin1StringBytes(16)).isEqualTo(24 + 32);
        // A default HashMap doubles past 3/4 full: 12 entries fit 16 buckets, 13 need 32.
        assertThat(PopStateBytes.hashTableBytes(12)).isEqualTo(16 + 4 * 16);
        assertThat(PopStateBytes.hashTableBytes(13)).isEqualTo(16 + 4 * 32);
        assertThat(PopStateBytes.hashTableBytes(110_000)).isEqualTo(16 + 4 * 262_144);
    }
}
