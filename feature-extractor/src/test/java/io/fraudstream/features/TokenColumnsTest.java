package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A history holds tokens, not any model's K/V: models with different weights (champion, shadow, a next champion)
 * score one history in turn with exactly the scores each gives on a history of its own, extraction changes nothing in
 * the history, and the token columns equal the encoder's tokens whichever way the history was built (appends, out of
 * order arrivals, a wrapped ring, a copy, chunks, the v1 state form).
 */
class TokenColumnsTest {
    private final RandomCases gen = new RandomCases(11);
    private final ExtractorConfig config = ExtractorConfig.defaults();
    private final FeatureExtractor champion = new FeatureExtractor(config, ExtractorWeights.bootstrap(config, 1));
    private final FeatureExtractor shadow = new FeatureExtractor(config, ExtractorWeights.bootstrap(config, 2));

    private static float[] extract(FeatureExtractor fx, CardHistory h, RawTransaction tx) {
        float[] out = new float[fx.featureCount()];
        fx.extract(h, tx, out, null);
        return out;
    }

    @Test
    void modelsTakingTurnsOnOneHistoryScoreAsOnTheirOwn() {
        RandomCases.Case c = gen.next(1100); // a full, wrapped 1024-window
        CardHistory both = RandomCases.historyOf(config, c.history());
        CardHistory championOnly = RandomCases.historyOf(config, c.history());
        CardHistory shadowOnly = RandomCases.historyOf(config, c.history());
        long t = c.query().eventTimeMillis();
        for (int i = 0; i < 20; i++) {
            RawTransaction tx = i == 7 ? gen.tx(both.eventTimeAt(500), true, 40, -74) // out of order: entries move
                    : gen.tx(t += 60_000, true, 40, -74);
            assertThat(extract(champion, both, tx)).containsExactly(extract(champion, championOnly, tx));
            assertThat(extract(shadow, both, tx)).containsExactly(extract(shadow, shadowOnly, tx));
            both.add(tx);
            championOnly.add(tx);
            shadowOnly.add(tx);
        }
    }

    @Test
    void extractionChangesNothingInTheHistory() throws java.io.IOException {
        RandomCases.Case c = gen.next(700);
        CardHistory h = RandomCases.historyOf(config, c.history());
        CardHistory before = h.copy();
        extract(champion, h, c.query());
        extract(shadow, h, c.query());
        assertThat(bytes(h)).isEqualTo(bytes(before));
        for (int col = 0; col < h.tok.length; col++) {
            assertThat(h.tok[col]).containsExactly(before.tok[col]);
        }
        assertThat(h.combo).containsExactly(before.combo);
    }

    @Test
    void tokenColumnsEqualTheEncodersTokensHoweverTheHistoryWasBuilt() throws java.io.IOException {
        ExtractorConfig small = ExtractorConfig.builder().window(200).build();
        java.util.List<RawTransaction> txs = new java.util.ArrayList<>(gen.next(450).history());
        txs.add(300, gen.tx(txs.get(250).eventTimeMillis() + 1, false, 0, 0)); // out of order, location unknown
        CardHistory live = new CardHistory(small.window());
        java.util.List<HistoryChunk> chunks = new java.util.ArrayList<>();
        for (RawTransaction tx : txs) {
            if (live.add(tx)) {
                if (chunks.isEmpty() || chunks.get(chunks.size() - 1).isFull()) {
                    chunks.add(new HistoryChunk());
                }
                chunks.get(chunks.size() - 1).append(live, live.indexOf(tx.transactionId(), tx.eventTimeMillis()));
            }
        }
        assertThat(live.head).isNotZero();
        assertTokens(live);
        assertTokens(live.copy());
        assertTokens(CardHistory.fromChunks(small.window(), live.head, chunks));
        assertTokens(CardHistory.readFrom(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes(live)))));
        assertTokens(live.lastEntries(50));
    }

    private static void assertTokens(CardHistory h) {
        float[] token = new float[TokenEncoder.WIDTH];
        for (int s = 0; s < h.size(); s++) {
            h.tokenAt(s, token, 0);
            for (int c = 0; c < TokenEncoder.DENSE.length; c++) {
                assertThat(Float.floatToRawIntBits(h.tok[c][s])).as("slot %d column %d", s, c)
                        .isEqualTo(Float.floatToRawIntBits(token[TokenEncoder.DENSE[c]]));
            }
            int g = h.combo[s];
            float[] sparse = new float[TokenEncoder.WIDTH];
            sparse[TokenEncoder.IDX_CATEGORY + TokenEncoder.comboCategory(g)] = 1f;
            sparse[TokenEncoder.IDX_CHANNEL + TokenEncoder.comboChannel(g)] = 1f;
            sparse[TokenEncoder.IDX_LOC_UNKNOWN] = TokenEncoder.comboLocUnknown(g) ? 1f : 0f;
            sparse[TokenEncoder.IDX_HOME_UNKNOWN] = TokenEncoder.comboHomeUnknown(g) ? 1f : 0f;
            for (int c = 0; c < TokenEncoder.WIDTH; c++) {
                if (java.util.Arrays.binarySearch(TokenEncoder.DENSE, c) < 0) {
                    assertThat(sparse[c]).as("slot %d position %d", s, c).isEqualTo(token[c]);
                }
            }
        }
    }

    private static byte[] bytes(CardHistory h) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        h.writeTo(new java.io.DataOutputStream(out));
        return out.toByteArray();
    }

    @Test
    void theComboTableHoldsEveryCombinationsSumInTheDefiningOrder() {
        java.util.Random r = new java.util.Random(5);
        float[] uh = new float[TokenEncoder.WIDTH];
        for (int c = 0; c < uh.length; c++) {
            uh[c] = (float) r.nextGaussian() * (c % 3 == 0 ? 1e-3f : 10f); // mixed magnitudes: order matters
        }
        float[] table = new float[TokenEncoder.COMBOS];
        FeatureExtractor.fillComboTable(uh, table);
        for (int g = 0; g < TokenEncoder.COMBOS; g++) {
            float v = uh[TokenEncoder.IDX_CATEGORY + TokenEncoder.comboCategory(g)]
                    + uh[TokenEncoder.IDX_CHANNEL + TokenEncoder.comboChannel(g)];
            if (TokenEncoder.comboLocUnknown(g)) {
                v += uh[TokenEncoder.IDX_LOC_UNKNOWN];
            }
            if (TokenEncoder.comboHomeUnknown(g)) {
                v += uh[TokenEncoder.IDX_HOME_UNKNOWN];
            }
            assertThat(Float.floatToIntBits(table[g])).as("combination %d", g).isEqualTo(Float.floatToIntBits(v));
        }
    }
}
