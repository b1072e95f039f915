package io.fraudstream.job.scoring;

import org.apache.flink.types.Either;
import io.fraudstream.avro.RuleSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.features.CardHistory;
import io.fraudstream.features.HistoryChunk;
import io.fraudstream.job.validation.TransactionEvent;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The chunked card state through the real operator: v1 state written by the previous release restores into it,
 * an event writes only the tail chunk and the header, old chunks are dropped, and a restore scores bit-identically.
 */
class CardStateStoreTest {
    /**
     * Scores of earlier releases' kernels (explicit K/V: full precision in v1, half-precision values in the chunked
     * release) against token attention: float rounding and half-precision values (measured: docs/STATE.md).
     */
    static final double QUANTIZATION_TOLERANCE = 1e-3;

    private KeyedBroadcastOperatorTestHarness<String, TransactionEvent, Either<ModelDescriptor, RuleSet>, FraudScore> harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private static Path resource(String name) throws Exception {
        URL url = CardStateStoreTest.class.getClassLoader().getResource(name);
        assertThat(url).as(name).isNotNull();
        return Path.of(url.toURI());
    }

    private List<FraudScore> process(List<TransactionEvent> txs) throws Exception {
        int before = harness.extractOutputValues().size();
        for (TransactionEvent tx : txs) {
            harness.processElement(new StreamRecord<>(tx));
        }
        List<FraudScore> all = harness.extractOutputValues();
        return all.subList(before, all.size());
    }

    @Test
    void v1StateOfThePreviousReleaseIsMigratedOnEachCardsFirstEventAndScoresAsBefore() throws Exception {
        OperatorSubtaskState v1 = OperatorSnapshotUtil.readStateHandle(
                resource(V1StateFixture.SNAPSHOT).toString());
        Map<String, Double> expected = expectedScores(V1StateFixture.NEXT_SCORES);
        harness = V1StateFixture.harness();
        harness.initializeState(v1);
        harness.open();
        for (String card : List.of("c-full", "c-small", "c-uuid")) {
            assertThat(StoredCards.legacy(harness, card)).as(card).isNotNull();
            assertThat(StoredCards.header(harness, card)).isNull();
        }
        CardHistory v1Full = StoredCards.legacy(harness, "c-full");
        List<String> fullBefore = new ArrayList<>();
        for (int i = 0; i < v1Full.size(); i++) {
            fullBefore.add(v1Full.transactionIdAt(i));
        }

        List<FraudScore> scores = process(V1StateFixture.after());

        assertThat(scores).extracting(FraudScore::getTransactionId).containsExactlyElementsOf(expected.keySet());
        for (FraudScore s : scores) {
            assertThat(s.getScore()).as(s.getTransactionId())
                    .isCloseTo(expected.get(s.getTransactionId()), within(QUANTIZATION_TOLERANCE));
        }
        for (String card : List.of("c-full", "c-small", "c-uuid")) {
            assertThat(StoredCards.legacy(harness, card)).as(card).isNull();
            assertThat(StoredCards.header(harness, card)).isNotNull();
        }
        // The 64-entry window, out-of-order entry included, now as chunks: the oldest left the window.
        CardHistory full = StoredCards.history(harness, "c-full");
        assertThat(full.size()).isEqualTo(V1StateFixture.WINDOW);
        for (int i = 0; i < V1StateFixture.WINDOW - 1; i++) {
            assertThat(full.transactionIdAt(i)).isEqualTo(fullBefore.get(i + 1));
        }
        assertThat(full.transactionIdAt(V1StateFixture.WINDOW - 1)).isEqualTo("t100");
        assertThat(StoredCards.history(harness, "c-uuid").transactionIdAt(10))
                .isEqualTo(V1StateFixture.after().get(2).transactionId);
    }

    @Test
    void anEventWritesOnlyTheTailChunkAndWholeChunksLeaveWithTheWindow() throws Exception {
        harness = V1StateFixture.harness();
        harness.open();
        List<TransactionEvent> txs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            txs.add(CardScoringFunctionTest.tx("t" + i, "c", V1StateFixture.T0 + i * 60_000L, 5 + i % 50));
        }
        process(txs.subList(0, 250));
        List<HistoryChunk> before = StoredCards.chunks(harness, "c");
        CardStateHeader headerBefore = StoredCards.header(harness, "c");
        process(txs.subList(250, 251));
        List<HistoryChunk> after = StoredCards.chunks(harness, "c");
        CardStateHeader header = StoredCards.header(harness, "c");
        // 251 entries, window 64: the chunks hold the window plus less than one chunk's worth of evicted entries.
        assertThat(header.stored).isLessThan(V1StateFixture.WINDOW + 2 * HistoryChunk.CAPACITY)
                .isGreaterThanOrEqualTo(V1StateFixture.WINDOW);
        assertThat(header.first).isPositive();
        // Every chunk but the tail is unchanged by the event; the tail gained exactly the new entry.
        int tail = header.next - 1;
        for (int i = header.first; i < tail; i++) {
            assertThat(after.get(i - header.first)).isEqualTo(before.get(i - headerBefore.first));
        }
        HistoryChunk t = after.get(after.size() - 1);
        assertThat(t.transactionIdAt(t.size() - 1)).isEqualTo("t250");
        assertThat(header.tags).containsOnlyNulls(); // no chunk carries K/V
    }

    @Test
    void chunkedStateOfThePreviousReleaseWithKvRestoresScoresAsBeforeAndLosesItsKvOnTheNextEvents() throws Exception {
        OperatorSubtaskState v2 = OperatorSnapshotUtil.readStateHandle(resource(V2StateFixture.SNAPSHOT).toString());
        Map<String, Double> expected = expectedScores(V2StateFixture.NEXT_SCORES);
        harness = V1StateFixture.harness();
        harness.initializeState(v2);
        harness.open();
        for (String card : List.of("c-full", "c-small", "c-uuid")) {
            assertThat(StoredCards.header(harness, card).tags).as(card).isNotEmpty().doesNotContainNull();
        }

        List<FraudScore> scores = process(V1StateFixture.after());

        assertThat(scores).extracting(FraudScore::getTransactionId).containsExactlyElementsOf(expected.keySet());
        for (FraudScore s : scores) {
            assertThat(s.getScore()).as(s.getTransactionId())
                    .isCloseTo(expected.get(s.getTransactionId()), within(QUANTIZATION_TOLERANCE));
        }
        for (String card : List.of("c-full", "c-small", "c-uuid")) {
            assertThat(StoredCards.header(harness, card).tags).as(card).containsOnlyNulls();
        }
        assertThat(StoredCards.history(harness, "c-full").transactionIdAt(V1StateFixture.WINDOW - 1))
                .isEqualTo("t100");
        // The same entries (plus one per card) without K/V: well under half the bytes.
        long after = harness.snapshot(2, 2).getStateSize();
        assertThat(after).isLessThan(v2.getStateSize() / 2);
    }

    @Test
    void aRestoredCardScoresBitIdenticallyToOneThatWasNeverRestored() throws Exception {
        List<TransactionEvent> txs = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            // every 10th arrives out of order, hours late
            long time = V1StateFixture.T0 + i * 600_000L - (i % 10 == 9 ? 3 * 3_600_000L : 0);
            txs.add(CardScoringFunctionTest.tx("t" + i, "c" + (i % 2), time, 3 + (i * 53) % 400));
        }
        harness = V1StateFixture.harness();
        harness.open();
        process(txs.subList(0, 120));
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        List<FraudScore> straight = process(txs.subList(120, 150));
        harness.close();

        harness = V1StateFixture.harness();
        harness.initializeState(snapshot);
        harness.open();
        List<FraudScore> restored = process(txs.subList(120, 150));
        assertThat(restored).extracting(FraudScore::getScore)
                .containsExactlyElementsOf(straight.stream().map(FraudScore::getScore).toList());
    }

    /** A committed release's score of one more transaction per card: lines of "card score". */
    private static Map<String, Double> expectedScores(String resourceName) throws Exception {
        Map<String, Double> expected = new LinkedHashMap<>();
        for (String line : Files.readAllLines(resource(resourceName), StandardCharsets.UTF_8)) {
            String[] parts = line.split(" ");
            expected.put(parts[0], Double.parseDouble(parts[1]));
        }
        return expected;
    }
}
