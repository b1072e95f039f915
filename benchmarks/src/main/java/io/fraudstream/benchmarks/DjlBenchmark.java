package io.fraudstream.benchmarks;

import io.fraudstream.features.AttentionMode;
import io.fraudstream.features.CardHistory;
import io.fraudstream.features.DjlBatchExtractor;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.features.RawTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * ns per event of the DJL batch kernel (PyTorch engine, CPU), batches of {@value #BATCH} (history, query) pairs;
 * 16 distinct histories are reused across a batch to keep the setup's memory small (the kernel does not
 * exploit the reuse). n stops at 4096: a 256 x 16384 batch needs ~2 GB of tokens alone.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g", "-Dai.djl.offline=true"})
public class DjlBenchmark {
    static final int BATCH = 256;

    @State(Scope.Thread)
    public static class Batch {
        @Param({"16", "128", "1024", "4096"})
        int n;
        @Param({"16", "32", "64"})
        int k;
        @Param({"SPARSE_TOP_K", "DENSE"})
        AttentionMode mode;
        DjlBatchExtractor extractor;
        List<CardHistory> histories = new ArrayList<>();
        List<RawTransaction> queries = new ArrayList<>();

        @Setup(Level.Trial)
        public void setup() {
            ExtractorConfig config = ExtractorConfig.builder().window(n).k(k).mode(mode).build();
            extractor = new DjlBatchExtractor(config, ExtractorWeights.bootstrap(config, 42));
            SplittableRandom r = new SplittableRandom(5);
            List<CardHistory> distinct = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                distinct.add(Histories.filled(n, i));
            }
            for (int i = 0; i < BATCH; i++) {
                CardHistory h = distinct.get(i % 16);
                histories.add(h);
                queries.add(Histories.tx(r, "q" + i, Histories.lastTime(h) + 60_000L * (1 + i)));
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            extractor.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public float[][] batch(Batch b) {
        return b.extractor.extract(b.histories, b.queries);
    }
}
