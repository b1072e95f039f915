package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Each deployed model (champion, outgoing champion, shadow) keeps its own K/V cache in a history: a shadow with new
 * extractor weights scoring between champion scores never makes the champion recompute its cache, and the scores are
 * the ones each model gives on a history it has to itself.
 */
class KvCacheSlotsTest {
    private final RandomCases gen = new RandomCases(11);
    private final ExtractorConfig config = ExtractorConfig.defaults();
    private final FeatureExtractor champion = new FeatureExtractor(config, ExtractorWeights.bootstrap(config, 1));
    private final FeatureExtractor shadow = new FeatureExtractor(config, ExtractorWeights.bootstrap(config, 2));
    private final FeatureExtractor third = new FeatureExtractor(config, ExtractorWeights.bootstrap(config, 3));
    private final FeatureExtractor fourth = new FeatureExtractor(config, ExtractorWeights.bootstrap(config, 4));

    private static float[] extract(FeatureExtractor fx, CardHistory h, RawTransaction tx) {
        float[] out = new float[fx.featureCount()];
        fx.extract(h, tx, out, null);
        return out;
    }

    @Test
    void aShadowBetweenChampionScoresCausesNoChampionRecomputeAndChangesNoScore() {
        RandomCases.Case c = gen.next(1100); // a full, wrapped 1024-window
        CardHistory both = RandomCases.historyOf(config, c.history());
        CardHistory championOnly = RandomCases.historyOf(config, c.history());
        CardHistory shadowOnly = RandomCases.historyOf(config, c.history());
        long t = c.query().eventTimeMillis();
        for (int i = 0; i < 20; i++) {
            RawTransaction tx = i == 7 ? gen.tx(both.eventTimeAt(500), true, 40, -74) // out of order: entries move
                    : gen.tx(t += 60_000, true, 40, -74);
            assertThat(extract(champion, both, tx)).containsExactly(extract(champion, championOnly, tx));
            assertThat(extract(shadow, both, tx)).containsExactly(extract(shadow, shadowOnly, tx));
            both.add(tx);
            championOnly.add(tx);
            shadowOnly.add(tx);
        }
        // One cache started per model, on its first score; none since (the old single slot: 2 per event).
        assertThat(both.cacheResets()).isEqualTo(2);
        assertThat(both.cachedModelVersions()).containsExactlyInAnyOrder(champion.kvTag(), shadow.kvTag());
    }

    @Test
    void aFourthWeightsVersionEvictsTheLeastRecentlyUsedCacheNeverTheOneBeingRead() {
        RandomCases.Case c = gen.next(300);
        CardHistory h = RandomCases.historyOf(config, c.history());
        extract(champion, h, c.query());
        extract(shadow, h, c.query());
        extract(third, h, c.query());
        extract(champion, h, c.query()); // the shadow's cache is now the least recently used
        extract(fourth, h, c.query());
        assertThat(h.cachedModelVersions()).hasSize(CardHistory.MAX_KV_CACHES)
                .containsExactlyInAnyOrder(champion.kvTag(), third.kvTag(), fourth.kvTag());
        long resets = h.cacheResets();
        extract(champion, h, c.query());
        assertThat(h.cacheResets()).isEqualTo(resets);
    }

    @Test
    void aPromotedShadowKeepsTheCacheItBuiltAsShadow() {
        RandomCases.Case c = gen.next(400);
        CardHistory h = RandomCases.historyOf(config, c.history());
        extract(champion, h, c.query());
        extract(shadow, h, c.query());
        long resets = h.cacheResets();
        // After promotion the new champion has nothing to stage: its cache is complete.
        assertThat(shadow.hasCache(h)).isTrue();
        assertThat(shadow.stageCache(h, 1)).isTrue();
        extract(shadow, h, c.query());
        assertThat(h.cacheResets()).isEqualTo(resets);
    }

    @Test
    void compactKvTagsItsCachesApartAndStaysCloseToFullPrecision() {
        RandomCases.Case c = gen.next(1024);
        CardHistory h = RandomCases.historyOf(config, c.history());
        FeatureExtractor compact = FeatureExtractor.compactKv(config, champion.weights());
        float[] full = extract(champion, h, c.query());
        float[] half = extract(compact, h, c.query());
        assertThat(h.cachedModelVersions()).containsExactlyInAnyOrder(champion.kvTag(), compact.kvTag());
        assertThat(compact.kvTag()).isNotEqualTo(champion.kvTag());
        double worst = 0;
        for (int i = 0; i < full.length; i++) {
            worst = Math.max(worst, Math.abs(full[i] - half[i]) / Math.max(1, Math.abs(full[i])));
        }
        assertThat(worst).isGreaterThan(0).isLessThan(1e-2);
    }
}
