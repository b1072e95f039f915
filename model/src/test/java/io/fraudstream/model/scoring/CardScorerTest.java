package io.fraudstream.model.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.model.FeatureBlock;
import io.fraudstream.features.CardHistory;
import io.fraudstream.features.CardWindowFeatures;
import io.fraudstream.features.Channel;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.RawTransaction;
import io.fraudstream.features.pop.PopFeatures;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CardScorerTest {

    static final ExtractorConfig CONFIG = ExtractorConfig.builder().window(64).k(8).heads(2).dim(8).build();
    static final ExtractorWeights WEIGHTS = ExtractorWeights.bootstrap(CONFIG, 7);
    static final long DAY = 86_400_000L;
    static final long TTL = 30 * DAY;

    static RawTransaction tx(String id, long time, double amount) {
        return RawTransaction.builder().transactionId(id).eventTimeMillis(time).amount(amount).merchantId("m-" + id)
                .merchantCategory("grocery_pos").channel(Channel.CARD_PRESENT).merchantLocation(40.7, -74.0)
                .homeLocation(40.8, -73.9).build();
    }

    @Test
    void extractsAgainstTheHistoryBeforeTheTransactionThenAppendsIt() {
        CardScorer scorer = CardScorer.features(CONFIG, WEIGHTS, FeatureBlock.none(), TTL);
        CardScorer.Card card = scorer.newCard();
        // a reference: the plain extractor over a hand-kept history, extract then add
        FeatureExtractor reference = new FeatureExtractor(CONFIG, WEIGHTS);
        CardHistory history = CardHistory.create(CONFIG);
        float[] expected = new float[reference.featureCount()];
        for (int i = 0; i < 20; i++) {
            RawTransaction t = tx("t" + i, 1_000_000 + i * 3_600_000L, 10 + i);
            assertThat(scorer.next(card, t, null, null)).isEqualTo(CardScorer.Outcome.SCORED);
            reference.extract(history, t, expected, null);
            history.add(t);
            assertThat(scorer.features()).as("transaction %d", i).isEqualTo(expected);
        }
        assertThat(card.history().size()).isEqualTo(20);
    }

    @Test
    void aDuplicateIsNeitherExtractedNorAppended() {
        CardScorer scorer = CardScorer.features(CONFIG, WEIGHTS, FeatureBlock.none(), TTL);
        CardScorer.Card card = scorer.newCard();
        scorer.next(card, tx("a", 1_000_000, 5), null, null);
        scorer.next(card, tx("b", 2_000_000, 6), null, null);
        float[] before = scorer.features().clone();
        assertThat(scorer.next(card, tx("a", 3_000_000, 99), null, null)).isEqualTo(CardScorer.Outcome.DUPLICATE);
        assertThat(scorer.features()).isEqualTo(before);
        assertThat(card.history().size()).isEqualTo(2);
        assertThat(card.duplicates()).isEqualTo(1);
        assertThat(scorer.pass(card, tx("b", 4_000_000, 1))).isEqualTo(CardScorer.Outcome.DUPLICATE);
    }

    @Test
    void aHistoryOlderThanTheTtlIsForgottenBeforeExtraction() {
        CardScorer scorer = CardScorer.features(CONFIG, WEIGHTS, FeatureBlock.none(), TTL);
        CardScorer.Card card = scorer.newCard();
        long t0 = 1_000_000;
        scorer.next(card, tx("a", t0, 5), null, null);
        scorer.next(card, tx("b", t0 + DAY, 6), null, null);
        RawTransaction justInside = tx("c", t0 + DAY + TTL, 7);
        RawTransaction late = tx("d", t0 + DAY + TTL + TTL + 1, 8);
        scorer.next(card, justInside, null, null);
        assertThat(card.expiries()).isZero();
        assertThat(card.history().size()).isEqualTo(3);

        scorer.next(card, late, null, null);
        assertThat(card.expiries()).isEqualTo(1);
        assertThat(card.history().size()).isEqualTo(1);
        float[] fresh = new float[scorer.featureCount()];
        new FeatureExtractor(CONFIG, WEIGHTS).extract(CardHistory.create(CONFIG), late, fresh, null);
        assertThat(scorer.features()).isEqualTo(fresh);
        assertThat(CardScorer.expired(card.history(), t0 + 10 * TTL, TTL)).isTrue();
        assertThat(CardScorer.expired(CardHistory.create(CONFIG), Long.MAX_VALUE, TTL)).isFalse();
    }

    @Test
    void thePointOfPurchaseBlockFollowsTheExtractorsFeaturesAndIsZeroWhenAbsent() {
        CardScorer scorer = CardScorer.features(CONFIG, WEIGHTS, FeatureBlock.of(FeatureBlock.POINT_OF_PURCHASE), TTL);
        assertThat(scorer.featureCount()).isEqualTo(scorer.extractorFeatureCount() + PopFeatures.COUNT);
        float[] pop = new float[PopFeatures.COUNT];
        Arrays.fill(pop, 0.25f);
        CardScorer.Card card = scorer.newCard();
        scorer.next(card, tx("a", 1_000_000, 5), pop, null);
        assertThat(Arrays.copyOfRange(scorer.features(), scorer.extractorFeatureCount(), scorer.featureCount()))
                .isEqualTo(pop);
        scorer.next(card, tx("b", 2_000_000, 5), null, null);
        assertThat(Arrays.copyOfRange(scorer.features(), scorer.extractorFeatureCount(), scorer.featureCount()))
                .containsOnly(0f);
    }

    @Test
    void everyBlockFollowsInItsOrderWithTheValuesOfItsOwnCode() {
        CardScorer scorer = CardScorer.features(CONFIG, WEIGHTS, FeatureBlock.of(FeatureBlock.CARD_WINDOWS,
                FeatureBlock.POP_RATIOS, FeatureBlock.POINT_OF_PURCHASE), TTL);
        int e = scorer.extractorFeatureCount();
        assertThat(scorer.featureCount())
                .isEqualTo(e + PopFeatures.COUNT + PopFeatures.RATIO_COUNT + CardWindowFeatures.COUNT);
        float[] pop = new float[PopFeatures.ATTACHED_COUNT];
        for (int i = 0; i < pop.length; i++) {
            // 20 transactions (a week earlier too), 2 frauds in every window
            pop[i] = (float) Math.log1p(i >= PopFeatures.COUNT || i % 6 < 3 ? 20 : 2);
        }
        CardScorer.Card card = scorer.newCard();
        scorer.next(card, tx("a", 1_000_000, 5), pop, null);
        CardHistory before = card.history().copy();
        RawTransaction b = tx("b", 2_000_000, 50);
        float[] f = scorer.extract(before, b, pop, null).clone();
        assertThat(Arrays.copyOfRange(f, e, e + PopFeatures.COUNT)).isEqualTo(Arrays.copyOf(pop, PopFeatures.COUNT));
        float[] ratios = Arrays.copyOfRange(f, e + PopFeatures.COUNT, e + PopFeatures.COUNT + PopFeatures.RATIO_COUNT);
        assertThat(ratios).hasSize(6);
        for (float r : ratios) {
            assertThat(r).isCloseTo(0.1f, org.assertj.core.api.Assertions.within(1e-6f));
        }
        float[] windows = new float[CardWindowFeatures.COUNT];
        CardWindowFeatures.compute(before, b, windows, 0);
        assertThat(Arrays.copyOfRange(f, f.length - CardWindowFeatures.COUNT, f.length)).isEqualTo(windows);
        assertThat(windows[3]).as("50 against a 30-day mean of 5").isCloseTo(10f, org.assertj.core.api.Assertions.within(1e-5f));
    }

    @Test
    void transactionFieldsThenAmountBinsAtTheEnd() {
        CardScorer scorer = CardScorer.features(CONFIG, WEIGHTS, FeatureBlock.of(FeatureBlock.AMOUNT_BINS,
                FeatureBlock.TRANSACTION_FIELDS), TTL);
        int e = scorer.extractorFeatureCount();
        int fields = io.fraudstream.features.TransactionFieldFeatures.COUNT;
        int bins = io.fraudstream.features.AmountBinFeatures.COUNT;
        assertThat(scorer.featureCount()).isEqualTo(e + fields + bins);
        RawTransaction b = tx("b", 2_000_000, 220);
        float[] f = scorer.extract(scorer.newCard().history(), b, null, null).clone();
        float[] expectFields = new float[fields];
        io.fraudstream.features.TransactionFieldFeatures.compute(b, expectFields, 0);
        float[] expectBins = new float[bins];
        io.fraudstream.features.AmountBinFeatures.compute(b, expectBins, 0);
        assertThat(Arrays.copyOfRange(f, e, e + fields)).isEqualTo(expectFields);
        assertThat(Arrays.copyOfRange(f, e + fields, f.length)).isEqualTo(expectBins);
        assertThat(f[e + fields + 32]).as("220 is in the bin from 215.27").isEqualTo(1f);
    }
}
