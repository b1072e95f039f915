package io.fraudstream.replay.run;

import io.fraudstream.cli.support.Progress;
import io.fraudstream.datasets.CardTokens;
import io.fraudstream.datasets.EventTimeRule;
import io.fraudstream.datasets.InputFormat;
import io.fraudstream.datasets.TransactionReader;
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.trainer.bootstrap.BootstrapModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark, not a command: bounded scoring throughput in a warm JVM. Reads a Sparkov-layout file into a spool once,
 * then runs {@link BoundedScoring#run} on it {@code rounds} times in this JVM (each round a fresh local Flink job
 * with the bootstrap model, exactly what {@code replay evaluate} runs) and prints every round's rate (first to last
 * result) and process CPU per event. The first rounds pay for JIT compilation; the median of the later ones is the
 * steady state. The scores of every round must be identical (checked: a round that differs fails the run).
 *
 * <pre>
 * java -Xmx2g -cp "replay/target/classes:$(cat replay/target/runtime-classpath.txt)" \
 *   io.fraudstream.replay.run.BoundedThroughput ../shared/data/sparkov-100cards-2019-2020.csv.gz 6 2
 * </pre>
 * Arguments: input file, rounds (default 6), parallelism (default: one per core, at most 8).
 */
public final class BoundedThroughput {

    private BoundedThroughput() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: BoundedThroughput <sparkov-file> [rounds] [parallelism]");
        }
        Path input = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        int parallelism = args.length > 2 ? Integer.parseInt(args[2]) : BoundedScoring.defaultParallelism();
        Path spoolFile = Files.createTempFile("throughput-", ".spool");
        spoolFile.toFile().deleteOnExit();
        Spool spool;
        try (TransactionReader reader = InputFormat.SPARKOV.open(input, new InputFormat.Options(null,
                EventTimeRule.HOME_LONGITUDE, Map.of(), CardTokens.publicTestKey("throughput measurement on the public sample")))) {
            spool = Spool.write(reader, 0, input.getFileName().toString(), spoolFile, Map.of(), Progress.silent());
        }
        ModelRepository.Factory model = PinnedModels.inline(BootstrapModel.create(42));
        List<Double> rates = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        List<Double> reference = null;
        System.out.printf(Locale.ROOT, "%s: %,d records, parallelism %d, %d rounds, %s%n", input.getFileName(),
                spool.records(), parallelism, rounds, Runtime.version());
        for (int round = 1; round <= rounds; round++) {
            BoundedScoring.Result r = BoundedScoring.run(spool, List.of(model), BoundedScoring.Settings.replayDefaults(),
                    parallelism, Progress.silent()).get(0);
            List<Double> scores = r.scores().stream().map(s -> s.score()).toList();
            if (reference == null) {
                reference = scores;
            } else if (!reference.equals(scores)) {
                throw new IllegalStateException("round " + round + " scored differently from round 1");
            }
            rates.add(r.eventsPerSecond());
            cpu.add(r.cpuMicrosPerEvent());
            System.out.printf(Locale.ROOT, "round %d: %,.0f events/s, process CPU %.1f µs/event, job %.1f s%n", round,
                    r.eventsPerSecond(), r.cpuMicrosPerEvent(), r.jobNanos() / 1e9);
        }
        if (rounds >= 3) {
            System.out.printf(Locale.ROOT, "rounds 3..%d: median %,.0f events/s, median CPU %.1f µs/event%n", rounds,
                    median(rates.subList(2, rounds)), median(cpu.subList(2, rounds)));
        }
        spool.close();
    }

    private static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }
}
