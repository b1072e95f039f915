package io.fraudstream.job.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.features.CardHistory;
import io.fraudstream.features.Channel;
import io.fraudstream.features.RawTransaction;
import org.junit.jupiter.api.Test;

class HistoryCacheTest {

    private static CardHistory history(int transactions) {
        CardHistory h = new CardHistory(1024);
        for (int i = 0; i < transactions; i++) {
            h.add(RawTransaction.builder().transactionId("t" + i).eventTimeMillis(i * 1000L).amount(10)
                    .merchantId("m").merchantCategory("c").channel(Channel.ONLINE).build());
        }
        return h;
    }

    @Test
    void evictsLeastRecentlyUsedCardsBeyondTheTransactionBudget() {
        HistoryCache cache = new HistoryCache(10);
        CardHistory a = history(4);
        CardHistory b = history(4);
        cache.put("a", a);
        cache.put("b", b);
        assertThat(cache.get("a")).isSameAs(a); // a is now the most recently used
        cache.put("c", history(4));             // 12 > 10: evicts b, the least recently used
        assertThat(cache.get("b")).isNull();
        assertThat(cache.get("a")).isSameAs(a);
        assertThat(cache.transactions()).isEqualTo(8);
    }

    @Test
    void growthOfACachedHistoryIsCountedAndTheCurrentCardIsNeverEvicted() {
        HistoryCache cache = new HistoryCache(5);
        CardHistory a = history(3);
        cache.put("a", a);
        a.add(RawTransaction.builder().transactionId("x").eventTimeMillis(99_000).amount(1).merchantId("m")
                .merchantCategory("c").channel(Channel.ONLINE).build());
        cache.put("a", a);
        assertThat(cache.transactions()).isEqualTo(4);
        CardHistory big = history(9);
        cache.put("big", big); // over budget on its own: a goes, big stays while being scored
        assertThat(cache.get("a")).isNull();
        assertThat(cache.get("big")).isSameAs(big);
        cache.remove("big");
        assertThat(cache.cards()).isZero();
        assertThat(cache.transactions()).isZero();
    }
}
