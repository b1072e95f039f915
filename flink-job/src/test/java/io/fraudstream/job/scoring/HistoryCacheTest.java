package io.fraudstream.job.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HistoryCacheTest {

    @Test
    void evictsLeastRecentlyUsedCardsBeyondTheByteBudget() {
        HistoryCache<Object> cache = new HistoryCache<>(10);
        Object a = new Object();
        Object b = new Object();
        cache.put("a", a, 4);
        cache.put("b", b, 4);
        assertThat(cache.get("a")).isSameAs(a); // a is now the most recently used
        cache.put("c", new Object(), 4);       // 12 > 10: evicts b, the least recently used
        assertThat(cache.get("b")).isNull();
        assertThat(cache.get("a")).isSameAs(a);
        assertThat(cache.bytes()).isEqualTo(8);
        assertThat(cache.hitRate()).isEqualTo(2 / 3.0);
    }

    @Test
    void growthOfACachedValueIsCountedAndTheCurrentCardIsNeverEvicted() {
        HistoryCache<Object> cache = new HistoryCache<>(5);
        Object a = new Object();
        cache.put("a", a, 3);
        cache.put("a", a, 4);
        assertThat(cache.bytes()).isEqualTo(4);
        Object big = new Object();
        cache.put("big", big, 9); // over budget on its own: a goes, big stays while being scored
        assertThat(cache.get("a")).isNull();
        assertThat(cache.get("big")).isSameAs(big);
        cache.resize(20);
        cache.put("a", a, 4);
        assertThat(cache.cards()).isEqualTo(2);
        cache.resize(5); // big, the least recently used, goes
        assertThat(cache.cards()).isEqualTo(1);
        assertThat(cache.bytes()).isEqualTo(4);
        cache.remove("a");
        assertThat(cache.bytes()).isZero();
    }
}
