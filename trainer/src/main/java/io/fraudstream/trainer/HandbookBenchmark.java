package io.fraudstream.trainer;

import io.fraudstream.simulator.HandbookData;
import io.fraudstream.simulator.HandbookSimulator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Handbook baseline at full size (docs/TRAINER.md): for each seed, generates the handbook's data set
 * (5,000 customers, 10,000 terminals, 183 days), prints its statistics, runs {@link HandbookBaseline} on the
 * handbook's protocol, and prints AUC, AP and card precision@100, then their mean ± sd over the seeds.
 *
 * <pre>
 * java -cp ... io.fraudstream.trainer.HandbookBenchmark [--seeds 1,2,3] [--lambda 1] [--customers N]
 *     [--terminals N] [--days N] [--csv-dir DIR]
 * </pre>
 * {@code --csv-dir} also writes each seed's data set as a Sparkov-layout CSV ({@code handbook-seed<N>.csv.gz}).
 */
public final class HandbookBenchmark {

    private HandbookBenchmark() {}

    public static void main(String[] args) throws Exception {
        long[] seeds = {1, 2, 3};
        double lambda = 1.0;
        HandbookSimulator.Config base = HandbookSimulator.Config.handbook(1);
        int customers = base.customers();
        int terminals = base.terminals();
        int days = base.days();
        Path csvDir = null;
        for (int a = 0; a < args.length; a++) {
            String v = a + 1 < args.length ? args[a + 1] : null;
            switch (args[a]) {
                case "--seeds" -> seeds = java.util.Arrays.stream(v.split(",")).mapToLong(Long::parseLong).toArray();
                case "--lambda" -> lambda = Double.parseDouble(v);
                case "--customers" -> customers = Integer.parseInt(v);
                case "--terminals" -> terminals = Integer.parseInt(v);
                case "--days" -> days = Integer.parseInt(v);
                case "--csv-dir" -> csvDir = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[a]
                        + " (--seeds, --lambda, --customers, --terminals, --days, --csv-dir)");
            }
            a++;
        }
        List<double[]> figures = new ArrayList<>();
        for (long seed : seeds) {
            long t0 = System.nanoTime();
            HandbookData d = new HandbookSimulator(new HandbookSimulator.Config(seed, customers, terminals, days,
                    base.start(), base.radius())).generate();
            long t1 = System.nanoTime();
            int[] byScenario = new int[4];
            for (int i = 0; i < d.size(); i++) {
                byScenario[d.scenarioNumber(i)]++;
            }
            int frauds = d.size() - byScenario[0];
            System.out.printf(Locale.ROOT, "seed %d: %,d transactions, %,d fraud (%.3f %%): amount %d, terminal %d,"
                    + " customer %d; generated in %.1f s%n", seed, d.size(), frauds, 100.0 * frauds / d.size(),
                    byScenario[1], byScenario[2], byScenario[3], (t1 - t0) / 1e9);
            if (csvDir != null) {
                Path file = csvDir.resolve("handbook-seed" + seed + ".csv.gz");
                d.writeSparkovCsv(file);
                System.out.println("  written " + file);
            }
            HandbookBaseline.Result r = HandbookBaseline.run(HandbookBaseline.Rows.of(d),
                    HandbookBaseline.Protocol.handbook(), lambda);
            System.out.printf(Locale.ROOT, "  train %,d rows (%d fraud), test %,d rows (%d fraud): AUC %.4f  AP %.4f"
                    + "  CP@100 %.4f  (%.1f s)%n", r.trainRows(), r.trainFrauds(), r.testRows(), r.testFrauds(),
                    r.auc(), r.averagePrecision(), r.cardPrecisionAt100(), (System.nanoTime() - t1) / 1e9);
            figures.add(new double[] {r.auc(), r.averagePrecision(), r.cardPrecisionAt100()});
        }
        String[] names = {"AUC", "AP", "CP@100"};
        StringBuilder sb = new StringBuilder("mean ± sd over " + seeds.length + " seeds:");
        for (int k = 0; k < names.length; k++) {
            double mean = 0;
            for (double[] f : figures) {
                mean += f[k];
            }
            mean /= figures.size();
            double var = 0;
            for (double[] f : figures) {
                var += (f[k] - mean) * (f[k] - mean);
            }
            double sd = figures.size() > 1 ? Math.sqrt(var / (figures.size() - 1)) : 0;
            sb.append(String.format(Locale.ROOT, "  %s %.3f ± %.3f", names[k], mean, sd));
        }
        System.out.println(sb);
    }
}
