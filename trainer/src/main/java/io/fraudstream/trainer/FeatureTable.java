package io.fraudstream.trainer;

import io.fraudstream.cli.support.Progress;
import io.fraudstream.features.ExtractorConfig;
import io.fraudstream.features.ExtractorWeights;
import io.fraudstream.model.FeatureBlock;
import io.fraudstream.model.scoring.CardScorer;
import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.features.pop.PopTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The classifier's rows: the full feature vector the job computes for each transaction, by the job's own per-event
 * rules ({@link CardScorer}: card TTL, duplicates, extract then append — a score never sees its own transaction),
 * against the card's history as the job would have held it, split by a {@link TimeSplit}.
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

    public static Split compute(LabelledData data, TimeSplit split, ExtractorConfig config, ExtractorWeights weights,
            Set<FeatureBlock> blocks) {
        return compute(data, split, config, weights, blocks, Progress.silent());
    }

    /** As {@link #compute(LabelledData, TimeSplit, ExtractorConfig, ExtractorWeights, Set)}, reporting each card done. */
    public static Split compute(LabelledData data, TimeSplit split, ExtractorConfig config, ExtractorWeights weights,
            Set<FeatureBlock> blocks, Progress progress) {
        return compute(data, split, config, weights, blocks, CardScorer.DEFAULT_CARD_TTL.toMillis(), progress);
    }

    /** The data's point-of-purchase table when the blocks need one; fails when they do and the data has none. */
    private static PopTable popFor(LabelledData data, Set<FeatureBlock> blocks) {
        if (!blocks.contains(FeatureBlock.POINT_OF_PURCHASE)) {
            return null;
        }
        if (data.pointOfPurchase() == null) {
            throw new IllegalArgumentException("the point-of-purchase feature block needs data with point-of-purchase"
                    + " counts (--point-of-purchase true)");
        }
        return data.pointOfPurchase();
    }

    /** A feature vector of one transaction (the buffer is reused: copy it to keep it). */
    @FunctionalInterface
    public interface RowSink {
        void row(LabelledTransaction t, float[] features);
    }

    /**
     * Every transaction's feature vector, card after card (cards in {@link LabelledData#cards()} order, each in its
     * order), exactly as {@link #compute} computes the rows it keeps: the training/serving parity test compares
     * these with the job's. Duplicates (an id already in the card's history) get no row, as the job scores them not.
     */
    public static void forEach(LabelledData data, ExtractorConfig config, ExtractorWeights weights,
            Set<FeatureBlock> blocks, long cardTtlMillis, RowSink sink) {
        PopTable pop = popFor(data, blocks);
        for (List<LabelledTransaction> card : data.cards()) {
            card(card, CardScorer.features(config, weights, blocks, cardTtlMillis), pop, null, sink);
        }
    }

    /**
     * One card through the shared per-event rules ({@link CardScorer}: TTL, duplicates, extract, append): a row for
     * each transaction in the training or validation window ({@code split} null: every one), point-of-purchase block
     * from {@code pop} when not null. History before the windows is appended without extraction; the card stops at
     * the first transaction after them.
     */
    private static void card(List<LabelledTransaction> card, CardScorer scorer, PopTable pop, TimeSplit split,
            RowSink sink) {
        CardScorer.Card history = scorer.newCard();
        PopFeatures.Scratch popScratch = pop == null ? null : new PopFeatures.Scratch();
        float[] popBlock = pop == null ? null : new float[PopFeatures.ATTACHED_COUNT];
        for (LabelledTransaction t : card) {
            TimeSplit.Segment s = split == null ? TimeSplit.Segment.TRAIN : split.segmentOf(t.time());
            if (s == TimeSplit.Segment.TRAIN || s == TimeSplit.Segment.VALIDATION) {
                if (pop != null) {
                    pop.features(t.tx().merchantId(), t.terminalId(), t.time(), PopFeatures.SETTLE_HOURS, popScratch,
                            popBlock, 0);
                }
                if (scorer.next(history, t.tx(), popBlock, null) == CardScorer.Outcome.SCORED) {
                    sink.row(t, scorer.features());
                }
            } else if (s == TimeSplit.Segment.AFTER) {
                break;
            } else {
                scorer.pass(history, t.tx());
            }
        }
    }

    /** As {@link #compute(LabelledData, TimeSplit, ExtractorConfig, ExtractorWeights, Set, Progress)} with a TTL. */
    public static Split compute(LabelledData data, TimeSplit split, ExtractorConfig config, ExtractorWeights weights,
            Set<FeatureBlock> blocks, long cardTtlMillis, Progress progress) {
        List<List<LabelledTransaction>> cards = data.cards();
        PopTable pop = popFor(data, blocks);
        @SuppressWarnings("unchecked")
        List<float[]>[][] perCard = new List[cards.size()][];
        @SuppressWarnings("unchecked")
        List<Boolean>[][] labels = new List[cards.size()][];
        long[] cardsDone = {0}; // guarded by progress
        IntStream.range(0, cards.size()).parallel().forEach(c -> {
            List<float[]> tx = new ArrayList<>();
            List<Boolean> ty = new ArrayList<>();
            List<float[]> vx = new ArrayList<>();
            List<Boolean> vy = new ArrayList<>();
            card(cards.get(c), CardScorer.features(config, weights, blocks, cardTtlMillis), pop, split,
                    (t, f) -> {
                        boolean train = split.segmentOf(t.time()) == TimeSplit.Segment.TRAIN;
                        (train ? tx : vx).add(f.clone());
                        (train ? ty : vy).add(t.fraud());
                    });
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
