package io.fraudstream.model.scoring;

import io.fraudstream.features.CardHistory;
import io.fraudstream.features.AmountBinFeatures;
import io.fraudstream.features.CardWindowFeatures;
import io.fraudstream.features.Explanation;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.RawTransaction;
import io.fraudstream.features.TransactionFieldFeatures;
import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.model.FeatureBlock;
import io.fraudstream.model.FraudModel;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The per-event scoring rules of a card, in one place for the job, the trainer, the bootstrap model, replay and the
 * benchmarks, so the features a model learns from are the features it is served (no training/serving skew).
 *
 * <p>Per transaction, in this order:
 * <ol>
 *   <li>{@link #expired}: a history whose newest transaction is more than the card TTL older (event time) than this
 *       one is forgotten first (deterministic, so replay, training and live agree);</li>
 *   <li>{@link #duplicate}: a transaction id already in the history is not scored again (the job dead-letters it,
 *       training skips it);</li>
 *   <li>{@link #extract}: the model's features against the history <i>before</i> the transaction is in it (a
 *       transaction never attends to itself), then the model's optional feature blocks
 *       (zeros when the transaction has none);</li>
 *   <li>{@link #score} with the classifier;</li>
 *   <li>append the transaction to the history.</li>
 * </ol>
 * The extractor holds no keys or values, only the history's tokens (derived from its raw fields), so a feature vector is
 * the same bits whether its history was just built or read back from the job's state.
 *
 * <p>Storage is the caller's: the job keeps histories in keyed state and calls the steps one by one between its
 * state accesses and outputs; everyone else keeps them in memory and calls {@link #next} (or uses {@link Cards}).
 * Not thread-safe (the extractor and the feature buffer are reused; nothing is allocated per event): one per thread.
 */
public final class CardScorer {

    /** The job's default {@code state.card-ttl}: a card's history is forgotten after this much event-time silence. */
    public static final Duration DEFAULT_CARD_TTL = Duration.ofDays(90);

    /** What {@link #next} did with a transaction. */
    public enum Outcome {
        /** Features extracted (and the transaction appended). */
        SCORED,
        /** The transaction id is already in the card's history: nothing extracted, nothing appended. */
        DUPLICATE
    }

    private final FraudModel model;
    private final ExtractorConfig config;
    private final FeatureExtractor extractor;
    private final boolean pointOfPurchase;
    private final boolean popRatios;
    private final boolean cardWindows;
    private final boolean transactionFields;
    private final boolean amountBins;
    private final Set<FeatureBlock> blocks;
    private final long cardTtlMillis;
    private final float[] features;

    private CardScorer(FraudModel model, ExtractorConfig config, ExtractorWeights weights, Set<FeatureBlock> blocks,
            long cardTtlMillis) {
        if (cardTtlMillis <= 0) {
            throw new IllegalArgumentException("card TTL must be positive, was " + cardTtlMillis + " ms");
        }
        this.model = model;
        this.config = config;
        this.extractor = new FeatureExtractor(config, weights);
        this.blocks = FeatureBlock.of(blocks.toArray(new FeatureBlock[0]));
        this.pointOfPurchase = blocks.contains(FeatureBlock.POINT_OF_PURCHASE);
        this.popRatios = blocks.contains(FeatureBlock.POP_RATIOS);
        this.cardWindows = blocks.contains(FeatureBlock.CARD_WINDOWS);
        this.transactionFields = blocks.contains(FeatureBlock.TRANSACTION_FIELDS);
        this.amountBins = blocks.contains(FeatureBlock.AMOUNT_BINS);
        this.cardTtlMillis = cardTtlMillis;
        this.features = new float[extractor.featureCount() + FeatureBlock.count(blocks)];
    }

    /** Features and scores of {@code model}. */
    public static CardScorer of(FraudModel model, long cardTtlMillis) {
        return new CardScorer(model, model.extractorConfig(), model.extractorWeights(), model.blocks(), cardTtlMillis);
    }

    /** Features only (a model in training has no classifier yet); {@link #score} is refused. */
    public static CardScorer features(ExtractorConfig config, ExtractorWeights weights, Set<FeatureBlock> blocks,
            long cardTtlMillis) {
        return new CardScorer(null, config, weights, blocks, cardTtlMillis);
    }

    /** Whether {@code history} must be forgotten before a transaction at {@code eventTimeMillis} is scored. */
    public static boolean expired(CardHistory history, long eventTimeMillis, long cardTtlMillis) {
        return !history.isEmpty() && eventTimeMillis - history.eventTimeAt(history.size() - 1) > cardTtlMillis;
    }

    /** Whether {@code transactionId} was already scored for this card (it is in the history). */
    public static boolean duplicate(CardHistory history, String transactionId) {
        return history.containsTransactionId(transactionId);
    }

    /**
     * The feature vector of {@code tx} against {@code history} (which does not hold it yet) into {@link #features()}:
     * the extractor's features, then the model's {@link FeatureBlock}s in their order: {@code pointOfPurchase}
     * ({@link PopFeatures#COUNT} values, or zeros when null), the fraud ratios derived from it, the card-window block
     * from the history. Returns the buffer, valid until the next call.
     */
    public float[] extract(CardHistory history, RawTransaction tx, float[] pointOfPurchase, Explanation explanation) {
        extractor.extract(history, tx, features, explanation);
        int at = extractor.featureCount();
        if (this.pointOfPurchase) {
            if (pointOfPurchase != null) {
                System.arraycopy(pointOfPurchase, 0, features, at, PopFeatures.COUNT);
            } else {
                Arrays.fill(features, at, at + PopFeatures.COUNT, 0f);
            }
            at += PopFeatures.COUNT;
        }
        if (popRatios) {
            PopFeatures.ratios(pointOfPurchase, 0, features, at);
            at += PopFeatures.RATIO_COUNT;
        }
        if (cardWindows) {
            CardWindowFeatures.compute(history, tx, features, at);
            at += CardWindowFeatures.COUNT;
        }
        if (transactionFields) {
            TransactionFieldFeatures.compute(tx, features, at);
            at += TransactionFieldFeatures.COUNT;
        }
        if (amountBins) {
            AmountBinFeatures.compute(tx, features, at);
        }
        return features;
    }

    /** The model's probability of fraud for the features last {@link #extract}ed. */
    public double score() {
        if (model == null) {
            throw new IllegalStateException("a features-only CardScorer has no classifier");
        }
        return model.score(features);
    }

    /**
     * All steps for a card kept in memory: TTL, duplicate check, extraction, append. After {@link Outcome#SCORED}
     * the features are in {@link #features()} ({@link #score()} scores them).
     */
    public Outcome next(Card card, RawTransaction tx, float[] pointOfPurchase, Explanation explanation) {
        if (expired(card.history, tx.eventTimeMillis(), cardTtlMillis)) {
            card.history = CardHistory.create(config);
            card.expiries++;
        }
        if (duplicate(card.history, tx.transactionId())) {
            card.duplicates++;
            return Outcome.DUPLICATE;
        }
        extract(card.history, tx, pointOfPurchase, explanation);
        card.history.add(tx);
        return Outcome.SCORED;
    }

    /**
     * {@link #next} without the extraction, for a transaction whose features nobody needs (history before a
     * training window): the same TTL and duplicate rules, then the append, so later transactions see the same history.
     */
    public Outcome pass(Card card, RawTransaction tx) {
        if (expired(card.history, tx.eventTimeMillis(), cardTtlMillis)) {
            card.history = CardHistory.create(config);
            card.expiries++;
        }
        if (duplicate(card.history, tx.transactionId())) {
            card.duplicates++;
            return Outcome.DUPLICATE;
        }
        card.history.add(tx);
        return Outcome.SCORED;
    }

    /** A new, empty card for {@link #next}. */
    public Card newCard() {
        return new Card(CardHistory.create(config));
    }

    /** The feature buffer: {@link #featureCount()} values of the last extraction. */
    public float[] features() { return features; }
    public int featureCount() { return features.length; }
    /** The optional blocks after the extractor's features. */
    public Set<FeatureBlock> blocks() { return blocks; }
    /** The extractor's own features (the optional blocks, when used, follow them). */
    public int extractorFeatureCount() { return extractor.featureCount(); }
    public FeatureExtractor extractor() { return extractor; }
    public ExtractorConfig config() { return config; }
    public long cardTtlMillis() { return cardTtlMillis; }
    /** The model, or null for a features-only scorer. */
    public FraudModel model() { return model; }

    /** One card's in-memory history, with what {@link #next} skipped. */
    public static final class Card {
        private CardHistory history;
        private long expiries;
        private long duplicates;

        private Card(CardHistory history) {
            this.history = history;
        }

        public CardHistory history() { return history; }
        /** Times the history was forgotten for the TTL. */
        public long expiries() { return expiries; }
        /** Transactions skipped as duplicates. */
        public long duplicates() { return duplicates; }
    }

    /** Cards by id in memory, for callers that see many cards interleaved (replay loops, benchmarks). */
    public static final class Cards {
        private final CardScorer scorer;
        private final Map<String, Card> cards = new HashMap<>();

        public Cards(CardScorer scorer) {
            this.scorer = scorer;
        }

        /** The rules and buffers: {@link CardScorer#features()} and {@link CardScorer#score()} after a SCORED. */
        public CardScorer scorer() { return scorer; }

        /** {@link CardScorer#next} for the card {@code cardId}. */
        public Outcome next(String cardId, RawTransaction tx, float[] pointOfPurchase, Explanation explanation) {
            Card card = cards.get(cardId);
            if (card == null) {
                card = scorer.newCard();
                cards.put(cardId, card);
            }
            return scorer.next(card, tx, pointOfPurchase, explanation);
        }

        /** Transactions skipped as duplicates, over all cards. */
        public long duplicates() {
            long n = 0;
            for (Card c : cards.values()) {
                n += c.duplicates;
            }
            return n;
        }
    }
}
