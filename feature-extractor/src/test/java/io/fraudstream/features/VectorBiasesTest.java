package io.fraudstream.features;

import static io.fraudstream.features.VectorKernelChecks.assumeVectorHardware;
import static io.fraudstream.features.VectorKernelChecks.bits;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API biases ({@link VectorBiases}) and the scores that use them against the scalar ones of
 * {@link FeatureExtractor#computeBiases} and {@link FeatureExtractor#scoreHead}: logT, logS and scores bit for bit, on every length class of the vector loop (n < lanes, n not a multiple of the lanes,
 * full and rotated rings) and on the edges of the arithmetic (dt = 0, huge dt, unknown locations, the
 * antimeridian); and whole feature vectors, vector on vs off, on such histories.
 */
class VectorBiasesTest {
    private static final int[] LENGTHS = {1, 2, 7, 15, 16, 17, 31, 32, 33, 63, 100, 255, 500, 1023, 1024};

    @Test
    void randomHistoriesOfEveryLength() {
        assumeVectorHardware();
        RandomCases gen = new RandomCases(31);
        ExtractorConfig config = ExtractorConfig.defaults();
        for (int rep = 0; rep < 6; rep++) {
            for (int n : LENGTHS) {
                RandomCases.Case c = gen.next(n);
                CardHistory h = RandomCases.historyOf(config, c.history());
                assertSameBiases(config, h, c.query());
                assertSameBiases(config, h, unknownLocation(c.query()));
            }
        }
    }

    /** A full window of 1024 that has rotated: the ring's head is not 0. */
    @Test
    void fullRotatedRing() {
        assumeVectorHardware();
        ExtractorConfig config = ExtractorConfig.builder().window(1024).build();
        RandomCases gen = new RandomCases(32);
        for (int rep = 0; rep < 4; rep++) {
            RandomCases.Case c = gen.next(1024 + 1 + 300 * rep);
            List<RawTransaction> stream = new ArrayList<>(c.history());
            stream.sort(ReferenceExtractor.ORDER);
            CardHistory h = RandomCases.historyOf(config, stream);
            assertThat(h.size).isEqualTo(1024);
            assertThat(h.head).isNotZero();
            assertSameBiases(config, h, c.query());
            assertSameFeatures(config, h, c.query());
        }
    }

    /**
     * dt = 0 and time distances up to 2^62 ms with every low bit set: the long-to-float conversion rounds (ties
     * to even included), and the log1p sees its largest inputs.
     */
    @Test
    void zeroAndHugeTimeDistances() {
        assumeVectorHardware();
        ExtractorConfig config = ExtractorConfig.defaults();
        SplittableRandom r = new SplittableRandom(33);
        long tq = 1L << 62;
        for (int n : LENGTHS) {
            CardHistory h = CardHistory.create(config);
            for (int j = 0; j < n; j++) {
                long t = switch (j % 5) {
                    case 0 -> tq;
                    case 1 -> tq - (r.nextLong() >>> 2);
                    case 2 -> tq + (r.nextLong() >>> (2 + r.nextInt(40)));
                    case 3 -> tq - ((1L << (25 + r.nextInt(30))) + 1 + 2 * r.nextInt(4)); // near a tie
                    default -> tq - r.nextInt(3_600_000);
                };
                h.add(tx(r, "h" + j, t, r.nextDouble(-90, 90), r.nextDouble(-180, 180)));
            }
            assertSameBiases(config, h, tx(r, "q", tq, 10, 20));
            assertSameFeatures(config, h, tx(r, "q", tq, 10, 20));
        }
    }

    /** Longitudes on both sides of +-180 and exactly there: dLon near 360 wraps to near 0. */
    @Test
    void theAntimeridian() {
        assumeVectorHardware();
        ExtractorConfig config = ExtractorConfig.defaults();
        SplittableRandom r = new SplittableRandom(34);
        double[] edges = {180, -180, 179.999, -179.999, 0, 90, -90};
        for (int n : LENGTHS) {
            CardHistory h = CardHistory.create(config);
            for (int j = 0; j < n; j++) {
                double lon = j % 3 == 0 ? edges[r.nextInt(edges.length)]
                        : r.nextBoolean() ? 180 - r.nextDouble(2) : -180 + r.nextDouble(2);
                double lat = j % 7 == 0 ? Double.NaN : r.nextDouble(-89, 89); // some unknown
                h.add(tx(r, "h" + j, RandomCases.BASE + r.nextLong(1_000_000_000L), lat, j % 7 == 0 ? Double.NaN
                        : lon));
            }
            for (double qLon : new double[] {180, -180, 179.9, -179.9}) {
                RawTransaction q = tx(r, "q", RandomCases.BASE + 2_000_000_000L, r.nextDouble(-60, 60), qLon);
                assertSameBiases(config, h, q);
                assertSameFeatures(config, h, q);
            }
        }
    }

    private static RawTransaction tx(SplittableRandom r, String id, long time, double lat, double lon) {
        return RawTransaction.builder().transactionId(id).eventTimeMillis(time).amount(1 + r.nextInt(500))
                .merchantId("m" + r.nextInt(20)).merchantCategory("grocery_pos").channel(Channel.CARD_PRESENT)
                .merchantLocation(RandomCases.f(lat), RandomCases.f(lon)).homeLocation(Double.NaN, Double.NaN)
                .build();
    }

    private static RawTransaction unknownLocation(RawTransaction q) {
        return RawTransaction.builder().transactionId(q.transactionId()).eventTimeMillis(q.eventTimeMillis())
                .amount(q.amount()).merchantId(q.merchantId()).merchantCategory(q.merchantCategory())
                .channel(q.channel()).merchantLocation(Double.NaN, Double.NaN)
                .homeLocation(q.homeLat(), q.homeLon()).build();
    }

    /**
     * logT, logS where the query's location is known, and every head's scores, bit for bit over the live slots; with
     * bootstrap and with random weights.
     */
    private static void assertSameBiases(ExtractorConfig config, CardHistory h, RawTransaction query) {
        assertSameBiases(config, ExtractorWeights.bootstrap(config, 1), h, query);
        assertSameBiases(config, FeatureExtractorReferenceTest.randomWeights(config, h.size), h, query);
    }

    private static void assertSameBiases(ExtractorConfig config, ExtractorWeights w, CardHistory h,
            RawTransaction query) {
        FeatureExtractor vector = new FeatureExtractor(config, w, true);
        FeatureExtractor scalar = new FeatureExtractor(config, w, false);
        assertThat(vector.usesVectorTopK()).isTrue();
        boolean qKnown = query.merchantLocationKnown();
        vector.ensureScratch(h.capacity);
        scalar.ensureScratch(h.capacity);
        vector.computeBiases(h, query, qKnown);
        scalar.computeBiases(h, query, qKnown);
        String where = "n=" + h.size + " head=" + h.head + " qKnown=" + qKnown;
        assertThat(bits(vector.timeBiases(), h.size)).as(where).containsExactly(bits(scalar.timeBiases(), h.size));
        if (qKnown) {
            assertThat(bits(vector.spaceBiases(), h.size)).as(where)
                    .containsExactly(bits(scalar.spaceBiases(), h.size));
        }
        vector.prepareQuery(query);
        scalar.prepareQuery(query);
        for (int hd = 0; hd < config.heads(); hd++) {
            vector.scoreHead(h, hd, qKnown);
            scalar.scoreHead(h, hd, qKnown);
            assertThat(bits(vector.scores(), h.size)).as(where + " head " + hd)
                    .containsExactly(bits(scalar.scores(), h.size));
        }
    }

    /** Whole extractions for k on both sides of one and two vectors of lanes (top-k depths 1, 2 and 4), every length. */
    @Test
    void everyTopKDepth() {
        assumeVectorHardware();
        RandomCases gen = new RandomCases(35);
        int lanes = VectorTopK.lanes();
        for (int k : new int[] {1, lanes - 1, lanes, lanes + 1, 2 * lanes, 2 * lanes + 1, 4 * lanes}) {
            ExtractorConfig config = ExtractorConfig.builder().k(k).build();
            for (int n : LENGTHS) {
                RandomCases.Case c = gen.next(n);
                CardHistory h = RandomCases.historyOf(config, c.history());
                assertSameBiases(config, h, c.query());
                assertSameFeatures(config, h, c.query());
            }
        }
    }

    /** Whole features (biases, scores, top-k, summaries), vector on vs off; each on its own copy of the history. */
    private static void assertSameFeatures(ExtractorConfig config, CardHistory h, RawTransaction query) {
        ExtractorWeights w = ExtractorWeights.bootstrap(config, 2);
        FeatureExtractor vector = new FeatureExtractor(config, w, true);
        FeatureExtractor scalar = new FeatureExtractor(config, w, false);
        float[] a = new float[vector.featureCount()];
        float[] b = new float[scalar.featureCount()];
        vector.extract(h.copy(), query, a, null);
        scalar.extract(h.copy(), query, b, null);
        assertThat(bits(a, a.length)).containsExactly(bits(b, b.length));
    }
}
