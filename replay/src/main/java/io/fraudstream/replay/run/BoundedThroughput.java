package io.fraudstream.replay.run;

import io.fraudstream.avro.RuleAction;
import io.fraudstream.avro.RuleDefinition;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.job.scoring.RuleStage;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.rules.RuleSetSigner;
import io.fraudstream.schemas.AvroCodec;
import java.security.KeyPair;
import java.time.Instant;

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
 * Arguments: input file, rounds (default 6), parallelism (default: one per core, at most 8), analyst rules in force
 * (default 0: rules off; n > 0: {@link #benchmarkRules} signed with a throw-away key, evaluated on every event).
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
        int ruleCount = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        BoundedScoring.Settings settings = BoundedScoring.Settings.replayDefaults();
        if (ruleCount > 0) {
            KeyPair keys = SigningKeys.generate();
            RuleSet set = RuleSetSigner.sign(benchmarkRules(ruleCount), keys.getPrivate(), Instant.now());
            settings = settings.withAnalystRules(new RuleStage.Settings(true, keys.getPublic().getEncoded(),
                    AvroCodec.of(RuleSet.class).encode(set)));
        }
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
        System.out.printf(Locale.ROOT, "%s: %,d records, parallelism %d, %d rounds, %d analyst rules, %s%n",
                input.getFileName(), spool.records(), parallelism, rounds, ruleCount, Runtime.version());
        for (int round = 1; round <= rounds; round++) {
            BoundedScoring.Result r = BoundedScoring.run(spool, List.of(model), settings,
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

    /**
     * {@code n} realistic rules (every action, transaction fields, time, score, features, the features map, a
     * regular expression), all evaluated on every event; priorities 1..n.
     */
    static RuleSet benchmarkRules(int n) {
        String[] templates = {
            "channel == 'ONLINE' && (hour >= 22 || hour < 5) && amount_zscore > %d.5",
            "category == 'gift_card' && amount > %d00.0 && history_len < 5.0",
            "has_prev == 1.0 && log1p_speed_kmh_from_prev > %d.9",
            "category in ['grocery_pos', 'gas_transport'] && amount < %d0.0 && first_use_merchant == 0.0",
            "score > 0.%d && count_24h >= 3.0",
            "merchant.startsWith('fraud_') && amount_minor > %d000",
            "features['count_1h'] > %d.0 || features['attn_max_score'] > 9.0",
            "weekday >= 6 && log1p_km_from_home > %d.0 && merchant_location_known == 1.0",
            "category.matches('^(shopping|misc)_net$') && amount > %d50.0",
            "model_alert && amount < %d.0",
        };
        RuleAction[] actions = {RuleAction.ALERT, RuleAction.TAG, RuleAction.BLOCK_RECOMMENDED, RuleAction.SUPPRESS,
            RuleAction.TAG};
        List<RuleDefinition> rules = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rules.add(RuleDefinition.newBuilder().setName("bench_" + i).setPriority(i + 1)
                    .setAction(actions[i % actions.length])
                    .setExpression(String.format(Locale.ROOT, templates[i % templates.length], 1 + (i / templates.length) % 9))
                    .setEnabled(true).setDescription("benchmark").build());
        }
        return RuleSet.newBuilder().setName("benchmark").setVersion(1).setRules(rules).setIssuedAt(Instant.EPOCH)
                .setIssuedBy("BoundedThroughput").setSignature(null).build();
    }

    private static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }
}
