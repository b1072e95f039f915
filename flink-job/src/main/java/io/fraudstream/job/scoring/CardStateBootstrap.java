package io.fraudstream.job.scoring;

import io.fraudstream.features.CardHistory;
import io.fraudstream.model.scoring.CardScorer;
import io.fraudstream.features.RawTransaction;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.job.validation.TransactionEvent;
import io.fraudstream.model.FraudModel;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.streaming.api.TimerService;

/**
 * Writes a card's state as {@link CardScoringFunction} would have written it after scoring the same transactions,
 * without scoring them: for a savepoint bootstrapped from a historical file (Flink's State Processor API, replay's
 * {@code bootstrap-state}, docs/DEPLOYMENT.md). The state is the function's own ({@link JobStreams#CARD_CHUNKS},
 * {@link JobStreams#CARD_HEADER}, {@link JobStreams#LAST_SEEN} and the card's TTL timer), written by the same
 * {@link CardStateStore}: raw fields only, nothing model-specific (the champion's configuration gives the window),
 * so the job scores a bootstrapped card exactly as a card whose history it fed itself. Per transaction the
 * function's own rules apply: a history older than {@code state.card-ttl} (event time) is forgotten first, a
 * transaction id already in the history is skipped (the job dead-letters it), and an entry older than the whole full
 * window is not stored.
 *
 * <p>Built in the bootstrap function's {@code open()} (states may only be registered there) and used on its task
 * thread with the current key set; {@link #close()} with the function.
 */
public final class CardStateBootstrap implements AutoCloseable {

    /** What {@link #add} did with a transaction. */
    public enum Outcome {
        /** Appended to the card's history and state. */
        STORED,
        /** Appended, and the card's first transaction (its TTL timer registered). */
        FIRST_OF_CARD,
        /** Its transaction id is already in the card's history: skipped (the job dead-letters it). */
        DUPLICATE
    }

    private final CardStateStore store;
    private final LoadedModel champion;
    private final long cardTtlMillis;
    private final ModelRepository repository;

    /**
     * Opens {@code models} and loads (verifying, as the job does) its initial champion, whose configuration gives
     * the window of the stored histories. {@code settings}: the job's card TTL and history cache (the cache only
     * spares re-reading a card while its transactions follow each other).
     */
    public CardStateBootstrap(RuntimeContext context, ModelRepository.Factory models, ScoringSettings settings)
            throws Exception {
        repository = models.open();
        FraudModel model = repository.load(repository.initialChampion());
        champion = new LoadedModel(model, settings);
        cardTtlMillis = settings.cardTtlMillis();
        store = new CardStateStore(context, settings.historyCacheBytes());
    }

    /** The version of the champion whose configuration gave the window. */
    public String championVersion() {
        return champion.version();
    }

    /**
     * Adds one transaction of the current card ({@code key}, the card token), in the order the job would receive
     * it. {@code timers}: the card's processing-time TTL timer is registered on its first transaction, as the job
     * does, so a card never seen again is deleted {@code state.card-ttl} after the bootstrap.
     */
    public Outcome add(String key, TransactionEvent tx, TimerService timers) throws Exception {
        CardStateStore.Card card = store.load(key);
        // The same rules as the job's and every other scorer's (model's CardScorer): TTL by event time, duplicates.
        long keptLastSeen = CardStateStore.NEVER_SEEN;
        if (card != null && CardScorer.expired(card.history(), tx.eventTimeMillis, cardTtlMillis)) {
            keptLastSeen = card.lastSeen; // clear keeps it: the card's TTL timer is armed
            store.clear(key);
            card = null;
        }
        if (card == null) {
            card = store.create(key, champion.model.extractorConfig().window(), keptLastSeen);
        }
        CardHistory history = card.history();
        if (CardScorer.duplicate(history, tx.transactionId)) {
            return Outcome.DUPLICATE;
        }
        RawTransaction raw = CardScoringFunction.toRaw(tx);
        store.append(key, card, raw, 0); // writes through: nothing is deferred while bootstrapping
        long now = timers.currentProcessingTime();
        boolean first = store.touch(card, now, cardTtlMillis);
        if (first) {
            timers.registerProcessingTimeTimer(CardStateStore.expiresAt(now, cardTtlMillis));
        }
        return first ? Outcome.FIRST_OF_CARD : Outcome.STORED;
    }

    @Override
    public void close() {
        store.close();
        repository.close();
    }
}
