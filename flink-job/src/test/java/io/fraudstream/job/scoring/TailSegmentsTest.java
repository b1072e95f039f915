package io.fraudstream.job.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.features.CardHistory;
import io.fraudstream.features.HistoryChunk;
import io.fraudstream.job.FraudScoringPipeline;
import io.fraudstream.job.validation.TransactionEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With deferred writes, a card's new entries reach state as delta segments of its tail chunk, not as the whole tail:
 * a card seen once per checkpoint writes one entry per checkpoint. The tail is stored whole (its segments dropped)
 * once it is full or has {@link CardStateStore#MAX_TAIL_SEGMENTS} segments. A restore reads the tail with its
 * segments, and the restored job goes on adding segments where the snapshot left off. Heap and RocksDB.
 */
class TailSegmentsTest {

    private static final long T0 = Instant.parse("2026-11-01T12:00:00Z").toEpochMilli();
    private static final long TTL = Duration.ofDays(30).toMillis();
    private static final int EVENTS = 70; // more than two chunks

    private static KeyedBroadcastOperatorTestHarness<String, TransactionEvent, Either<ModelDescriptor, RuleSet>,
            FraudScore> harness(boolean rocksdb) throws Exception {
        CardScoringFunction function = new CardScoringFunction(new TestModels.Factory("v1", 0.5, 1024),
                new ScoringSettings(TTL, 3, 3, 1024).withHistoryCache(1_000_000));
        var h = new KeyedBroadcastOperatorTestHarness<>(new CardScoringOperator(function),
                new FraudScoringPipeline.CardKey(), Types.STRING, 128, 1, 0);
        if (rocksdb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    private static TransactionEvent event(int i) {
        return CardScoringFunctionTest.tx("t" + i, "c", T0 + i * 60_000L, 5 + (i * 7919) % 900);
    }

    private static List<String> ids(CardHistory h) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < h.size(); i++) {
            out.add(h.transactionIdAt(i));
        }
        return out;
    }

    private static List<String> expectedIds(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("t" + i);
        }
        return out;
    }

    /** One event, then a checkpoint (barrier writes, snapshot); checks what state holds. */
    private static OperatorSubtaskState eventAndCheckpoint(
            KeyedBroadcastOperatorTestHarness<String, TransactionEvent, Either<ModelDescriptor, RuleSet>, FraudScore> h,
            int i) throws Exception {
        h.processElement(new StreamRecord<>(event(i)));
        h.prepareSnapshotPreBarrier(i + 1);
        OperatorSubtaskState snapshot = h.snapshot(i + 1, i + 1);
        CardStateHeader header = StoredCards.header(h, "c");
        Map<Integer, HistoryChunk> entries = StoredCards.entries(h, "c");
        assertThat(header.segments).as("segments after t%d", i).isBetween(0, CardStateStore.MAX_TAIL_SEGMENTS);
        for (Map.Entry<Integer, HistoryChunk> e : entries.entrySet()) {
            if (e.getKey() < 0) {
                assertThat(e.getValue().size()).as("a segment holds the one entry new since the last checkpoint")
                        .isEqualTo(1);
            } else if (e.getKey() < header.next - 1) {
                assertThat(e.getValue().isFull()).as("chunk %d before the tail", e.getKey()).isTrue();
            }
        }
        assertThat(entries.keySet().stream().filter(k -> k < 0).count()).isEqualTo(header.segments);
        assertThat(ids(StoredCards.history(h, "c"))).as("history as a restore reads it after t%d", i)
                .isEqualTo(expectedIds(i + 1));
        return snapshot;
    }

    @ParameterizedTest(name = "rocksdb={0}")
    @ValueSource(booleans = {false, true})
    void aCardSeenOncePerCheckpointWritesOnlyItsNewEntry(boolean rocksdb) throws Exception {
        var h = harness(rocksdb);
        h.open();
        List<Integer> segmentsSeen = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            eventAndCheckpoint(h, i);
            CardStateHeader header = StoredCards.header(h, "c");
            segmentsSeen.add(header.segments);
            Map<Integer, HistoryChunk> entries = StoredCards.entries(h, "c");
            if (i + 1 == CardStateStore.MAX_TAIL_SEGMENTS + 1) {
                // The 17th entry: 16 segments already, so the tail is stored whole and they are dropped.
                assertThat(header.segments).isZero();
                assertThat(entries).containsOnlyKeys(0);
                assertThat(entries.get(0).size()).isEqualTo(CardStateStore.MAX_TAIL_SEGMENTS + 1);
            }
            if (i + 1 == HistoryChunk.CAPACITY) {
                // The tail is full: stored whole.
                assertThat(header.segments).isZero();
                assertThat(entries).containsOnlyKeys(0);
                assertThat(entries.get(0).isFull()).isTrue();
            }
            if (i == HistoryChunk.CAPACITY) {
                // The first entry of the next chunk: a segment of it, the full chunk untouched.
                assertThat(entries).containsOnlyKeys(-1, 0);
            }
        }
        assertThat(segmentsSeen.subList(0, CardStateStore.MAX_TAIL_SEGMENTS))
                .as("one segment per checkpoint while the tail fills").containsExactly(
                        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
        h.close();
    }

    @ParameterizedTest(name = "rocksdb={0}")
    @ValueSource(booleans = {false, true})
    void aRestoredJobContinuesTheSegmentsWhereTheSnapshotLeftOff(boolean rocksdb) throws Exception {
        var h = harness(rocksdb);
        h.open();
        OperatorSubtaskState snapshot = null;
        int restoreAt = HistoryChunk.CAPACITY + 9; // the second chunk's tail has 9 segments
        for (int i = 0; i < restoreAt; i++) {
            snapshot = eventAndCheckpoint(h, i);
        }
        assertThat(StoredCards.header(h, "c").segments).isEqualTo(9);
        h.close();

        var restored = harness(rocksdb);
        restored.initializeState(snapshot);
        restored.open();
        assertThat(ids(StoredCards.history(restored, "c"))).isEqualTo(expectedIds(restoreAt));
        for (int i = restoreAt; i < EVENTS; i++) {
            eventAndCheckpoint(restored, i);
        }
        assertThat(StoredCards.history(restored, "c").size()).isEqualTo(EVENTS);
        restored.close();
    }
}
