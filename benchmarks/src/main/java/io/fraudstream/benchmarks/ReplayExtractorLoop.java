package io.fraudstream.benchmarks;

import io.fraudstream.avro.Transaction;
import io.fraudstream.datasets.CardTokens;
import io.fraudstream.datasets.EventTimeRule;
import io.fraudstream.datasets.InputFormat;
import io.fraudstream.datasets.LabelledTransaction;
import io.fraudstream.datasets.TransactionReader;
import io.fraudstream.features.Explanation;
import io.fraudstream.features.FeatureExtractor;
import io.fraudstream.features.RawTransaction;
import io.fraudstream.trainer.bootstrap.BootstrapModel;
import io.fraudstream.model.FraudModel;
import io.fraudstream.model.scoring.CardScorer;
import io.fraudstream.model.scoring.WireTransactions;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The per-event work of a bounded replay without Flink: every transaction of a Sparkov file through the
 * bootstrap model's extractor and classifier, one card history per card, in one thread — what the scoring
 * subtasks do (the same {@link CardScorer} rules and wire mapping), minus Avro decoding, state access, alert
 * explanations and result collection. Reports the
 * thread's CPU time per event (steady on a shared machine) and the wall-clock rate, per repetition.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "benchmarks/target/classes:$(cat replay/target/runtime-classpath.txt)" \
 *   io.fraudstream.benchmarks.ReplayExtractorLoop ../shared/data/sparkov-100cards-2019-2020.csv.gz 4 card
 * </pre>
 *
 * Without {@code --add-modules jdk.incubator.vector} (or with {@code -Dfraudstream.extractor.vector=false}) the
 * extractor uses its scalar top-k; the first line printed says which.
 *
 * Order {@code file} (default) scores in file order, {@code card} card after card (each card's records in file
 * order: the same features, and the layout of a bounded replay's spool parts). Prints a checksum of the scores,
 * identical for both orders.
 */
public final class ReplayExtractorLoop {

    private ReplayExtractorLoop() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ReplayExtractorLoop SPARKOV_FILE [repetitions=3] [file|card]");
            System.exit(2);
        }
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        boolean byCard = args.length > 2 && args[2].equals("card");
        List<RawTransaction> txs = new ArrayList<>();
        List<String> cards = new ArrayList<>();
        WireTransactions wire = new WireTransactions(); // the job's mapping and rules
        long refused = 0;
        try (TransactionReader r = InputFormat.SPARKOV.open(Path.of(args[0]),
                new InputFormat.Options(null, EventTimeRule.HOME_LONGITUDE, Map.of(), CardTokens.publicTestKey("benchmark on the public sample")))) {
            LabelledTransaction t;
            while ((t = r.next()) != null) {
                Transaction x = t.transaction();
                if (wire.check(x, WireTransactions.DEFAULT_MAX_AMOUNT_MINOR) != null) {
                    refused++; // dead-lettered by the job
                    continue;
                }
                cards.add(x.getCardId());
                txs.add(wire.toRaw(x));
            }
        }
        if (refused > 0) {
            System.out.println(refused + " records the job refuses, skipped");
        }
        if (byCard) {
            Integer[] idx = new Integer[txs.size()];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            Arrays.sort(idx, Comparator.comparing(cards::get)); // stable: file order within a card
            List<RawTransaction> t2 = new ArrayList<>();
            List<String> c2 = new ArrayList<>();
            for (int i : idx) {
                t2.add(txs.get(i));
                c2.add(cards.get(i));
            }
            txs = t2;
            cards = c2;
        }
        FraudModel model = BootstrapModel.create(42);
        System.out.println(FeatureExtractor.topKKernelDescription());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int rep = 0; rep < reps; rep++) {
            // The job's per-event rules and extractor, one history per card in memory.
            CardScorer.Cards scorer = new CardScorer.Cards(
                    CardScorer.of(model, CardScorer.DEFAULT_CARD_TTL.toMillis()));
            CardScorer rules = scorer.scorer();
            Explanation explanation = new Explanation(5);
            double checksum = 0;
            long alloc0 = allocatedBytes(threads);
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < txs.size(); i++) {
                if (scorer.next(cards.get(i), txs.get(i), null, explanation) == CardScorer.Outcome.SCORED) {
                    checksum += rules.score();
                }
            }
            long wall = System.nanoTime() - t0;
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            long alloc = allocatedBytes(threads) - alloc0;
            System.out.printf(Locale.ROOT, "rep %d (%s order): CPU %.2f us/event, wall %.2f us/event, %,.0f events/s,"
                    + " allocated %.1f B/event, score checksum %.6f%n", rep + 1, byCard ? "card" : "file",
                    cpu / 1e3 / txs.size(), wall / 1e3 / txs.size(), txs.size() / (wall / 1e9),
                    (double) alloc / txs.size(), checksum);
        }
    }

    /**
     * Bytes this thread has allocated, -1 where the JVM cannot say. The extractor allocates nothing per event
     * once its buffers have grown; a Vector API kernel that C2 failed to intrinsify would box vectors here.
     */
    private static long allocatedBytes(ThreadMXBean threads) {
        return threads instanceof com.sun.management.ThreadMXBean t
                ? t.getThreadAllocatedBytes(Thread.currentThread().getId()) : -1;
    }
}
