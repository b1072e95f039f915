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

class CardHistoryTest {
    private static RawTransaction tx(String id, long t) {
        return RawTransaction.builder().transactionId(id).eventTimeMillis(t).amount(10).merchantId("m")
                .merchantCategory("c").channel(Channel.ONLINE).build();
    }

    private static List<String> ids(CardHistory h) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < h.size(); i++) {
            out.add(h.transactionIdAt(i));
        }
        return out;
    }

    @Test
    void keepsTheMostRecentWindowAndEvictsTheOldest() {
        CardHistory h = new CardHistory(5);
        for (int i = 0; i < 12; i++) {
            assertThat(h.add(tx("t" + i, 1000L * i))).isTrue();
            assertThat(h.size()).isEqualTo(Math.min(i + 1, 5));
        }
        assertThat(ids(h)).containsExactly("t7", "t8", "t9", "t10", "t11");
    }

    @Test
    void findsStoredIdsAcrossEvictionOutOfOrderInsertsAndARestore() throws IOException {
        CardHistory h = new CardHistory(8);
        for (int i = 0; i < 20; i++) {
            h.add(tx("t" + i, 1000L * i));
        }
        h.add(tx("late", 15_500)); // out of order, evicts t12
        assertThat(h.containsTransactionId("t19")).isTrue();
        assertThat(h.containsTransactionId("late")).isTrue();
        assertThat(h.containsTransactionId("t12")).isFalse();
        assertThat(h.containsTransactionId("t3")).isFalse();
        // "Aa" and "BB" share a hash code: a hash match alone must not count.
        CardHistory collide = new CardHistory(4);
        collide.add(tx("Aa", 1));
        assertThat(collide.containsTransactionId("BB")).isFalse();
        assertThat(collide.containsTransactionId("Aa")).isTrue();

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        h.writeTo(new DataOutputStream(bytes));
        CardHistory restored = CardHistory.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        for (int i = 0; i < restored.size(); i++) {
            assertThat(restored.containsTransactionId(h.transactionIdAt(i))).isTrue();
        }
        assertThat(restored.containsTransactionId("t12")).isFalse();
    }

    @Test
    void insertsOutOfOrderArrivalsAtTheirTimePosition() {
        CardHistory h = new CardHistory(100);
        long[] times = {50, 10, 40, 20, 30, 60, 5};
        for (long t : times) {
            h.add(tx("t" + t, t));
        }
        assertThat(ids(h)).containsExactly("t5", "t10", "t20", "t30", "t40", "t50", "t60");
        for (int i = 1; i < h.size(); i++) {
            assertThat(h.eventTimeAt(i)).isGreaterThanOrEqualTo(h.eventTimeAt(i - 1));
        }
    }

    @Test
    void outOfOrderInsertIntoAFullRotatedWindow() {
        CardHistory h = new CardHistory(4);
        for (int i = 0; i < 7; i++) {
            h.add(tx("t" + i * 10, i * 10L)); // window rotates: t30..t60
        }
        h.add(tx("t45", 45));
        assertThat(ids(h)).containsExactly("t40", "t45", "t50", "t60");
        // older than everything in a full window: not stored
        assertThat(h.add(tx("t1", 1))).isFalse();
        assertThat(ids(h)).containsExactly("t40", "t45", "t50", "t60");
    }

    @Test
    void equalTimestampsAreOrderedByIdThenArrival() {
        CardHistory h = new CardHistory(10);
        h.add(tx("b", 100));
        h.add(tx("c", 100));
        h.add(tx("a", 100));
        h.add(RawTransaction.builder().transactionId("a").eventTimeMillis(100).amount(99).build()); // duplicate
        assertThat(ids(h)).containsExactly("a", "a", "b", "c");
        assertThat(h.amountAt(0)).isEqualTo(10.0);
        assertThat(h.amountAt(1)).isEqualTo(99.0);
    }

    @Test
    void roundTripsThroughTheStateFormAndScoresIdentically() throws IOException {
        ExtractorConfig config = ExtractorConfig.builder().window(300).build();
        RandomCases gen = new RandomCases(3);
        RandomCases.Case c = gen.next(700); // more than the window: rotated ring
        CardHistory h = RandomCases.historyOf(config, c.history());
        FeatureExtractor fx = new FeatureExtractor(config, ExtractorWeights.bootstrap(config, 1));
        float[] before = new float[fx.featureCount()];
        fx.extract(h, c.query(), before, null); // fills the cache, which is not persisted

        byte[] bytes = serialize(h);
        assertThat(bytes[0]).isEqualTo(CardHistory.FORMAT_VERSION);
        CardHistory back = CardHistory.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
        assertThat(back.size()).isEqualTo(300);
        assertThat(back.window()).isEqualTo(300);
        assertThat(ids(back)).isEqualTo(ids(h));
        assertThat(serialize(back)).isEqualTo(bytes);
        float[] after = new float[fx.featureCount()];
        fx.extract(back, c.query(), after, null);
        assertThat(after).containsExactly(before);
        // compact: a few dozen bytes per transaction (ids here are ~12 chars)
        assertThat(bytes.length / 300.0).isLessThan(50);
    }

    @Test
    void uuidIdsAreStoredAsSixteenBytesAndOthersVerbatim() throws IOException {
        CardHistory h = new CardHistory(10);
        String uuid = "3f2c9a1e-7b4d-4c2a-9e8f-0123456789ab";
        String[] ids = {uuid, uuid.toUpperCase(java.util.Locale.ROOT), "not-a-uuid", "3f2c9a1e-7b4d-4c2a-9e8f-0123456789a"};
        for (int i = 0; i < ids.length; i++) {
            h.add(tx(ids[i], 100L * i));
        }
        byte[] bytes = serialize(h);
        CardHistory back = CardHistory.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
        assertThat(ids(back)).containsExactly(ids);
        CardHistory one = new CardHistory(10);
        one.add(tx(uuid, 0));
        CardHistory other = new CardHistory(10);
        other.add(tx(uuid.toUpperCase(java.util.Locale.ROOT), 0));
        assertThat(serialize(other).length - serialize(one).length).isEqualTo(38 - 16);
    }

    @Test
    void emptyHistoryRoundTrips() throws IOException {
        CardHistory back = CardHistory.readFrom(new DataInputStream(new ByteArrayInputStream(
                serialize(new CardHistory(7)))));
        assertThat(back.size()).isZero();
        assertThat(back.window()).isEqualTo(7);
    }

    @Test
    void rejectsUnknownFormatVersions() {
        byte[] bytes = {9, 1, 0};
        assertThatThrownBy(() -> CardHistory.readFrom(new DataInputStream(new ByteArrayInputStream(bytes))))
                .isInstanceOf(IOException.class).hasMessageContaining("format version 9");
    }

    @Test
    void rejectsInvalidWindows() {
        assertThatThrownBy(() -> new CardHistory(0)).hasMessageContaining("extractor.window");
        assertThatThrownBy(() -> new CardHistory(16385)).hasMessageContaining("extractor.window");
    }

    static byte[] serialize(CardHistory h) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        h.writeTo(new DataOutputStream(bos));
        return bos.toByteArray();
    }
}
