package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The append-only chunked form: a history rebuilt from its chunks (arrival order, out-of-order arrivals included,
 * evicted entries still stored) scores bit-identically to the live one with the compact extractor, without
 * recomputing any K/V of the model that wrote them.
 */
class HistoryChunkTest {
    private final RandomCases gen = new RandomCases(17);
    private final ExtractorConfig config = ExtractorConfig.builder().window(200).build();
    private final FeatureExtractor fx = FeatureExtractor.compactKv(config, ExtractorWeights.bootstrap(config, 1));
    private final FeatureExtractor other = FeatureExtractor.compactKv(config, ExtractorWeights.bootstrap(config, 2));

    private static float[] extract(FeatureExtractor f, CardHistory h, RawTransaction tx) {
        float[] out = new float[f.featureCount()];
        f.extract(h, tx, out, null);
        return out;
    }

    /** Scores and appends like the job does; returns the chunks in arrival order. */
    private List<HistoryChunk> feed(CardHistory live, List<RawTransaction> txs, FeatureExtractor scorer) {
        List<HistoryChunk> chunks = new ArrayList<>();
        for (RawTransaction tx : txs) {
            extract(scorer, live, tx);
            if (!live.add(tx)) {
                continue;
            }
            scorer.refreshCache(live);
            if (chunks.isEmpty() || chunks.get(chunks.size() - 1).isFull()) {
                chunks.add(new HistoryChunk());
            }
            chunks.get(chunks.size() - 1).append(live, live.indexOf(tx.transactionId(), tx.eventTimeMillis()),
                    scorer.kvTag());
        }
        return chunks;
    }

    private static HistoryChunk roundTrip(HistoryChunk c) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        c.writeTo(new DataOutputStream(bytes));
        return HistoryChunk.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }

    @Test
    void aHistoryRebuiltFromItsChunksScoresBitIdenticallyWithoutRecomputingKv() throws IOException {
        List<RawTransaction> txs = new ArrayList<>(gen.next(450).history());
        // Out-of-order arrivals: one inside the window, one older than the whole full window (not stored).
        txs.add(300, gen.tx(txs.get(250).eventTimeMillis() + 1, true, 40, -74));
        txs.add(gen.tx(txs.get(5).eventTimeMillis(), false, 0, 0));
        CardHistory live = new CardHistory(config.window());
        List<HistoryChunk> chunks = feed(live, txs, fx);
        List<HistoryChunk> read = new ArrayList<>();
        for (HistoryChunk c : chunks) {
            HistoryChunk back = roundTrip(c);
            assertThat(back).isEqualTo(c);
            read.add(back);
        }
        CardHistory rebuilt = CardHistory.fromChunks(config.window(), live.head, read);
        assertThat(rebuilt.size()).isEqualTo(live.size());
        for (int i = 0; i < live.size(); i++) {
            assertThat(rebuilt.transactionIdAt(i)).isEqualTo(live.transactionIdAt(i));
        }
        assertThat(rebuilt.head).isEqualTo(live.head).isNotZero();
        assertThat(fx.hasCache(rebuilt)).isTrue();
        RawTransaction next = gen.tx(txs.get(txs.size() - 2).eventTimeMillis() + 60_000, true, 40, -74);
        float[] expected = extract(fx, live, next);
        assertThat(extract(fx, rebuilt, next)).containsExactly(expected);
        assertThat(rebuilt.cacheResets()).isZero();
    }

    @Test
    void chunksWithAnotherTagAreRestampedOrLeftForTheReaderToRecompute() throws IOException {
        List<RawTransaction> txs = gen.next(100).history();
        CardHistory live = new CardHistory(config.window());
        List<HistoryChunk> chunks = feed(live, txs.subList(0, 60), fx);
        // The next model scores from here on: the tail chunk is restamped with its K/V when it appends.
        List<RawTransaction> rest = txs.subList(60, 100);
        for (RawTransaction tx : rest) {
            extract(other, live, tx);
            live.add(tx);
            other.refreshCache(live);
            if (chunks.get(chunks.size() - 1).isFull()) {
                chunks.add(new HistoryChunk());
            }
            chunks.get(chunks.size() - 1).append(live, live.indexOf(tx.transactionId(), tx.eventTimeMillis()),
                    other.kvTag());
        }
        assertThat(chunks).extracting(HistoryChunk::kvTag)
                .containsExactly(fx.kvTag(), other.kvTag(), other.kvTag(), other.kvTag());
        assertThat(chunks.get(0).restamp(live, other.kvTag())).isTrue();
        CardHistory rebuilt = CardHistory.fromChunks(config.window(), live.head, chunks);
        RawTransaction next = gen.tx(txs.get(99).eventTimeMillis() + 1000, true, 40, -74);
        assertThat(extract(other, rebuilt, next)).containsExactly(extract(other, live, next));
        assertThat(rebuilt.cacheResets()).isZero();
        // Without stored K/V (the v1 migration) the reader computes them, with the same result.
        List<HistoryChunk> bare = new ArrayList<>();
        for (HistoryChunk c : chunks) {
            HistoryChunk b = c.copy();
            b.dropKv();
            bare.add(roundTrip(b));
        }
        CardHistory recomputed = CardHistory.fromChunks(config.window(), live.head, bare);
        assertThat(extract(other, recomputed, next)).containsExactly(extract(other, live, next));
        assertThat(recomputed.cacheResets()).isEqualTo(1);
    }
}
