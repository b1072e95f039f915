package io.fraudstream.job.pop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.features.pop.PopCounts;
import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.validation.TransactionEvent;
import java.io.EOFException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.OperatorBackendSerializationProxy;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

/**
 * {@link PopCountsSerializer}: the compact format round-trips, refuses corrupt input, resolves compatibility with its
 * own and the previous (POJO) snapshot, and a savepoint of the previous release restores into the job's descriptor
 * with the same point-of-purchase features ({@link PopStateV1Fixture}).
 */
class PopCountsSerializerTest {
    private static final PopCountsSerializer SERIALIZER = new PopCountsSerializer();

    // ---- format ----

    static byte[] bytes(PopCounts c) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        SERIALIZER.serialize(c, out);
        return out.getCopyOfBuffer();
    }

    static PopCounts read(byte[] bytes) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        PopCounts c = SERIALIZER.deserialize(in);
        assertThat(in.available()).as("bytes left after the value").isZero();
        return c;
    }

    /** Bucket by bucket; the actual value is packed in bytes of exactly its length. */
    static void assertTrimmedEqual(PopCounts actual, PopCounts expected) {
        int n = expected.size;
        assertThat(actual.size).isEqualTo(n);
        int[][] a = actual.toArrays();
        int[][] e = expected.toArrays();
        assertThat(a[0]).hasSize(n).containsExactly(e[0]);
        assertThat(a[1]).hasSize(n).containsExactly(e[1]);
        assertThat(a[2]).hasSize(n).containsExactly(e[2]);
        assertThat(actual.hours).as("packed, not the legacy arrays").isNull();
        assertThat(actual.packed).as("packed bytes trimmed").hasSize(actual.packedLength);
    }

    static PopCounts counts(int[] hours, int[] tx, int[] frauds) {
        PopCounts c = new PopCounts();
        for (int i = 0; i < hours.length; i++) {
            c.add(hours[i], tx[i], frauds[i]);
        }
        return c;
    }

    static int count(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> Integer.MAX_VALUE;
            case 2 -> r.nextInt(Integer.MAX_VALUE);
            case 3 -> 127 + r.nextInt(3); // around a varint byte boundary
            default -> 1 + r.nextInt(30);
        };
    }

    static PopCounts random(SplittableRandom r) {
        int size = switch (r.nextInt(5)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> 745;
            default -> r.nextInt(300);
        };
        PopCounts c = new PopCounts();
        long hour = switch (r.nextInt(4)) {
            case 0 -> Integer.MIN_VALUE;
            case 1 -> -r.nextInt(1_000_000);
            default -> 490_000 + r.nextInt(10_000);
        };
        for (int i = 0; i < size && hour <= Integer.MAX_VALUE; i++) {
            c.add((int) hour, count(r), r.nextInt(4) == 0 ? count(r) : 0);
            hour += switch (r.nextInt(4)) {
                case 0 -> 1 + r.nextInt(100_000);
                case 1 -> 1 + r.nextInt(Integer.MAX_VALUE);
                default -> 1;
            };
        }
        return c;
    }

    @Test
    void randomCountsRoundTripOnTheirFirstSizeEntries() throws IOException {
        SplittableRandom r = new SplittableRandom(14);
        int empty = 0;
        int withFrauds = 0;
        for (int n = 0; n < 2_000; n++) {
            PopCounts c = random(r);
            assertTrimmedEqual(read(bytes(c)), c);
            empty += c.size == 0 ? 1 : 0;
            withFrauds += Arrays.stream(c.toArrays()[2]).anyMatch(f -> f != 0) ? 1 : 0;
        }
        assertThat(empty).isPositive();
        assertThat(withFrauds).isPositive();
    }

    @Test
    void edgeValuesRoundTrip() throws IOException {
        PopCounts extremes = counts(new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE},
                new int[] {Integer.MAX_VALUE, 0}, new int[] {0, Integer.MAX_VALUE});
        assertTrimmedEqual(read(bytes(extremes)), extremes);
        PopCounts negative = counts(new int[] {-5, -4, -1, 0, 3}, new int[] {0, 1, 0, 1, 0}, new int[] {1, 0, 0, 0, 2});
        assertTrimmedEqual(read(bytes(negative)), negative);
        PopCounts empty = new PopCounts();
        assertThat(bytes(empty)).containsExactly(1, 0);
        assertTrimmedEqual(read(bytes(empty)), empty);
    }

    @Test
    void onlySizeBucketsAreWrittenAndABusyHourTakesTwoBytes() throws IOException {
        PopCounts busy = new PopCounts();
        for (int h = 0; h < 745; h++) {
            busy.add(1000 + h, 3, 0);
        }
        assertThat(busy.packed.length).as("spare bytes exist").isGreaterThan(busy.packedLength);
        // version 1 + size (745: 2 bytes) + first hour (zigzag 2000, flag: 4000, 2 bytes) and count (1) + 744 x 2.
        assertThat(bytes(busy)).hasSize(1 + 2 + 3 + 744 * 2).containsExactly(bytes(busy.copy()));
        // A fraud costs its count only: flag in the hour's byte, 1 byte of count.
        busy.add(1000 + 100, 0, 1);
        assertThat(bytes(busy)).hasSize(1 + 2 + 3 + 744 * 2 + 1);
        // 1,000 hours later with a fraud: delta 1,000 (flag: 2,001, 2 bytes), 1 transaction, 1 fraud.
        busy.add(1000 + 744 + 1000, 1, 1);
        assertThat(bytes(busy)).hasSize(1 + 2 + 3 + 744 * 2 + 1 + 2 + 1 + 1);
    }

    @Test
    void copyIsDeepAndTrimmedToSize() {
        PopCounts c = counts(new int[] {10, 11, 20}, new int[] {1, 2, 3}, new int[] {0, 1, 0});
        assertThat(c.packed.length).isGreaterThan(c.packedLength);
        PopCounts copy = SERIALIZER.copy(c);
        assertTrimmedEqual(copy, c);
        copy.add(11, 5, 5);
        copy.add(30, 1, 0);
        assertThat(c.toArrays()[1][1]).isEqualTo(2);
        assertThat(c.size).isEqualTo(3);
        assertTrimmedEqual(SERIALIZER.copy(c, new PopCounts()), c);
    }

    @Test
    void copyBetweenViewsReencodes() throws IOException {
        PopCounts c = counts(new int[] {7, 9}, new int[] {4, 0}, new int[] {0, 2});
        DataOutputSerializer out = new DataOutputSerializer(16);
        SERIALIZER.copy(new DataInputDeserializer(bytes(c)), out);
        assertThat(out.getCopyOfBuffer()).containsExactly(bytes(c));
    }

    // ---- corrupt input ----

    static byte[] raw(Consumer<DataOutputSerializer> writer) {
        DataOutputSerializer out = new DataOutputSerializer(16);
        writer.accept(out);
        return out.getCopyOfBuffer();
    }

    static void varLong(DataOutputSerializer out, long v) {
        try {
            io.fraudstream.features.VarInts.write(out, v);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static void rawByte(DataOutputSerializer out, int b) {
        try {
            out.writeByte(b);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyTruncationFailsWithIOException() throws IOException {
        byte[] full = bytes(counts(new int[] {500_000, 500_001, 500_300}, new int[] {1, 200, Integer.MAX_VALUE},
                new int[] {0, 3, 70_000}));
        for (int n = 0; n < full.length; n++) {
            byte[] prefix = Arrays.copyOf(full, n);
            assertThatThrownBy(() -> SERIALIZER.deserialize(new DataInputDeserializer(prefix))).as("prefix %d", n)
                    .isInstanceOf(EOFException.class);
        }
    }

    @Test
    void corruptValuesFailWithAClearIOException() {
        // hours 10 then 10 again (delta 0)
        assertCorrupt(raw(o -> {
            varLong(o, 1);
            varLong(o, 2);
            varLong(o, 20 << 1);
            varLong(o, 1);
            varLong(o, 0);
            varLong(o, 1);
        }), "not strictly ascending");
        assertCorrupt(raw(o -> varLong(o, 2)), "unknown format version 2");
        assertCorrupt(raw(o -> {
            varLong(o, 1);
            varLong(o, PopCountsSerializer.MAX_BUCKETS + 1);
        }), "size");
        assertCorrupt(raw(o -> {
            varLong(o, 1);
            varLong(o, 0xFFFF_FFFFL); // a negative int written as unsigned
        }), "size");
        // transaction count above Integer.MAX_VALUE
        assertCorrupt(raw(o -> {
            varLong(o, 1);
            varLong(o, 1);
            varLong(o, 20 << 1);
            varLong(o, 1L << 31);
        }), "transaction count");
        // Integer.MAX_VALUE then one more hour
        assertCorrupt(raw(o -> {
            varLong(o, 1);
            varLong(o, 2);
            varLong(o, (((long) Integer.MAX_VALUE) << 1) << 1);
            varLong(o, 1);
            varLong(o, 1 << 1);
            varLong(o, 1);
        }), "overflows");
        // first hour beyond the int range (zigzag 2^32)
        assertCorrupt(raw(o -> {
            varLong(o, 1);
            varLong(o, 1);
            varLong(o, (1L << 32) << 1);
            varLong(o, 1);
        }), "first hour");
        // fraud flag with a zero count
        assertCorrupt(raw(o -> {
            varLong(o, 1);
            varLong(o, 1);
            varLong(o, (20 << 1) | 1);
            varLong(o, 1);
            varLong(o, 0);
        }), "fraud");
        // a varint that never ends within 63 bits
        assertCorrupt(raw(o -> {
            varLong(o, 1);
            for (int i = 0; i < 10; i++) {
                rawByte(o, 0xFF);
            }
        }), "varint");
    }

    static void assertCorrupt(byte[] bytes, String message) {
        assertThatThrownBy(() -> SERIALIZER.deserialize(new DataInputDeserializer(bytes)))
                .isInstanceOf(IOException.class).isNotInstanceOf(EOFException.class).hasMessageContaining(message);
    }

    @Test
    void aValueTheReaderWouldRefuseIsNotWritten() throws IOException {
        PopCounts negative = counts(new int[] {5}, new int[] {-1}, new int[] {0});
        DataOutputSerializer out = new DataOutputSerializer(64);
        assertThatThrownBy(() -> SERIALIZER.serialize(negative, out)).isInstanceOf(IOException.class)
                .hasMessageContaining("negative");
        assertThat(out.length()).as("nothing half-written").isZero();
        // A sum past Integer.MAX_VALUE wraps, as the int arrays did; such a value is refused, not written corrupt.
        PopCounts wrapped = counts(new int[] {5, 5}, new int[] {Integer.MAX_VALUE, 1}, new int[] {0, 0});
        assertThat(wrapped.toArrays()[1]).containsExactly(Integer.MIN_VALUE);
        assertThatThrownBy(() -> bytes(wrapped)).isInstanceOf(IOException.class).hasMessageContaining("negative");
        PopCounts oversized = new PopCounts();
        oversized.size = PopCountsSerializer.MAX_BUCKETS + 1;
        assertThatThrownBy(() -> bytes(oversized)).isInstanceOf(IOException.class)
                .hasMessageContaining("size " + (PopCountsSerializer.MAX_BUCKETS + 1));
        // The packed form's hours ascend by construction; legacy arrays out of order (no POJO restore writes them) are
        // repacked in order before they are written.
        PopCounts descending = new PopCounts();
        descending.hours = new int[] {5, 4};
        descending.transactions = new int[] {1, 2};
        descending.frauds = new int[] {0, 0};
        descending.size = 2;
        assertTrimmedEqual(read(bytes(descending)), counts(new int[] {4, 5}, new int[] {2, 1}, new int[] {0, 0}));
    }

    // ---- snapshot and compatibility ----

    @Test
    void theSnapshotRoundTripsAndResolvesCompatibility() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, SERIALIZER.snapshotConfiguration());
        TypeSerializerSnapshot<PopCounts> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(read).isInstanceOf(PopCountsSerializerSnapshot.class);
        assertThat(read.restoreSerializer()).isEqualTo(SERIALIZER);

        TypeSerializerSnapshot<PopCounts> current = SERIALIZER.snapshotConfiguration();
        assertThat(current.resolveSchemaCompatibility(read).isCompatibleAsIs()).isTrue();

        // The previous release's serializer: Flink's POJO serializer of PopCounts.
        TypeSerializer<PopCounts> pojo = TypeInformation.of(PopCounts.class).createSerializer(new SerializerConfigImpl());
        TypeSerializerSnapshot<PopCounts> pojoSnapshot = pojo.snapshotConfiguration();
        assertThat(pojoSnapshot).isInstanceOf(PojoSerializerSnapshot.class);
        TypeSerializerSchemaCompatibility<PopCounts> migrate = current.resolveSchemaCompatibility(pojoSnapshot);
        assertThat(migrate.isCompatibleAfterMigration()).isTrue();
        assertThat(migrate.isCompatibleAsIs()).isFalse();
        // ... also after its own write/read round trip, as it comes out of a savepoint.
        DataOutputSerializer pojoOut = new DataOutputSerializer(256);
        TypeSerializerSnapshot.writeVersionedSnapshot(pojoOut, pojoSnapshot);
        TypeSerializerSnapshot<PopCounts> pojoRead = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(pojoOut.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(current.resolveSchemaCompatibility(pojoRead).isCompatibleAfterMigration()).isTrue();

        // Anything else: the POJO serializer of another class, a basic serializer.
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<PopCounts> otherPojo = (TypeSerializerSnapshot) TypeInformation.of(PopDelta.class)
                .createSerializer(new SerializerConfigImpl()).snapshotConfiguration();
        assertThat(otherPojo).isInstanceOf(PojoSerializerSnapshot.class);
        assertThat(current.resolveSchemaCompatibility(otherPojo).isIncompatible()).isTrue();
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<PopCounts> ints = (TypeSerializerSnapshot) IntSerializer.INSTANCE.snapshotConfiguration();
        assertThat(current.resolveSchemaCompatibility(ints).isIncompatible()).isTrue();
    }

    /**
     * The aggregator's pending counts ({@code JobStreams.POP_PENDING}) keep Flink's POJO serializer: it carries the
     * packed form; the POJO snapshot of the releases before it (three {@code int[]} and size, as the committed v1
     * fixture holds it) is compatible after migration (fields added); what that serializer reads is the legacy form,
     * repacked on first use.
     */
    @Test
    void thePendingCountsPojoSerializerCarriesThePackedFormAndReadsTheLegacyOne() throws Exception {
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        TypeSerializer<PopCounts> pojo = TypeInformation.of(PopCounts.class).createSerializer(noKryo);
        PopCounts c = counts(new int[] {-3, 10, 11, 500}, new int[] {1, 200, 0, Integer.MAX_VALUE},
                new int[] {0, 1, 7, 0});
        DataOutputSerializer out = new DataOutputSerializer(64);
        pojo.serialize(c, out);
        PopCounts back = pojo.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.toString()).isEqualTo(c.toString())
                .isEqualTo("PopCounts[-3:1/0, 10:200/1, 11:0/7, 500:2147483647/0]");
        assertThat(pojo.copy(c).toString()).isEqualTo(c.toString());

        OperatorSubtaskState v1 = OperatorSnapshotUtil.readStateHandle(resource(PopStateV1Fixture.SNAPSHOT).toString());
        @SuppressWarnings("unchecked")
        TypeSerializerSnapshot<PopCounts> previous = (TypeSerializerSnapshot<PopCounts>) popCountsValueSnapshot(v1);
        assertThat(pojo.snapshotConfiguration().resolveSchemaCompatibility(previous).isCompatibleAfterMigration())
                .isTrue();
        TypeSerializer<PopCounts> previousPojo = previous.restoreSerializer();
        PopCounts legacy = new PopCounts();
        legacy.hours = new int[] {10, 11, 500, 0};
        legacy.transactions = new int[] {200, 0, 3, 0};
        legacy.frauds = new int[] {1, 7, 0, 0};
        legacy.size = 3;
        out.clear();
        previousPojo.serialize(legacy, out);
        PopCounts read = previousPojo.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(read.hours).as("read in the legacy form").isNotNull();
        assertThat(read.latestHour()).isEqualTo(500);
        assertThat(read.hours).as("repacked").isNull();
        assertThat(read.toString()).isEqualTo("PopCounts[10:200/1, 11:0/7, 500:3/0]");
    }

    @Test
    void theJobsDescriptorKeepsItsNameAndUsesTheCompactSerializer() {
        assertThat(JobStreams.POP_COUNTS.getName()).isEqualTo("pop-counts");
        JobStreams.POP_COUNTS.initializeSerializerUnlessSet(new ExecutionConfig());
        assertThat(JobStreams.POP_COUNTS.getKeySerializer()).isInstanceOf(StringSerializer.class);
        assertThat(JobStreams.POP_COUNTS.getValueSerializer()).isInstanceOf(PopCountsSerializer.class);
        assertThat(JobStreams.UID_POP_ENRICH).isEqualTo("pop-enrich");
    }

    // ---- restore of the previous release's state ----

    static Path resource(String name) throws URISyntaxException {
        return Path.of(PopCountsSerializerTest.class.getClassLoader().getResource(name).toURI());
    }

    /** The value serializer snapshot that an operator snapshot's metadata holds for {@code pop-counts}. */
    static TypeSerializerSnapshot<?> popCountsValueSnapshot(OperatorSubtaskState state) throws IOException {
        for (OperatorStateHandle handle : state.getManagedOperatorState()) {
            try (FSDataInputStream in = handle.openInputStream()) {
                OperatorBackendSerializationProxy proxy =
                        new OperatorBackendSerializationProxy(PopCountsSerializerTest.class.getClassLoader());
                proxy.read(new DataInputViewStreamWrapper(in));
                for (StateMetaInfoSnapshot meta : proxy.getBroadcastStateMetaInfoSnapshots()) {
                    if (meta.getName().equals("pop-counts")) {
                        return meta.getTypeSerializerSnapshot(
                                StateMetaInfoSnapshot.CommonSerializerKeys.VALUE_SERIALIZER);
                    }
                }
            }
        }
        throw new AssertionError("no pop-counts broadcast state in the snapshot");
    }

    static long stateSize(OperatorSubtaskState state) {
        return state.getManagedOperatorState().stream().mapToLong(OperatorStateHandle::getStateSize).sum();
    }

    static Map<String, PopCounts> entries(BroadcastState<String, PopCounts> state) throws Exception {
        Map<String, PopCounts> out = new HashMap<>();
        for (Map.Entry<String, PopCounts> e : state.entries()) {
            out.put(e.getKey(), e.getValue().copy());
        }
        return out;
    }

    static List<TransactionEvent> enrich(BroadcastOperatorTestHarness<TransactionEvent, PopDelta, TransactionEvent> h)
            throws Exception {
        for (TransactionEvent tx : PopStateV1Fixture.transactions()) {
            h.processElement(new StreamRecord<>(tx));
        }
        return h.extractOutputValues();
    }

    static int[] bits(float[] features) {
        int[] out = new int[features.length];
        for (int i = 0; i < features.length; i++) {
            out[i] = Float.floatToIntBits(features[i]);
        }
        return out;
    }

    /**
     * The previous release ran the enrichment at the job's parallelism; the job now runs it on one subtask by default
     * (point-of-purchase.parallelism). A savepoint of two enrichment subtasks restores into one (and back into two)
     * through Flink's broadcast-state redistribution with the same counts and bit-identical features.
     */
    @Test
    void stateOfTwoEnrichmentSubtasksRestoresIntoOneAndBackIntoTwo() throws Exception {
        List<OperatorSubtaskState> two = new ArrayList<>();
        Map<String, PopCounts> original = null;
        for (int s = 0; s < 2; s++) {
            var h = new BroadcastOperatorTestHarness<TransactionEvent, PopDelta, TransactionEvent>(
                    new CoBroadcastWithNonKeyedOperator<>(new PopEnrichment(), List.of(JobStreams.POP_COUNTS)),
                    128, 2, s);
            h.open();
            for (PopDelta d : PopStateV1Fixture.deltas()) {
                h.processBroadcastElement(new StreamRecord<>(d));
            }
            original = entries(h.getBroadcastState(JobStreams.POP_COUNTS));
            two.add(h.snapshot(1, 1));
            h.close();
        }
        assertThat(original).isNotEmpty();
        OperatorSubtaskState packed = AbstractStreamOperatorTestHarness.repackageState(
                two.toArray(new OperatorSubtaskState[0]));

        var one = new BroadcastOperatorTestHarness<TransactionEvent, PopDelta, TransactionEvent>(
                new CoBroadcastWithNonKeyedOperator<>(new PopEnrichment(), List.of(JobStreams.POP_COUNTS)), 128, 1, 0);
        one.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(packed, 128, 2, 1, 0));
        one.open();
        Map<String, PopCounts> restored = entries(one.getBroadcastState(JobStreams.POP_COUNTS));
        assertThat(restored).containsOnlyKeys(original.keySet());
        for (var e : original.entrySet()) {
            assertTrimmedEqual(restored.get(e.getKey()), e.getValue());
        }
        List<int[]> features = new ArrayList<>();
        for (TransactionEvent tx : enrich(one)) {
            features.add(bits(tx.pointOfPurchase));
        }
        OperatorSubtaskState single = one.snapshot(2, 2);
        one.close();
        assertThat(stateSize(single)).as("one copy, not two").isLessThan(stateSize(packed) * 3 / 4);

        for (int s = 0; s < 2; s++) {
            var back = new BroadcastOperatorTestHarness<TransactionEvent, PopDelta, TransactionEvent>(
                    new CoBroadcastWithNonKeyedOperator<>(new PopEnrichment(), List.of(JobStreams.POP_COUNTS)),
                    128, 2, s);
            back.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(single, 128, 1, 2, s));
            back.open();
            List<TransactionEvent> out = enrich(back);
            assertThat(out).hasSize(features.size());
            for (int i = 0; i < out.size(); i++) {
                assertThat(bits(out.get(i).pointOfPurchase)).containsExactly(features.get(i));
            }
            back.close();
        }
    }

    @Test
    void aSavepointOfThePreviousReleaseRestoresWithTheSameFeaturesAndIsRewrittenCompactly() throws Exception {
        OperatorSubtaskState v1 = OperatorSnapshotUtil.readStateHandle(resource(PopStateV1Fixture.SNAPSHOT).toString());
        assertThat(popCountsValueSnapshot(v1)).as("the committed fixture is v1 state").isInstanceOf(
                PojoSerializerSnapshot.class);

        // The original counts: the same deltas into the previous release's state, never snapshotted.
        var fresh = PopStateV1Fixture.harness(PopStateV1Fixture.V1_POP_COUNTS);
        fresh.open();
        for (PopDelta d : PopStateV1Fixture.deltas()) {
            fresh.processBroadcastElement(new StreamRecord<>(d));
        }
        Map<String, PopCounts> original = entries(fresh.getBroadcastState(PopStateV1Fixture.V1_POP_COUNTS));
        fresh.close();
        assertThat(original).containsOnlyKeys("t:busy", "t:gaps", "m:shop", "m:big"); // t:gone was swept
        assertThat(original.get("t:busy").size).isEqualTo(PopFeatures.RETAINED_HOURS + 1);

        var restored = PopStateV1Fixture.harness(JobStreams.POP_COUNTS);
        restored.initializeState(v1);
        restored.open();
        Map<String, PopCounts> restoredEntries = entries(restored.getBroadcastState(JobStreams.POP_COUNTS));
        assertThat(restoredEntries).containsOnlyKeys(original.keySet());
        for (var e : original.entrySet()) {
            assertTrimmedEqual(restoredEntries.get(e.getKey()), e.getValue());
        }

        List<TransactionEvent> out = enrich(restored);
        List<TransactionEvent> inputs = PopStateV1Fixture.transactions();
        assertThat(out).hasSize(inputs.size());
        List<String> committed = Files.readAllLines(resource(PopStateV1Fixture.EXPECTED_FEATURES),
                StandardCharsets.UTF_8);
        assertThat(committed).hasSize(inputs.size());
        PopFeatures.Scratch scratch = new PopFeatures.Scratch();
        int nonZero = 0;
        for (int i = 0; i < out.size(); i++) {
            TransactionEvent tx = out.get(i);
            assertThat(tx.transactionId).isEqualTo(inputs.get(i).transactionId);
            float[] expected = new float[PopFeatures.ATTACHED_COUNT];
            String mk = PopFeatures.merchantKey(tx.merchantId);
            String tk = PopFeatures.terminalKey(tx.terminalId);
            PopFeatures.compute(mk == null ? null : original.get(mk), tk == null ? null : original.get(tk),
                    tx.eventTimeMillis, PopFeatures.SETTLE_HOURS, scratch, expected, 0);
            assertThat(bits(tx.pointOfPurchase)).as(tx.transactionId).containsExactly(bits(expected));
            String[] line = committed.get(i).split(" ");
            assertThat(line[0]).isEqualTo(tx.transactionId);
            int[] committedBits = new int[line.length - 1];
            for (int f = 1; f < line.length; f++) {
                committedBits[f - 1] = Integer.parseUnsignedInt(line[f], 16);
            }
            assertThat(bits(tx.pointOfPurchase)).as("%s, committed", tx.transactionId).containsExactly(committedBits);
            for (float f : tx.pointOfPurchase) {
                nonZero += f != 0 ? 1 : 0;
            }
        }
        assertThat(nonZero).as("the transactions read real counts").isGreaterThan(out.size());

        // The next checkpoint is written with the compact serializer, smaller, and restores again.
        OperatorSubtaskState v2 = restored.snapshot(2, 2);
        restored.close();
        assertThat(popCountsValueSnapshot(v2)).isInstanceOf(PopCountsSerializerSnapshot.class);
        assertThat(stateSize(v2)).isLessThan(stateSize(v1) / 2);
        var again = PopStateV1Fixture.harness(JobStreams.POP_COUNTS);
        again.initializeState(v2);
        again.open();
        Map<String, PopCounts> againEntries = entries(again.getBroadcastState(JobStreams.POP_COUNTS));
        assertThat(againEntries).containsOnlyKeys(original.keySet());
        for (var e : original.entrySet()) {
            assertTrimmedEqual(againEntries.get(e.getKey()), e.getValue());
        }
        List<int[]> againBits = new ArrayList<>();
        for (TransactionEvent tx : enrich(again)) {
            againBits.add(bits(tx.pointOfPurchase));
        }
        for (int i = 0; i < out.size(); i++) {
            assertThat(againBits.get(i)).containsExactly(bits(out.get(i).pointOfPurchase));
        }
        again.close();
    }
}
