package io.fraudstream.trainer;

import io.fraudstream.cli.support.Progress;
import io.fraudstream.features.CardHistory;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.features.pop.PopTable;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The classifier's rows: the full feature vector the job's per-event kernel ({@link FeatureExtractor}) computes
 * for each transaction, against the card's history as the job would have held it (each card in time order:
 * extract, then append — a score never sees its own transaction), split by a {@link TimeSplit}.
 *
 * <p>When the data carries point-of-purchase counts ({@link LabelledData#withPointOfPurchase}), each row ends with
 * the {@link PopFeatures} block, computed by the same code as the job's.
 *
 * <p>Cards are processed in parallel (one extractor per card, the extractor is thread-confined); rows are
 * concatenated in card order, so the result does not depend on the thread count.
 */
public final class FeatureTable {
    /** The progress stage of the feature table. */
    public static final String CARDS_TASK = "feature table (cards)";
    private FeatureTable() {}

    /** Feature rows with labels. */
    public record Rows(float[][] x, boolean[] y) {
        public int size() { return y.length; }

        public int positives() {
            int p = 0;
            for (boolean b : y) {
                p += b ? 1 : 0;
            }
            return p;
        }
    }

    /** Training and validation rows of one feature definition. */
    public record Split(Rows train, Rows validation) {}

    public static Split compute(LabelledData data, TimeSplit split, ExtractorConfig config, ExtractorWeights weights) {
        return compute(data, split, config, weights, Progress.silent());
    }

    /** As {@link #compute(LabelledData, TimeSplit, ExtractorConfig, ExtractorWeights)}, reporting each card done. */
    public static Split compute(LabelledData data, TimeSplit split, ExtractorConfig config, ExtractorWeights weights,
            Progress progress) {
        List<List<LabelledTransaction>> cards = data.cards();
        PopTable pop = data.pointOfPurchase();
        @SuppressWarnings("unchecked")
        List<float[]>[][] perCard = new List[cards.size()][];
        @SuppressWarnings("unchecked")
        List<Boolean>[][] labels = new List[cards.size()][];
        long[] cardsDone = {0}; // guarded by progress
        IntStream.range(0, cards.size()).parallel().forEach(c -> {
            FeatureExtractor extractor = new FeatureExtractor(config, weights);
            PopFeatures.Scratch popScratch = new PopFeatures.Scratch();
            int width = extractor.featureCount() + (pop == null ? 0 : PopFeatures.COUNT);
            CardHistory history = CardHistory.create(config);
            List<float[]> tx = new ArrayList<>();
            List<Boolean> ty = new ArrayList<>();
            List<float[]> vx = new ArrayList<>();
            List<Boolean> vy = new ArrayList<>();
            for (LabelledTransaction t : cards.get(c)) {
                TimeSplit.Segment s = split.segmentOf(t.time());
                if (s == TimeSplit.Segment.TRAIN || s == TimeSplit.Segment.VALIDATION) {
                    float[] f = new float[width];
                    extractor.extract(history, t.tx(), f, null);
                    if (pop != null) {
                        pop.features(t.tx().merchantId(), t.terminalId(), t.time(), PopFeatures.SETTLE_HOURS,
                                popScratch, f, extractor.featureCount());
                    }
                    (s == TimeSplit.Segment.TRAIN ? tx : vx).add(f);
                    (s == TimeSplit.Segment.TRAIN ? ty : vy).add(t.fraud());
                } else if (s == TimeSplit.Segment.AFTER) {
                    break;
                }
                history.add(t.tx());
            }
            perCard[c] = new List[] {tx, vx};
            labels[c] = new List[] {ty, vy};
            synchronized (progress) { // counts arrive in order
                progress.tick(CARDS_TASK, ++cardsDone[0], cards.size());
            }
        });
        progress.done(CARDS_TASK, cards.size());
        return new Split(concat(perCard, labels, 0), concat(perCard, labels, 1));
    }

    private static Rows concat(List<float[]>[][] x, List<Boolean>[][] y, int part) {
        int n = 0;
        for (List<float[]>[] c : x) {
            n += c[part].size();
        }
        float[][] rx = new float[n][];
        boolean[] ry = new boolean[n];
        int i = 0;
        for (int c = 0; c < x.length; c++) {
            List<float[]> cx = x[c][part];
            List<Boolean> cy = y[c][part];
            for (int j = 0; j < cx.size(); j++) {
                rx[i] = cx.get(j);
                ry[i++] = cy.get(j);
            }
        }
        return new Rows(rx, ry);
    }
}
