package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Staging a new model's K/V cache in chunks (what the job does after a swap to new extractor weights) and copying
 * a history with its caches: both must be invisible in the features, bit for bit.
 */
class KvCacheStagingTest {
    private final RandomCases gen = new RandomCases(5);
    private final ExtractorConfig config = ExtractorConfig.defaults();
    private final FeatureExtractor v1 = new FeatureExtractor(config, ExtractorWeights.bootstrap(config, 1));
    private final FeatureExtractor v2 = new FeatureExtractor(config, ExtractorWeights.bootstrap(config, 2));

    private float[] extract(FeatureExtractor fx, CardHistory h, RawTransaction tx) {
        float[] out = new float[fx.featureCount()];
        fx.extract(h, tx, out, null);
        return out;
    }

    @Test
    void whileStagingTheOldModelReadsItsOwnCacheAndTheNewModelThenScoresAsAfterAWholeRecompute() {
        // 1100 entries: a full 1024-window whose ring has wrapped (head != 0).
        RandomCases.Case c = gen.next(1100);
        CardHistory staging = RandomCases.historyOf(config, c.history());
        CardHistory onlyV1 = RandomCases.historyOf(config, c.history());
        List<RawTransaction> all = new ArrayList<>(c.history());
        extract(v1, staging, c.query());
        extract(v1, onlyV1, c.query());
        assertThat(staging.cachedModelVersion()).isEqualTo(v1.weights().modelVersion());

        long t = c.query().eventTimeMillis();
        int events = 0;
        while (!v2.stageCache(staging, 100)) {
            assertThat(staging.stagedModelVersion()).isEqualTo(v2.weights().modelVersion());
            // The card keeps being scored by v1 meanwhile, exactly as if no staging were going on.
            RawTransaction tx = gen.tx(t += 60_000, true, 40, -74);
            assertThat(extract(v1, staging, tx)).containsExactly(extract(v1, onlyV1, tx));
            // New entries (one of them out of order, which moves the ring's entries) must be staged too.
            RawTransaction added = events == 3 ? gen.tx(staging.eventTimeAt(600), true, 40, -74) : tx;
            staging.add(added);
            onlyV1.add(added);
            all.add(added);
            events++;
        }
        // 1024 entries at 100 per call, newest first; each new entry evicts the oldest, still unstaged, entry: the
        // 11th call completes, after 10 events scored by v1.
        assertThat(events).isEqualTo(10);
        assertThat(staging.cachedModelVersion()).isEqualTo(v1.weights().modelVersion());

        RawTransaction next = gen.tx(t + 60_000, true, 40, -74);
        float[] adopted = extract(v2, staging, next);
        assertThat(staging.cachedModelVersion()).isEqualTo(v2.weights().modelVersion());
        assertThat(staging.stagedModelVersion()).isNull();
        assertThat(adopted).containsExactly(extract(v2, RandomCases.historyOf(config, all), next));
    }

    @Test
    void aModelWhoseCacheIsAlreadyCurrentStagesNothing() {
        RandomCases.Case c = gen.next(200);
        CardHistory h = RandomCases.historyOf(config, c.history());
        extract(v1, h, c.query());
        assertThat(v1.hasCache(h)).isTrue();
        assertThat(v2.hasCache(h)).isFalse();
        assertThat(v1.stageCache(h, 1)).isTrue();
        assertThat(h.stagedModelVersion()).isNull();
    }

    @Test
    void aCopyKeepsItsCachesScoresIdenticallyAndSharesNothing() {
        RandomCases.Case c = gen.next(700);
        CardHistory h = RandomCases.historyOf(config, c.history());
        extract(v1, h, c.query());
        v2.stageCache(h, 50);
        CardHistory copy = h.copy();
        assertThat(copy.cachedModelVersion()).isEqualTo(v1.weights().modelVersion());
        assertThat(copy.stagedModelVersion()).isEqualTo(v2.weights().modelVersion());

        RawTransaction next = gen.tx(c.query().eventTimeMillis() + 60_000, true, 40, -74);
        assertThat(extract(v1, copy, next)).containsExactly(extract(v1, h, next));
        copy.add(next);
        v2.stageCache(copy, 1000);
        assertThat(h.size()).isEqualTo(700);
        assertThat(copy.size()).isEqualTo(701);
        assertThat(h.cachedModelVersion()).isEqualTo(v1.weights().modelVersion());
        // The original's staged cache was not advanced by the copy's staging.
        assertThat(v2.stageCache(h, 0)).isFalse();
        assertThat(extract(v2, copy, next)).containsExactly(
                extract(v2, RandomCases.historyOf(config, concat(c.history(), next)), next));
    }

    private static List<RawTransaction> concat(List<RawTransaction> list, RawTransaction tx) {
        List<RawTransaction> out = new ArrayList<>(list);
        out.add(tx);
        return out;
    }
}
