package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Packed transaction ids: exact round trips, string order kept, and histories that mix the three forms. */
class TxIdsTest {
    private static final Random RANDOM = new Random(14);

    /** A random id of one of the forms: canonical UUID, 32 hex digits, upper-case UUID, short text, near misses. */
    private static String randomId(Random r) {
        UUID u = new UUID(r.nextLong(), r.nextLong());
        String hex = u.toString().replace("-", "");
        return switch (r.nextInt(7)) {
            case 0, 1 -> u.toString();
            case 2 -> hex;
            case 3 -> u.toString().toUpperCase(Locale.ROOT);
            case 4 -> "tx-" + r.nextInt(1000);
            case 5 -> hex.substring(0, 31) + "g";       // 32 characters, not all hex
            default -> u.toString().substring(0, 35) + ":"; // 36 characters, not a UUID
        };
    }

    @Test
    void classifiesAndRoundTripsEveryForm() {
        String uuid = "00000000-0000-0000-8000-00000000000f";
        assertThat(TxIds.kind(uuid)).isEqualTo(TxIds.UUID_KIND);
        assertThat(TxIds.text(TxIds.hi(uuid, TxIds.UUID_KIND), TxIds.lo(uuid, TxIds.UUID_KIND), TxIds.UUID_KIND))
                .isEqualTo(uuid);
        String hex = "0b242abb623afc578575680df30655b9"; // a Sparkov trans_num
        assertThat(TxIds.kind(hex)).isEqualTo(TxIds.HEX32_KIND);
        assertThat(TxIds.text(TxIds.hi(hex, TxIds.HEX32_KIND), TxIds.lo(hex, TxIds.HEX32_KIND), TxIds.HEX32_KIND))
                .isEqualTo(hex);
        assertThat(TxIds.kind("0000000000000000000000000000000A")).isEqualTo(TxIds.TEXT_KIND); // upper case
        assertThat(TxIds.kind("3F2C9A1E-7B4D-4C2A-9E8F-0123456789AB")).isEqualTo(TxIds.TEXT_KIND);
        assertThat(TxIds.kind("")).isEqualTo(TxIds.TEXT_KIND);
        for (int i = 0; i < 10_000; i++) {
            String id = randomId(RANDOM);
            byte k = TxIds.kind(id);
            if (k != TxIds.TEXT_KIND) {
                assertThat(TxIds.text(TxIds.hi(id, k), TxIds.lo(id, k), k)).isEqualTo(id);
            }
        }
    }

    @Test
    void packedComparisonKeepsTheStringOrder() {
        for (int i = 0; i < 20_000; i++) {
            String a = randomId(RANDOM);
            String b = i % 10 == 0 ? a : randomId(RANDOM);
            byte ka = TxIds.kind(a);
            byte kb = TxIds.kind(b);
            boolean ta = ka == TxIds.TEXT_KIND;
            boolean tb = kb == TxIds.TEXT_KIND;
            int packed = TxIds.compare(ka, ta ? 0 : TxIds.hi(a, ka), ta ? 0 : TxIds.lo(a, ka), ta ? a : null,
                    kb, tb ? 0 : TxIds.hi(b, kb), tb ? 0 : TxIds.lo(b, kb), tb ? b : null);
            assertThat(packed).as("%s vs %s", a, b).isEqualTo(Integer.signum(a.compareTo(b)));
        }
    }

    @Test
    void historiesOfMixedIdFormsBehaveAsWithStrings() throws IOException {
        CardHistory h = new CardHistory(64);
        List<String> all = new ArrayList<>();
        List<String> expectedOrder = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String id = randomId(RANDOM);
            long t = 1000L * RANDOM.nextInt(40); // many equal times: ties are ordered by id
            all.add(id);
            h.add(RawTransaction.builder().transactionId(id).eventTimeMillis(t).amount(1 + i).merchantId("m")
                    .merchantCategory("c").channel(Channel.ONLINE).build());
            expectedOrder.add(t + "|" + id);
        }
        // Expected window: the 64 greatest (time, id) pairs in (time, id) order (times have equal widths here only
        // after padding, so sort on the pair, not the string).
        expectedOrder.sort((x, y) -> {
            long tx = Long.parseLong(x.substring(0, x.indexOf('|')));
            long ty = Long.parseLong(y.substring(0, y.indexOf('|')));
            int c = Long.compare(tx, ty);
            return c != 0 ? c : x.substring(x.indexOf('|') + 1).compareTo(y.substring(y.indexOf('|') + 1));
        });
        List<String> window = expectedOrder.subList(expectedOrder.size() - 64, expectedOrder.size());
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < h.size(); i++) {
            actual.add(h.eventTimeAt(i) + "|" + h.transactionIdAt(i));
            assertThat(h.containsTransactionId(h.transactionIdAt(i))).isTrue();
            assertThat(h.indexOf(h.transactionIdAt(i), h.eventTimeAt(i))).isLessThanOrEqualTo(i);
        }
        assertThat(actual).isEqualTo(window);
        for (String id : all) {
            boolean inWindow = window.stream().anyMatch(w -> w.endsWith("|" + id));
            assertThat(h.containsTransactionId(id)).as(id).isEqualTo(inWindow);
        }
        assertThat(h.containsTransactionId(UUID.randomUUID().toString())).isFalse();
        assertThat(h.containsTransactionId("0b242abb623afc578575680df30655b9")).isFalse();

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        h.writeTo(new DataOutputStream(bytes));
        CardHistory back = CardHistory.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        for (int i = 0; i < h.size(); i++) {
            assertThat(back.transactionIdAt(i)).isEqualTo(h.transactionIdAt(i));
        }
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        back.writeTo(new DataOutputStream(again));
        assertThat(again.toByteArray()).isEqualTo(bytes.toByteArray());
    }

    @Test
    void packedIdsHalveTheHeapEstimateOfAFullWindow() {
        CardHistory uuids = new CardHistory(1024);
        CardHistory texts = new CardHistory(1024);
        for (int i = 0; i < 1024; i++) {
            uuids.add(RawTransaction.builder().transactionId(UUID.randomUUID().toString()).eventTimeMillis(i)
                    .amount(1).build());
            texts.add(RawTransaction.builder().transactionId("tx-" + i).eventTimeMillis(i).amount(1).build());
        }
        assertThat(uuids.estimatedBytes() / 1024.0).isLessThan(100);
        assertThat(texts.estimatedBytes()).isGreaterThan(uuids.estimatedBytes() + 80L * 1024);
    }

    @Test
    void explanationsHoldAttendedIdsOfEveryFormAfterTheHistoryMovesOn() {
        ExtractorConfig config = ExtractorConfig.builder().window(16).build();
        FeatureExtractor fx = new FeatureExtractor(config, ExtractorWeights.bootstrap(config, 3));
        CardHistory h = new CardHistory(16);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String id = i % 3 == 0 ? UUID.randomUUID().toString()
                    : i % 3 == 1 ? UUID.randomUUID().toString().replace("-", "") : "tx-" + i;
            ids.add(id);
            h.add(RawTransaction.builder().transactionId(id).eventTimeMillis(60_000L * i).amount(5 + i).merchantId("m")
                    .merchantCategory("c").channel(Channel.ONLINE).build());
        }
        Explanation e = new Explanation(16);
        float[] out = new float[fx.featureCount()];
        fx.extract(h, RawTransaction.builder().transactionId("q").eventTimeMillis(60_000L * 17).amount(7)
                .merchantId("m").merchantCategory("c").channel(Channel.ONLINE).build(), out, e);
        assertThat(e.size()).isEqualTo(16);
        List<String> attended = new ArrayList<>();
        for (int i = 0; i < e.size(); i++) {
            attended.add(e.transactionIdAt(i));
            assertThat(ids.indexOf(e.transactionIdAt(i))).isEqualTo((int) (e.eventTimeAt(i) / 60_000L));
        }
        for (int i = 0; i < 16; i++) { // the window moves on: every attended entry is evicted
            h.add(RawTransaction.builder().transactionId(UUID.randomUUID().toString()).eventTimeMillis(60_000L * (20 + i))
                    .amount(1).build());
        }
        for (int i = 0; i < e.size(); i++) {
            assertThat(e.transactionIdAt(i)).isEqualTo(attended.get(i));
        }
        assertThat(attended).containsExactlyInAnyOrderElementsOf(ids);
    }
}
