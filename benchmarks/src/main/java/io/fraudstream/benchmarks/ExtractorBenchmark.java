package io.fraudstream.benchmarks;

import io.fraudstream.features.AttentionMode;
import io.fraudstream.features.CardHistory;
import io.fraudstream.features.Explanation;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.RawTransaction;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * ns per event of the plain-Java kernel, single thread, on a history already in memory with its token columns
 * (the steady state of a cached card; no model-specific state exists to warm), plus the memory-bandwidth reference:
 * the time to merely read n * (4d + 32) bytes of columns (see {@code Bandwidth}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// --add-modules: the extractor's Vector API top-k, as on TaskManagers; scalar for A/B:
// -jvmArgsAppend "-Xmx4g --add-modules=jdk.incubator.vector -Dfraudstream.extractor.vector=false"
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Dai.djl.offline=true", "--add-modules=jdk.incubator.vector"})
public class ExtractorBenchmark {

    /**
     * Shared setup: history of n, {@value #QUERIES} different queries after it (cycled: one fixed query lets the
     * branch predictor learn the top-k scan's outcomes and flatters the kernel ~2x), an extractor.
     */
    abstract static class Base {
        static final int QUERIES = 256;
        CardHistory history;
        RawTransaction[] queries;
        int next;
        RawTransaction query;
        FeatureExtractor extractor;
        Explanation explanation;
        float[] out;

        void init(int n, int k, AttentionMode mode) {
            ExtractorConfig config = ExtractorConfig.builder().window(n).k(k).mode(mode).build();
            extractor = new FeatureExtractor(config, ExtractorWeights.bootstrap(config, 42));
            history = Histories.filled(n, n);
            SplittableRandom r = new SplittableRandom(7);
            queries = new RawTransaction[QUERIES];
            for (int i = 0; i < QUERIES; i++) {
                queries[i] = Histories.tx(r, "query-" + i, Histories.lastTime(history) + 60_000L * (1 + r.nextInt(600)));
            }
            query = queries[0];
            explanation = new Explanation(config);
            out = new float[extractor.featureCount()];
            extractor.extract(history, query, out, explanation); // warms the extractor's scratch buffers
        }
    }

    @State(Scope.Thread)
    public static class Sparse extends Base {
        @Param({"16", "128", "1024", "4096", "16384"})
        int n;
        @Param({"16", "32", "64"})
        int k;

        @Setup(Level.Trial)
        public void setup() {
            init(n, k, AttentionMode.SPARSE_TOP_K);
        }
    }

    @State(Scope.Thread)
    public static class Dense extends Base {
        @Param({"16", "128", "1024", "4096", "16384"})
        int n;

        @Setup(Level.Trial)
        public void setup() {
            init(n, ExtractorConfig.DEFAULT_K, AttentionMode.DENSE);
        }
    }

    /** Sparse, k = 32, for the cold-cache benchmark. */
    @State(Scope.Thread)
    public static class Cold extends Base {
        @Param({"16", "128", "1024", "4096", "16384"})
        int n;

        /** The history as the job stores it. */
        java.util.List<io.fraudstream.features.HistoryChunk> chunks;
        int window;
        int head;

        @Setup(Level.Trial)
        public void setup() {
            init(n, ExtractorConfig.DEFAULT_K, AttentionMode.SPARSE_TOP_K);
            chunks = new java.util.ArrayList<>();
            for (int i = 0; i < history.size(); i++) {
                if (chunks.isEmpty() || chunks.get(chunks.size() - 1).isFull()) {
                    chunks.add(new io.fraudstream.features.HistoryChunk());
                }
                chunks.get(chunks.size() - 1).append(history, i);
            }
            window = history.window();
            head = history.headForState();
        }
    }

    /** The full per-event cost in a stream: extract, then append (evicting the oldest, deriving the new token). */
    @State(Scope.Thread)
    public static class Stream extends Base {
        @Param({"16", "128", "1024", "4096", "16384"})
        int n;
        long time;
        long seq;
        SplittableRandom random = new SplittableRandom(1);

        @Setup(Level.Trial)
        public void setup() {
            init(n, ExtractorConfig.DEFAULT_K, AttentionMode.SPARSE_TOP_K);
            time = Histories.lastTime(history);
        }
    }

    /**
     * The columns the previous release's K/V kernel read per event for n entries: d key arrays, lat, lon, cos(lat),
     * known (float), merchant and category hashes (int), event times (long): n * (4d + 32) bytes, 160 B per entry at
     * d = 32. The token kernel reads 9 dense token columns and one short per entry where this reads d key arrays,
     * so at d = 32 this reference reads more bytes than the kernel does.
     */
    @State(Scope.Thread)
    public static class Bandwidth {
        @Param({"16", "128", "1024", "4096", "16384"})
        int n;
        float[][] floats;
        int[][] ints;
        long[] times;
        float[] floatAcc;
        int[] intAcc;
        long[] longAcc;

        @Setup(Level.Trial)
        public void setup() {
            int d = ExtractorConfig.DEFAULT_DIM;
            SplittableRandom r = new SplittableRandom(3);
            floats = new float[d + 4][n];
            for (float[] a : floats) {
                for (int j = 0; j < n; j++) {
                    a[j] = (float) r.nextDouble();
                }
            }
            ints = new int[2][n];
            for (int[] a : ints) {
                for (int j = 0; j < n; j++) {
                    a[j] = r.nextInt();
                }
            }
            times = new long[n];
            for (int j = 0; j < n; j++) {
                times[j] = r.nextLong();
            }
            floatAcc = new float[n];
            intAcc = new int[n];
            longAcc = new long[n];
        }
    }

    @Benchmark
    public float sparse(Sparse s) {
        s.extractor.extract(s.history, s.queries[s.next++ & (Base.QUERIES - 1)], s.out, s.explanation);
        return s.out[0];
    }

    @Benchmark
    public float dense(Dense s) {
        s.extractor.extract(s.history, s.queries[s.next++ & (Base.QUERIES - 1)], s.out, s.explanation);
        return s.out[0];
    }

    /**
     * A card that is in no cache (after a restore, or evicted): its history rebuilt from its stored chunks (raw
     * fields; the tokens derived) and scored. Deserialization of the chunks is not included.
     */
    @Benchmark
    public float fromState(Cold s) {
        CardHistory h = CardHistory.fromChunks(s.window, s.head, s.chunks);
        s.extractor.extract(h, s.query, s.out, s.explanation);
        return s.out[0];
    }

    @Benchmark
    public float stream(Stream s) {
        s.time += 60_000L + s.random.nextLong(3_600_000L);
        RawTransaction tx = Histories.tx(s.random, "s" + (s.seq++), s.time);
        s.extractor.extract(s.history, tx, s.out, s.explanation);
        s.history.add(tx);
        return s.out[0];
    }

    /**
     * Reads every byte once with the loop form C2 vectorizes best (element-wise into an L1-resident
     * accumulator; a scalar reduction would measure the add latency, not the memory): the floor for any kernel
     * that reads these columns.
     */
    @Benchmark
    public long bandwidthReference(Bandwidth b) {
        final int n = b.n;
        final float[] fa = b.floatAcc;
        for (float[] a : b.floats) {
            for (int j = 0; j < n; j++) {
                fa[j] += a[j];
            }
        }
        final int[] ia = b.intAcc;
        for (int[] a : b.ints) {
            for (int j = 0; j < n; j++) {
                ia[j] ^= a[j];
            }
        }
        final long[] la = b.longAcc;
        final long[] t = b.times;
        for (int j = 0; j < n; j++) {
            la[j] ^= t[j];
        }
        return Float.floatToRawIntBits(fa[n >> 1]) ^ ia[n >> 1] ^ la[n >> 1];
    }
}
