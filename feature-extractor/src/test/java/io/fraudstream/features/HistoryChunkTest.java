package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
 * evicted entries still stored) scores bit-identically to the live one, for any model; chunks of the previous form
 * (with one model's K/V) are read with the K/V skipped and written back without them.
 */
class HistoryChunkTest {
    private final RandomCases gen = new RandomCases(17);
    private final ExtractorConfig config = ExtractorConfig.builder().window(200).build();
    private final FeatureExtractor fx = new FeatureExtractor(config, ExtractorWeights.bootstrap(config, 1));
    private final FeatureExtractor other = new FeatureExtractor(config, ExtractorWeights.bootstrap(config, 2));

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
            if (chunks.isEmpty() || chunks.get(chunks.size() - 1).isFull()) {
                chunks.add(new HistoryChunk());
            }
            chunks.get(chunks.size() - 1).append(live, live.indexOf(tx.transactionId(), tx.eventTimeMillis()));
        }
        return chunks;
    }

    private static HistoryChunk roundTrip(HistoryChunk c) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        c.writeTo(new DataOutputStream(bytes));
        return HistoryChunk.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }

    @Test
    void aHistoryRebuiltFromItsChunksScoresBitIdenticallyForEveryModel() throws IOException {
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
        RawTransaction next = gen.tx(txs.get(txs.size() - 2).eventTimeMillis() + 60_000, true, 40, -74);
        float[] expected = extract(fx, live, next);
        assertThat(extract(fx, rebuilt, next)).containsExactly(expected);
        assertThat(extract(other, rebuilt, next)).containsExactly(extract(other, live, next));
    }

    @Test
    void chunksOfThePreviousFormWithKvAreReadWithTheirKvSkippedAndWrittenBackWithout() throws IOException {
        List<RawTransaction> txs = gen.next(100).history();
        CardHistory live = new CardHistory(config.window());
        List<HistoryChunk> chunks = feed(live, txs, fx);
        List<HistoryChunk> legacy = new ArrayList<>();
        for (HistoryChunk c : chunks) {
            HistoryChunk back = HistoryChunk.readFrom(in(withKv(c, "bootstrap-1~fp16", 32)));
            assertThat(back.carriesLegacyKv()).isTrue();
            assertThat(back).isEqualTo(c);
            HistoryChunk rewritten = roundTrip(back);
            assertThat(rewritten.carriesLegacyKv()).isFalse();
            assertThat(bytes(rewritten)).isEqualTo(bytes(c));
            legacy.add(back);
        }
        CardHistory rebuilt = CardHistory.fromChunks(config.window(), live.head, legacy);
        RawTransaction next = gen.tx(txs.get(99).eventTimeMillis() + 1000, true, 40, -74);
        assertThat(extract(other, rebuilt, next)).containsExactly(extract(other, live, next));
    }

    @Test
    void aChunkStoresAbout45BytesPerEntry() throws IOException {
        CardHistory live = new CardHistory(config.window());
        List<HistoryChunk> chunks = feed(live, gen.next(64).history(), fx);
        assertThat(chunks.get(0).isFull()).isTrue();
        // UUID ids, known locations and home distance: 8 + 4 + 1 + 8 + 4 + 4 + 4 + 16 = 49 bytes per entry
        assertThat(bytes(chunks.get(0)).length).isLessThanOrEqualTo(3 + HistoryChunk.CAPACITY * 49);
    }

    @Test
    void aChunkSplitIntoSegmentsAndJoinedAgainIsTheSameChunkByteForByte() throws IOException {
        CardHistory live = new CardHistory(config.window());
        HistoryChunk whole = feed(live, gen.next(HistoryChunk.CAPACITY).history(), fx).get(0);
        assertThat(whole.isFull()).isTrue();
        assertThat(whole.slice(5, 5).size()).isZero();
        // As a tail grows: a first segment, then one per write, each the entries since the last.
        int[] cuts = {0, 1, 2, 7, 19, 31, HistoryChunk.CAPACITY};
        HistoryChunk joined = new HistoryChunk();
        for (int k = 1; k < cuts.length; k++) {
            HistoryChunk segment = roundTrip(whole.slice(cuts[k - 1], cuts[k]));
            assertThat(segment.size()).isEqualTo(cuts[k] - cuts[k - 1]);
            assertThat(segment.transactionIdAt(0)).isEqualTo(whole.transactionIdAt(cuts[k - 1]));
            joined.appendAll(segment);
        }
        assertThat(joined).isEqualTo(whole);
        assertThat(bytes(joined)).isEqualTo(bytes(whole));
        assertThatThrownBy(() -> joined.appendAll(whole.slice(31, 32))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> whole.slice(3, 33)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> whole.slice(4, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] bytes(HistoryChunk c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.writeTo(new DataOutputStream(out));
        return out.toByteArray();
    }

    private static DataInputStream in(byte[] b) {
        return new DataInputStream(new ByteArrayInputStream(b));
    }

    /**
     * The form the previous release wrote for a chunk with K/V: the same fields with a K/V tag, d, and after each
     * entry d float keys and d half values (here arbitrary numbers).
     */
    private static byte[] withKv(HistoryChunk c, String tag, int d) throws IOException {
        DataInputStream plain = in(bytes(c));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(out);
        o.writeByte(plain.readByte());
        int n = plain.readUnsignedByte();
        o.writeByte(n);
        assertThat(plain.readUTF()).isEmpty();
        o.writeUTF(tag);
        o.writeByte(d);
        for (int j = 0; j < n; j++) {
            o.writeLong(plain.readLong());
            o.writeFloat(plain.readFloat());
            int flags = plain.readUnsignedByte();
            o.writeByte(flags);
            if ((flags & 8) != 0) {
                o.writeFloat(plain.readFloat());
                o.writeFloat(plain.readFloat());
            }
            if ((flags & 16) != 0) {
                o.writeFloat(plain.readFloat());
            }
            o.writeInt(plain.readInt());
            o.writeInt(plain.readInt());
            if ((flags & 32) != 0) {
                o.writeLong(plain.readLong());
                o.writeLong(plain.readLong());
            } else {
                o.writeUTF(plain.readUTF());
            }
            for (int r = 0; r < d; r++) {
                o.writeFloat(j * 0.5f + r);
            }
            for (int r = 0; r < d; r++) {
                o.writeShort(j + r);
            }
        }
        return out.toByteArray();
    }

    @Test
    void aChunkEntryIsFoundInTheHistoryByItsPackedIdAsByItsString() {
        // Ids of all three kinds (UUID, 32 hex digits, text), some entries sharing an event time, 450 entries into a
        // window of 200: the early chunks' entries have left the window (-1), the later ones are in it.
        List<RawTransaction> txs = new ArrayList<>();
        int n = 0;
        for (RawTransaction t : gen.next(450).history()) {
            String id = switch (n % 3) {
                case 0 -> java.util.UUID.nameUUIDFromBytes(new byte[] {(byte) n, (byte) (n >> 8)}).toString();
                case 1 -> String.format("%032x", 0xABCDEFL * n + 7);
                default -> t.transactionId();
            };
            long time = n % 7 == 3 ? txs.get(txs.size() - 1).eventTimeMillis() : t.eventTimeMillis();
            txs.add(RawTransaction.builder().transactionId(id).eventTimeMillis(time).amount(t.amount())
                    .merchantId(t.merchantId()).merchantCategory(t.merchantCategory()).channel(t.channel())
                    .merchantLocation(t.merchantLat(), t.merchantLon()).homeLocation(t.homeLat(), t.homeLon())
                    .build());
            n++;
        }
        CardHistory live = new CardHistory(config.window());
        List<HistoryChunk> chunks = feed(live, txs, fx);
        int found = 0;
        int kinds = 0;
        for (HistoryChunk c : chunks) {
            for (int j = 0; j < c.size(); j++) {
                int byString = live.indexOf(c.transactionIdAt(j), c.eventTimeAt(j));
                assertThat(c.indexIn(live, j)).as("entry %d of a chunk", j).isEqualTo(byString);
                if (byString >= 0) {
                    assertThat(live.transactionIdAt(byString)).isEqualTo(c.transactionIdAt(j));
                    found++;
                }
                kinds |= 1 << TxIds.kind(c.transactionIdAt(j));
            }
        }
        assertThat(found).as("every entry of the window is in a chunk").isEqualTo(live.size()).isEqualTo(200);
        assertThat(kinds).as("all three id kinds").isEqualTo(0b111);
    }
}
