package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A model trained on window W attends only to a card's last W transactions, even when the card's history was kept
 * for a longer window (a hot-swap between models of different W): it scores exactly as on a history of its own W.
 */
class ModelWindowTest {
    private final RandomCases gen = new RandomCases(23);

    @Test
    void aShorterWindowModelSeesOnlyTheLastWEntriesOfALongerHistory() {
        ExtractorConfig longWindow = ExtractorConfig.defaults(); // W = 1024
        ExtractorConfig shortWindow = longWindow.toBuilder().window(64).build();
        FeatureExtractor shortModel = new FeatureExtractor(shortWindow, ExtractorWeights.bootstrap(shortWindow, 5));
        RandomCases.Case c = gen.next(300);
        List<RawTransaction> txs = c.history();
        CardHistory kept = RandomCases.historyOf(longWindow, txs); // 300 entries, kept for W = 1024
        CardHistory own = RandomCases.historyOf(shortWindow, txs); // what W = 64 keeps: the last 64
        assertThat(kept.size()).isEqualTo(300);
        assertThat(own.size()).isEqualTo(64);

        float[] onKept = new float[shortModel.featureCount()];
        float[] onOwn = new float[shortModel.featureCount()];
        Explanation keptWhy = new Explanation(5);
        Explanation ownWhy = new Explanation(5);
        shortModel.extract(kept, c.query(), onKept, keptWhy);
        shortModel.extract(own, c.query(), onOwn, ownWhy);
        assertThat(onKept).containsExactly(onOwn);
        // The kept history itself is untouched (the champion with W = 1024 still scores on all of it).
        assertThat(kept.size()).isEqualTo(300);
    }

    @Test
    void lastEntriesKeepsTheNewestEntriesInOrder() {
        ExtractorConfig config = ExtractorConfig.defaults();
        CardHistory h = RandomCases.historyOf(config, gen.next(50).history());
        CardHistory last = h.lastEntries(8);
        assertThat(last.window()).isEqualTo(8);
        assertThat(last.size()).isEqualTo(8);
        for (int i = 0; i < 8; i++) {
            assertThat(last.transactionIdAt(i)).isEqualTo(h.transactionIdAt(42 + i));
            assertThat(last.eventTimeAt(i)).isEqualTo(h.eventTimeAt(42 + i));
            assertThat(last.amountAt(i)).isEqualTo(h.amountAt(42 + i));
        }
    }
}
