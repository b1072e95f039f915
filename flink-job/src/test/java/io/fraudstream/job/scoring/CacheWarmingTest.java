package io.fraudstream.job.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.job.FraudScoringPipeline;
import io.fraudstream.job.validation.TransactionEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CardScoringOperator} fills the history cache from restored state when it opens: every card of the snapshot
 * is then served from the cache on its first event, the scores are those of a restore without warming, and a cache
 * too small for every card keeps the cards loaded first (nothing evicted) and says why it stopped. On the heap and
 * on RocksDB (whose key iteration is what production runs).
 */
class CacheWarmingTest {

    private static final long T0 = Instant.parse("2026-11-01T12:00:00Z").toEpochMilli();
    private static final long TTL = Duration.ofDays(30).toMillis();
    private static final int CARDS = 40;

    private static KeyedBroadcastOperatorTestHarness<String, TransactionEvent, Either<ModelDescriptor, RuleSet>,
            FraudScore> harness(CardScoringFunction function, boolean rocksdb) throws Exception {
        KeyedBroadcastOperatorTestHarness<String, TransactionEvent, Either<ModelDescriptor, RuleSet>, FraudScore> h =
                new KeyedBroadcastOperatorTestHarness<>(new CardScoringOperator(function),
                        new FraudScoringPipeline.CardKey(), Types.STRING, 128, 1, 0);
        if (rocksdb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    private static CardScoringFunction function(ScoringSettings settings) {
        return new CardScoringFunction(new TestModels.Factory("v1", 0.5, 64), settings);
    }

    /** {@code n} transactions spread over the cards, from {@code from} on. */
    private static List<TransactionEvent> transactions(int from, int n) {
        List<TransactionEvent> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            out.add(CardScoringFunctionTest.tx("t" + i, "c" + (i % CARDS), T0 + i * 10_000L, 5 + (i * 7919) % 900));
        }
        return out;
    }

    private static OperatorSubtaskState stateAfterFirstHour(boolean rocksdb) throws Exception {
        var h = harness(function(settings(0)), rocksdb);
        h.open();
        for (TransactionEvent t : transactions(0, 400)) {
            h.processElement(new StreamRecord<>(t));
        }
        h.prepareSnapshotPreBarrier(1); // as the task does before the barrier leaves
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();
        return snapshot;
    }

    private static ScoringSettings settings(long warmMillis) {
        return new ScoringSettings(TTL, 3, 3, 1024).withHistoryCache(1_000_000).withCacheWarming(warmMillis);
    }

    /** Restores {@code snapshot} with {@code settings}, scores the next 200 transactions; the function is returned. */
    private static List<Double> scoresAfterRestore(OperatorSubtaskState snapshot, CardScoringFunction function,
            boolean rocksdb) throws Exception {
        var h = harness(function, rocksdb);
        h.initializeState(snapshot);
        h.open();
        for (TransactionEvent t : transactions(400, 200)) {
            h.processElement(new StreamRecord<>(t));
        }
        List<Double> scores = h.extractOutputValues().stream().map(FraudScore::getScore).toList();
        h.close();
        return scores;
    }

    @ParameterizedTest(name = "rocksdb={0}")
    @ValueSource(booleans = {false, true})
    void aRestoredOperatorServesEveryCardFromTheCacheWithUnchangedScores(boolean rocksdb) throws Exception {
        OperatorSubtaskState snapshot = stateAfterFirstHour(rocksdb);

        CardScoringFunction warm = function(settings(60_000));
        List<Double> warmScores = scoresAfterRestore(snapshot, warm, rocksdb);
        CardScoringFunction cold = function(settings(0));
        List<Double> coldScores = scoresAfterRestore(snapshot, cold, rocksdb);

        assertThat(warm.warmed().cards()).isEqualTo(CARDS);
        assertThat(warm.warmed().transactions()).isEqualTo(400);
        assertThat(warm.warmed().stoppedBy()).isEqualTo("all cards");
        assertThat(warm.cacheHitRate()).isEqualTo(1.0); // the first event of every card found it cached
        assertThat(cold.warmed()).isNull();
        assertThat(cold.cacheHitRate()).isCloseTo(160 / 200.0, org.assertj.core.data.Offset.offset(1e-9)); // a miss per card
        assertThat(warmScores).hasSize(200).containsExactlyElementsOf(coldScores);
    }

    @ParameterizedTest(name = "rocksdb={0}")
    @ValueSource(booleans = {false, true})
    void aCacheTooSmallForEveryCardKeepsTheCardsLoadedFirst(boolean rocksdb) throws Exception {
        OperatorSubtaskState snapshot = stateAfterFirstHour(rocksdb);
        CardScoringFunction warm = function(new ScoringSettings(TTL, 3, 3, 1024).withHistoryCache(0)
                .withCacheWarming(60_000));
        // a cache of 10,000 B: a card of 10 transactions costs over 1 KB, so fewer than 40 fit
        CardScoringFunction small = function(new ScoringSettings(TTL, 3, 3, 1024).withHistoryCache(100)
                .withCacheWarming(60_000));
        List<Double> smallScores = scoresAfterRestore(snapshot, small, rocksdb);
        List<Double> none = scoresAfterRestore(snapshot, warm, rocksdb);

        assertThat(none).containsExactlyElementsOf(smallScores);
        assertThat(warm.warmed()).isNull(); // no cache: nothing to fill
        CardStateStore.Warmed w = small.warmed();
        assertThat(w.stoppedBy()).isEqualTo("cache full");
        assertThat(w.cards()).isBetween(1, CARDS - 1);
        assertThat(w.transactions()).isEqualTo(10L * w.cards());
        assertThat(w.bytes()).isLessThanOrEqualTo(10_000);
    }

    /** State after scoring {@code txs} and taking a snapshot, read back card by card as a restore would. */
    private static java.util.Map<String, String> storedHistories(CardScoringFunction function, boolean rocksdb,
            List<TransactionEvent> txs, int[] unwritten) throws Exception {
        return storedHistories(function, rocksdb, txs, unwritten, 0);
    }

    /** The same with the processing time advanced by {@code msPerEvent} before each event (0: left as it is). */
    private static java.util.Map<String, String> storedHistories(CardScoringFunction function, boolean rocksdb,
            List<TransactionEvent> txs, int[] unwritten, long msPerEvent) throws Exception {
        var h = harness(function, rocksdb);
        h.open();
        unwritten[1] = 0;
        long now = 0;
        for (TransactionEvent t : txs) {
            if (msPerEvent > 0) {
                now += msPerEvent;
                h.setProcessingTime(now);
            }
            h.processElement(new StreamRecord<>(t));
            unwritten[1] = Math.max(unwritten[1], function.unwrittenCards());
        }
        unwritten[0] = function.unwrittenCards();
        h.prepareSnapshotPreBarrier(1); // as the task does before the barrier leaves
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        assertThat(function.unwrittenCards()).isZero(); // the barrier wrote them all
        assertThat(function.lastBarrierCards()).isEqualTo(unwritten[0]); // and says how many (a metric)
        h.close();
        var restored = harness(function(settings(0)), rocksdb);
        restored.initializeState(snapshot);
        restored.open();
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (int c = 0; c < CARDS; c++) {
            io.fraudstream.features.CardHistory history = StoredCards.history(restored, "c" + c);
            StringBuilder ids = new StringBuilder();
            for (int i = 0; i < history.size(); i++) {
                ids.append(history.transactionIdAt(i)).append('@').append(history.eventTimeAt(i)).append(' ');
            }
            out.put("c" + c, ids.toString());
        }
        restored.close();
        return out;
    }

    @ParameterizedTest(name = "rocksdb={0}")
    @ValueSource(booleans = {false, true})
    void deferredWritesReachStateAtTheBarrierAndWhenACardLeavesTheCache(boolean rocksdb) throws Exception {
        List<TransactionEvent> txs = transactions(0, 1_500); // 37-38 per card: every card fills a chunk
        // Write-through (no cache: nothing is deferred) is the reference.
        int[] unwritten = new int[2]; // before the barrier, most at any time
        java.util.Map<String, String> reference = storedHistories(
                function(new ScoringSettings(TTL, 3, 3, 1024)), rocksdb, txs, unwritten);
        assertThat(unwritten[1]).isZero();
        assertThat(reference.get("c7").split(" ")).hasSize(txs.size() / CARDS + (7 < txs.size() % CARDS ? 1 : 0));

        // A cache that holds every card: everything is written at the barrier.
        java.util.Map<String, String> atBarrier = storedHistories(function(settings(0)), rocksdb, txs, unwritten);
        assertThat(unwritten[0]).isEqualTo(CARDS);
        assertThat(atBarrier).isEqualTo(reference);

        // At most 5 cards wait for the barrier (state.card-write-behind): the card changed longest ago is written first.
        java.util.Map<String, String> bounded = storedHistories(function(settings(0).withMaxUnwrittenCards(5)), rocksdb,
                txs, unwritten);
        assertThat(unwritten[1]).isEqualTo(5);
        assertThat(unwritten[0]).isEqualTo(5);
        assertThat(bounded).isEqualTo(reference);

        // Changes 300 ms old are written between barriers (state.card-write-idle): with an event every 10 ms, round
        // robin over the 40 cards, each card changes every 400 ms, so only the 30 cards changed in the last 300 ms
        // wait for the barrier. (Each card's first event is written at once: nothing changed it since it was created.)
        java.util.Map<String, String> idle = storedHistories(function(settings(0).withCardWriteIdle(300)), rocksdb,
                txs, unwritten, 10);
        assertThat(unwritten[1]).isEqualTo(30);
        assertThat(unwritten[0]).isEqualTo(30);
        assertThat(idle).isEqualTo(reference);
        // A card seen again before its changes are that old stays coalesced: with 500 ms every card waits.
        java.util.Map<String, String> hot = storedHistories(function(settings(0).withCardWriteIdle(500)), rocksdb,
                txs, unwritten, 10);
        assertThat(unwritten[0]).isEqualTo(CARDS);
        assertThat(hot).isEqualTo(reference);
        // A card whose previous change is 2.5 x state.card-write-idle old is predicted cold and written at once: with
        // 100 ms, each card's 400 ms gap makes every event a write, and nothing ever waits for the barrier.
        java.util.Map<String, String> cold = storedHistories(function(settings(0).withCardWriteIdle(100)), rocksdb,
                txs, unwritten, 10);
        assertThat(unwritten[1]).isZero();
        assertThat(cold).isEqualTo(reference);

        // A cache of 10,000 B (a few cards): cards are evicted with deferred writes and written back under their own
        // key while another card is being scored.
        java.util.Map<String, String> evicting = storedHistories(function(new ScoringSettings(TTL, 3, 3, 1024)
                .withHistoryCache(100)), rocksdb, txs, unwritten);
        assertThat(evicting).isEqualTo(reference);
    }
}
