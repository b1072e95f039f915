package io.fraudstream.benchmarks;

import io.fraudstream.features.CardHistory;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.features.RawTransaction;
import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.model.FeatureBlock;
import io.fraudstream.model.scoring.CardScorer;
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
 * ns per event of {@link CardScorer#extract} — the features the job computes per transaction — without optional
 * blocks and with every one (point-of-purchase counts and ratios, card windows, transaction fields), on a full
 * history of n (~2 h apart, so about 360 entries fall in the 30-day window at n = 1024), scratch buffers warm, one
 * of 256 queries per op. The ratio of the two at the same n is the blocks' cost (docs/BENCHMARKS.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Dai.djl.offline=true", "--add-modules=jdk.incubator.vector"})
public class FeatureBlocksBenchmark {

    @State(Scope.Thread)
    public static class Card {
        @Param({"128", "1024"})
        int n;
        @Param({"none", "all"})
        String blocks;
        CardScorer scorer;
        CardHistory history;
        RawTransaction[] queries;
        float[] pointOfPurchase;
        int next;

        @Setup(Level.Trial)
        public void setup() {
            ExtractorConfig config = ExtractorConfig.builder().window(n).k(32).build();
            scorer = CardScorer.features(config, ExtractorWeights.bootstrap(config, 42),
                    blocks.equals("all") ? FeatureBlock.of(FeatureBlock.values()) : FeatureBlock.none(),
                    CardScorer.DEFAULT_CARD_TTL.toMillis());
            history = Histories.filled(n, n);
            SplittableRandom r = new SplittableRandom(7);
            queries = new RawTransaction[256];
            for (int i = 0; i < queries.length; i++) {
                queries[i] = Histories.tx(r, "query-" + i,
                        Histories.lastTime(history) + 60_000L * (1 + r.nextInt(600)));
            }
            pointOfPurchase = new float[PopFeatures.ATTACHED_COUNT];
            for (int i = 0; i < pointOfPurchase.length; i++) {
                pointOfPurchase[i] = (float) Math.log1p(1 + 7 * i);
            }
            scorer.extract(history, queries[0], pointOfPurchase, null); // warms the scratch buffers
        }
    }

    @Benchmark
    public float[] extract(Card c) {
        RawTransaction q = c.queries[c.next++ & 255];
        return c.scorer.extract(c.history, q, c.pointOfPurchase, null);
    }
}
