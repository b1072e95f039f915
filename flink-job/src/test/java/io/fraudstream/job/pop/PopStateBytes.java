package io.fraudstream.job.pop;

import io.fraudstream.features.pop.PopCounts;
import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.validation.TransactionEvent;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import javax.management.ObjectName;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;

/**
 * Measurement tool (not a test; nothing runs it in {@code mvn verify}, see docs/BENCHMARKS.md, "Point-of-purchase
 * state bytes"): what the enrichment step's broadcast state ({@link JobStreams#POP_COUNTS}, one {@link PopCounts} per
 * {@code m:<merchant>} / {@code t:<terminal>}) costs per terminal, as the job holds it today.
 *
 * <p>Fills the state through the job's own {@link PopEnrichment} in Flink's broadcast operator harness
 * ({@link CoBroadcastWithNonKeyedOperator}, the operator the job runs it in), hour by hour over {@code --days} days of
 * delta time, with one {@link PopDelta} per key and hour touched (what {@link PopAggregator} emits): {@code --terminals}
 * terminals, {@code --per-merchant} per merchant; a {@code --busy} share of terminals sees traffic every hour, the
 * rest a few transactions a day (1-5 at random hours); a {@code --compromised} share receives a fraud report on half
 * of the days. Then reports, per class of key (busy terminal, sporadic terminal, merchant):
 * <ul>
 *   <li><b>checkpoint bytes</b>: each entry serialized with the key and value serializers of the descriptor, built the
 *       way the operator state backend builds them ({@code initializeSerializerUnlessSet(ExecutionConfig)}), the bytes
 *       {@code HeapBroadcastState.write} writes per entry (since {@link PopCountsSerializer}: the compact format); and,
 *       unless {@code --snapshot false}, the state size of a real operator snapshot of the harness
 *       ({@code OperatorStateHandle.getStateSize}), which must agree with the serializers' sum plus a fixed header;</li>
 *   <li><b>heap bytes</b>: object-size accounting of each entry ({@link #entryHeapBytes}: since the packed form, the
 *       object and one {@code byte[]} at its capacity; 64-bit JVM, compressed oops
 *       and class pointers, 8-byte alignment: the JDK 17 default below 32 GB of heap), checked against the JVM's
 *       live-object class histogram (GC.class_histogram, i.e. after a full GC) before and after the fill.</li>
 * </ul>
 * With {@code --parallelism 2} two harnesses (subtasks 0 and 1 of 2) receive the same broadcast and both are
 * snapshotted: the checkpoint holds the state once per subtask.
 *
 * <pre>
 * mvn -B -o -q -pl flink-job -am test-compile -DskipTests
 * java -Xmx3g -cp "flink-job/target/test-classes:flink-job/target/classes:$(cat flink-job/target/test-classpath.txt)" \
 *   io.fraudstream.job.pop.PopStateBytes --terminals 100000
 * </pre>
 */
public final class PopStateBytes {
    /** Object header (mark word + compressed class pointer) and array header (+ length), compressed oops. */
    static final int OBJECT_HEADER = 12;
    static final int ARRAY_HEADER = 16;
    static final int REF = 4;

    static final int BUSY = 0;
    static final int SPORADIC = 1;
    static final int MERCHANT = 2;
    static final String[] CLASS_NAMES = {"busy terminal", "sporadic terminal", "merchant"};

    private PopStateBytes() {}

    static long align(long bytes) {
        return (bytes + 7) & ~7L;
    }

    /** Heap bytes of an {@code int[]} of that length. */
    static long intArrayBytes(int length) {
        return align(ARRAY_HEADER + 4L * length);
    }

    /** Heap bytes of a Latin-1 {@code String} of that length: the String (hash, coder, hashIsZero, value) + byte[]. */
    static long latin1StringBytes(int length) {
        return align(OBJECT_HEADER + 4 + 1 + 1 + REF) + align(ARRAY_HEADER + length);
    }

    /** Heap bytes of a {@code byte[]} of that length. */
    static long byteArrayBytes(int length) {
        return align(ARRAY_HEADER + (long) length);
    }

    /**
     * Heap bytes of a {@link PopCounts}: the object (4 array refs, 4 ints), its packed {@code byte[]} at its capacity
     * and, in the legacy form only (right after a POJO restore), the three {@code int[]}.
     */
    static long popCountsBytes(PopCounts c) {
        return align(OBJECT_HEADER + 4 * REF + 4 * 4) + (c.packed == null ? 0 : byteArrayBytes(c.packed.length))
                + (c.hours == null ? 0 : intArrayBytes(c.hours.length))
                + (c.transactions == null ? 0 : intArrayBytes(c.transactions.length))
                + (c.frauds == null ? 0 : intArrayBytes(c.frauds.length));
    }

    /**
     * Heap bytes of one entry of the broadcast state's {@code HashMap}, without the bucket table: the node (hash, key,
     * value, next), the key (Latin-1; point-of-purchase keys are ASCII ids) and the value.
     */
    static long entryHeapBytes(String key, PopCounts value) {
        return align(OBJECT_HEADER + 4 + 3 * REF) + latin1StringBytes(key.length()) + popCountsBytes(value);
    }

    /** Heap bytes of a {@code HashMap}'s bucket table after {@code entries} puts into a default map (load 0.75). */
    static long hashTableBytes(long entries) {
        long capacity = 16;
        while (entries > capacity * 3 / 4) {
            capacity <<= 1;
        }
        return align(ARRAY_HEADER + REF * capacity);
    }

    /** Bytes the serializers write for one entry (what {@code HeapBroadcastState.write} writes per entry). */
    static <K, V> int serializedBytes(TypeSerializer<K> keys, TypeSerializer<V> values, K key, V value,
            DataOutputSerializer buffer) throws IOException {
        buffer.clear();
        keys.serialize(key, buffer);
        values.serialize(value, buffer);
        return buffer.length();
    }

    /** Running totals for one class of key. */
    static final class Totals {
        long keys;
        long buckets;
        long packedBytes;
        long capacity;
        long checkpointBytes;
        long heapBytes;
        int maxBuckets;

        void add(PopCounts c, long serialized, long heap) {
            keys++;
            buckets += c.size;
            packedBytes += c.packedLength;
            capacity += c.packed.length;
            maxBuckets = Math.max(maxBuckets, c.size);
            checkpointBytes += serialized;
            heapBytes += heap;
        }
    }

    static String terminalId(int merchant, int terminal) {
        return String.format(Locale.ROOT, "term-%06d-%d", merchant + 1, terminal + 1);
    }

    static String merchantId(int merchant) {
        return String.format(Locale.ROOT, "merch-%06d", merchant + 1);
    }

    public static void main(String[] args) throws Exception {
        int terminals = 100_000;
        int perMerchant = 10;
        double busyShare = 0.1;
        double compromisedShare = 0.01;
        int days = 33;
        int parallelism = 1;
        boolean snapshot = true;
        long seed = 14;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--terminals" -> terminals = Integer.parseInt(args[i + 1]);
                case "--per-merchant" -> perMerchant = Integer.parseInt(args[i + 1]);
                case "--busy" -> busyShare = Double.parseDouble(args[i + 1]);
                case "--compromised" -> compromisedShare = Double.parseDouble(args[i + 1]);
                case "--days" -> days = Integer.parseInt(args[i + 1]);
                case "--parallelism" -> parallelism = Integer.parseInt(args[i + 1]);
                case "--snapshot" -> snapshot = Boolean.parseBoolean(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        int merchants = (terminals + perMerchant - 1) / perMerchant;
        System.out.printf(Locale.ROOT, "terminals %,d, merchants %,d (%d terminals each), busy %.2f, compromised %.3f, "
                + "%d days of hourly deltas, parallelism %d, seed %d; %s, max heap %,d MB%n", terminals, merchants,
                perMerchant, busyShare, compromisedShare, days, parallelism, seed, Runtime.version(),
                Runtime.getRuntime().maxMemory() >> 20);

        SplittableRandom random = new SplittableRandom(seed);
        boolean[] busy = new boolean[terminals];
        boolean[] compromised = new boolean[terminals];
        for (int t = 0; t < terminals; t++) {
            busy[t] = random.nextDouble() < busyShare;
            compromised[t] = random.nextDouble() < compromisedShare;
        }
        int[] txMask = new int[terminals]; // sporadic terminals: hours of today with a transaction (bit per hour)
        int[] fraudMask = new int[terminals]; // compromised terminals: hour of today with a fraud report

        Path checkpointDir = Files.createTempDirectory("pop-state-bytes");
        @SuppressWarnings("unchecked")
        BroadcastOperatorTestHarness<TransactionEvent, PopDelta, TransactionEvent>[] subtasks =
                new BroadcastOperatorTestHarness[parallelism];
        for (int s = 0; s < parallelism; s++) {
            subtasks[s] = new BroadcastOperatorTestHarness<>(
                    new CoBroadcastWithNonKeyedOperator<>(new PopEnrichment(), List.of(JobStreams.POP_COUNTS)),
                    128, parallelism, s);
            // The job's storage kind (files), not the harness's default in-memory one (5 MB limit).
            subtasks[s].setCheckpointStorage(new FileSystemCheckpointStorage(checkpointDir.toUri()));
            subtasks[s].open();
        }
        Map<String, Long> before = liveHistogram();
        long usedBefore = usedAfterGc();

        long startNanos = System.nanoTime();
        int firstHour = PopFeatures.hourOf(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
        long deltas = 0;
        for (int h = 0; h < days * 24; h++) {
            int hour = firstHour + h;
            int hourOfDay = h % 24;
            for (int m = 0; m < merchants; m++) {
                int merchantTx = 0;
                int merchantFrauds = 0;
                for (int k = 0; k < perMerchant; k++) {
                    int t = m * perMerchant + k;
                    if (t >= terminals) {
                        break;
                    }
                    if (hourOfDay == 0) {
                        txMask[t] = 0;
                        if (!busy[t]) {
                            int n = 1 + random.nextInt(5);
                            for (int j = 0; j < n; j++) {
                                txMask[t] |= 1 << random.nextInt(24);
                            }
                        }
                        fraudMask[t] = compromised[t] && random.nextBoolean() ? 1 << random.nextInt(24) : 0;
                    }
                    int tx = busy[t] ? 1 + random.nextInt(30) : (txMask[t] >>> hourOfDay) & 1;
                    int frauds = (fraudMask[t] >>> hourOfDay) & 1;
                    if (tx > 0 || frauds > 0) {
                        // A new key String per delta, as a deserialized record carries its own.
                        broadcast(subtasks, new PopDelta(PopFeatures.terminalKey(terminalId(m, k)), hour, tx, frauds));
                        deltas++;
                        merchantTx += tx;
                        merchantFrauds += frauds;
                    }
                }
                if (merchantTx > 0 || merchantFrauds > 0) {
                    broadcast(subtasks, new PopDelta(PopFeatures.merchantKey(merchantId(m)), hour, merchantTx,
                            merchantFrauds));
                    deltas++;
                }
            }
        }
        double fillSeconds = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf(Locale.ROOT, "filled: %,d deltas per subtask in %.1f s%n", deltas, fillSeconds);
        txMask = null;
        fraudMask = null;

        long usedAfter = usedAfterGc();
        Map<String, Long> after = liveHistogram();

        // Serializers built the way DefaultOperatorStateBackend.getBroadcastState builds them.
        MapStateDescriptor<String, PopCounts> descriptor = JobStreams.POP_COUNTS;
        descriptor.initializeSerializerUnlessSet(new ExecutionConfig());
        TypeSerializer<String> keySerializer = descriptor.getKeySerializer();
        TypeSerializer<PopCounts> valueSerializer = descriptor.getValueSerializer();
        System.out.printf("serializers: key %s, value %s%n", keySerializer.getClass().getName(),
                valueSerializer.getClass().getName());

        Totals[] totals = {new Totals(), new Totals(), new Totals()};
        DataOutputSerializer buffer = new DataOutputSerializer(64 * 1024);
        BroadcastState<String, PopCounts> state = subtasks[0].getBroadcastState(JobStreams.POP_COUNTS);
        long entries = 0;
        for (Map.Entry<String, PopCounts> e : state.entries()) {
            String key = e.getKey();
            PopCounts counts = e.getValue();
            int kind;
            if (key.startsWith("m:")) {
                kind = MERCHANT;
            } else {
                String id = key.substring(2); // term-MMMMMM-K
                int m = Integer.parseInt(id.substring(5, 11)) - 1;
                int k = Integer.parseInt(id.substring(12)) - 1;
                kind = busy[m * perMerchant + k] ? BUSY : SPORADIC;
            }
            totals[kind].add(counts, serializedBytes(keySerializer, valueSerializer, key, counts, buffer),
                    entryHeapBytes(key, counts));
            entries++;
        }
        long table = hashTableBytes(entries);

        System.out.println();
        System.out.println("| key class | keys | mean hourly buckets (max) | mean packed bytes (capacity) | "
                + "checkpoint B/key | heap B/key (accounting) |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        long checkpointSum = 4; // HeapBroadcastState.write: the entry count first
        long heapSum = table;
        for (int c = 0; c < totals.length; c++) {
            Totals t = totals[c];
            checkpointSum += t.checkpointBytes;
            heapSum += t.heapBytes;
            if (t.keys == 0) {
                continue;
            }
            System.out.printf(Locale.ROOT, "| %s | %,d | %.1f (%d) | %.1f (%.1f) | %,.0f | %,.0f |%n", CLASS_NAMES[c],
                    t.keys, (double) t.buckets / t.keys, t.maxBuckets, (double) t.packedBytes / t.keys,
                    (double) t.capacity / t.keys, (double) t.checkpointBytes / t.keys, (double) t.heapBytes / t.keys);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "hash table: %,d B (%.1f B per key)%n", table, (double) table / entries);
        System.out.printf(Locale.ROOT, "per subtask: checkpoint %,d B (serializers), heap %,d B (accounting)%n",
                checkpointSum, heapSum);
        System.out.printf(Locale.ROOT, "per terminal (merchants' share included): checkpoint %,.0f B, heap %,.0f B%n",
                (double) checkpointSum / terminals, (double) heapSum / terminals);

        long histogramDelta = 0;
        StringBuilder classes = new StringBuilder();
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            histogramDelta += d;
            if (Math.abs(d) >= 1 << 20) {
                classes.append(String.format(Locale.ROOT, " %s %+,d;", e.getKey(), d));
            }
        }
        for (Map.Entry<String, Long> e : before.entrySet()) {
            if (!after.containsKey(e.getKey())) {
                histogramDelta -= e.getValue();
            }
        }
        System.out.printf(Locale.ROOT, "heap, live class histogram after - before (all %d subtask copies): %,d B "
                + "(%,.0f B per terminal per subtask); classes over 1 MB:%s%n", parallelism, histogramDelta,
                (double) histogramDelta / parallelism / terminals, classes);
        System.out.printf(Locale.ROOT, "heap, Runtime used after GC, after - before: %,d B (%,.0f B per terminal per "
                + "subtask)%n", usedAfter - usedBefore, (double) (usedAfter - usedBefore) / parallelism / terminals);

        if (snapshot) {
            long total = 0;
            for (int s = 0; s < parallelism; s++) {
                long snapshotStart = System.nanoTime();
                OperatorSubtaskState snap = subtasks[s].snapshot(1L, 1L);
                long size = 0;
                for (OperatorStateHandle handle : snap.getManagedOperatorState()) {
                    size += handle.getStateSize();
                }
                total += size;
                System.out.printf(Locale.ROOT, "snapshot of subtask %d of %d: managed operator state %,d B "
                        + "(%,.0f B per terminal; %,d B more than the serializers' sum: header and serializer "
                        + "snapshots), %.1f s%n", s, parallelism, size, (double) size / terminals, size - checkpointSum,
                        (System.nanoTime() - snapshotStart) / 1e9);
                snap = null;
            }
            System.out.printf(Locale.ROOT, "checkpoint total over %d subtask(s): %,d B (%,.0f B per terminal)%n",
                    parallelism, total, (double) total / terminals);
        }
        for (var h : subtasks) {
            h.close();
        }
        try (var files = Files.walk(checkpointDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void broadcast(BroadcastOperatorTestHarness<TransactionEvent, PopDelta, TransactionEvent>[] subtasks,
            PopDelta delta) throws Exception {
        subtasks[0].processBroadcastElement(new StreamRecord<>(delta));
        for (int s = 1; s < subtasks.length; s++) {
            // Each subtask deserializes its own copy of a broadcast record.
            subtasks[s].processBroadcastElement(new StreamRecord<>(
                    new PopDelta(String.valueOf(delta.key.toCharArray()), delta.hour, delta.transactions, delta.frauds)));
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Bytes of live objects per class, from the JVM's GC.class_histogram diagnostic command (runs a full GC). */
    static Map<String, Long> liveHistogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Map<String, Long> bytes = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            // " num:  #instances  #bytes  class name (module)"
            if (f.length >= 4 && f[0].endsWith(":")) {
                bytes.merge(f[3], Long.parseLong(f[2]), Long::sum);
            }
        }
        return bytes;
    }
}
