package io.fraudstream.replay.backtest;

import io.fraudstream.avro.RuleSet;
import io.fraudstream.cli.support.Progress;
import io.fraudstream.datasets.BadRows;
import io.fraudstream.datasets.CardTokens;
import io.fraudstream.datasets.ColumnMapping;
import io.fraudstream.datasets.EventTimeRule;
import io.fraudstream.datasets.InputFormat;
import io.fraudstream.datasets.LabelFile;
import io.fraudstream.datasets.TransactionReader;
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.job.scoring.RuleDecision;
import io.fraudstream.job.scoring.RuleStage;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.replay.run.BoundedScoring;
import io.fraudstream.replay.eval.ScoredTransaction;
import io.fraudstream.replay.run.PinnedModels;
import io.fraudstream.replay.run.Spool;
import io.fraudstream.rules.RuleCompiler;
import io.fraudstream.rules.RuleSetSigner;
import io.fraudstream.rules.RuleSets;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.trainer.bootstrap.BootstrapModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Backtests a candidate rule set on historical transactions before it is published: the input is scored by the job's
 * own topology ({@link BoundedScoring}, {@code FraudScoringPipeline.build}) with the candidate in force from the first
 * event, evaluated by the job's own {@link RuleStage} after scoring exactly as live, and every scored event's rule
 * decision comes back ({@code RuleStage.Settings.emitDecisions}) to be summarised in a {@link BacktestReport}.
 *
 * <p><b>The throw-away signature.</b> {@link RuleStage} only runs signed sets (it verifies with the model-signing
 * key). The backtest signs the candidate with a fresh key pair made for this run and hands the run that public key.
 * That is fine: the signature guards the live {@code rules} topic against sets nobody authorised; here the candidate
 * never leaves this process, the key is discarded after the run, and the rules are checked by the same compiler
 * ({@link RuleSets#compile}) the job uses, so an invalid candidate is refused before anything runs.
 *
 * <p>Used by {@code fraudstream backtest} and the analyst console. Thread-safe (no shared state); one run at a time
 * per JVM is advisable (a local Flink environment uses every core).
 */
public final class Backtest {

    private Backtest() {}

    /**
     * What to backtest on.
     *
     * @param input            the transactions: Sparkov/Kaggle CSV (gzip allowed), mapped CSV or Avro (required)
     * @param format           {@code null}: Avro for {@code *.avro}, else Sparkov
     * @param mapping          the column mapping file, for {@link InputFormat#CSV} only (else null)
     * @param labels           a label file ({@code transaction_id,label}) overriding the input's labels; null: the
     *                         input's own (Sparkov: {@code is_fraud})
     * @param timeZone         Sparkov local times: {@code home-longitude} (null: the default), {@code UTC} or a zone id
     * @param cardTokenKeyFile the card-number token key; null: {@code FRAUDSTREAM_CARD_TOKEN_KEY_FILE}, else none
     *                         (then card numbers are refused and only already-tokenized inputs work)
     * @param from             report only events at or after this instant (null: from the start); earlier events
     *                         are still scored, so they build the cards' history, as in {@code evaluate}
     * @param to               report only events before this instant (null: to the end)
     * @param modelStore       a signed bundle's store directory (with {@code publicKey} and {@code descriptor}), or
     *                         null for the deterministic bootstrap model of {@code bootstrapSeed}
     * @param publicKey        the model-signing public key file (with {@code modelStore})
     * @param descriptor       the model descriptor file (with {@code modelStore})
     * @param bootstrapSeed    the bootstrap model's seed when {@code modelStore} is null (0: 42, like evaluate)
     * @param parallelism      subtasks of the bounded run (0: one per core, at most 8)
     */
    public record Request(Path input, InputFormat format, Path mapping, Path labels, String timeZone,
            Path cardTokenKeyFile, Instant from, Instant to, Path modelStore, Path publicKey, Path descriptor,
            long bootstrapSeed, int parallelism) {

        public Request {
            Objects.requireNonNull(input, "input");
            if (from != null && to != null && !from.isBefore(to)) {
                throw new IllegalArgumentException("the window's from (" + from + ") must be before its to (" + to
                        + ")");
            }
            if (modelStore != null && (publicKey == null || descriptor == null)) {
                throw new IllegalArgumentException("a model store needs its public key and descriptor");
            }
            if (parallelism < 0 || bootstrapSeed < 0) {
                throw new IllegalArgumentException("parallelism and bootstrapSeed must be >= 0");
            }
        }

        /** The whole of {@code input}, its own labels, the bootstrap model, default everything else. */
        public static Request of(Path input) {
            return new Request(input, null, null, null, null, null, null, null, null, null, null, 0, 0);
        }

        public Request withCardTokenKeyFile(Path keyFile) {
            return new Request(input, format, mapping, labels, timeZone, keyFile, from, to, modelStore, publicKey,
                    descriptor, bootstrapSeed, parallelism);
        }

        public Request withWindow(Instant windowFrom, Instant windowTo) {
            return new Request(input, format, mapping, labels, timeZone, cardTokenKeyFile, windowFrom, windowTo,
                    modelStore, publicKey, descriptor, bootstrapSeed, parallelism);
        }

        public Request withLabels(Path labelFile) {
            return new Request(input, format, mapping, labelFile, timeZone, cardTokenKeyFile, from, to, modelStore,
                    publicKey, descriptor, bootstrapSeed, parallelism);
        }

        public Request withParallelism(int subtasks) {
            return new Request(input, format, mapping, labels, timeZone, cardTokenKeyFile, from, to, modelStore,
                    publicKey, descriptor, bootstrapSeed, subtasks);
        }

        InputFormat formatOrDefault() {
            return format != null ? format
                    : input.getFileName().toString().endsWith(".avro") ? InputFormat.AVRO : InputFormat.SPARKOV;
        }
    }

    /**
     * Runs the backtest. The candidate is compiled first (every rule, enabled or not): an invalid one is refused with
     * a {@link RuleSets.RefusedException} whose message names the rule and the problem, before the input is read.
     *
     * @throws RuleSets.RefusedException the candidate does not compile
     * @throws IOException               the input, labels, mapping or model cannot be read
     * @throws IllegalArgumentException  a bad input option (format, time zone, mapping)
     * @throws Exception                 the bounded Flink run failed
     */
    public static BacktestReport run(RuleSet candidate, Request request, Progress progress) throws Exception {
        return run(candidate, request, progress, (score, decision) -> { });
    }

    /**
     * As {@link #run(RuleSet, Request, Progress)}, also handing every scored event (the window's and the history
     * before it) with the rules' decision on it to {@code eachEvent}, in input order, before the report is built:
     * e.g. to export them, or to compare them with the live job's alerts ({@code BacktestLiveParityIT}).
     */
    public static BacktestReport run(RuleSet candidate, Request request, Progress progress,
            BiConsumer<ScoredTransaction, RuleDecision> eachEvent) throws Exception {
        RuleSets.compile(candidate, new RuleCompiler()); // refuses an invalid candidate before any work
        RuleStage.Settings rules = signedForThisRun(candidate);
        int parallelism = request.parallelism() > 0 ? request.parallelism() : BoundedScoring.defaultParallelism();
        try (Spool spool = spool(request, progress)) {
            ModelRepository.Factory model;
            String modelSource;
            if (request.modelStore() != null) {
                model = PinnedModels.signedStore(request.modelStore(), request.publicKey(), request.descriptor());
                modelSource = "signed bundle from " + request.modelStore() + " (descriptor " + request.descriptor()
                        + ")";
            } else {
                long seed = request.bootstrapSeed() > 0 ? request.bootstrapSeed() : 42;
                model = PinnedModels.inline(BootstrapModel.create(seed));
                modelSource = "bootstrap model, seed " + seed + " (unsigned, built in this process)";
            }
            BoundedScoring.Settings settings = BoundedScoring.Settings.replayDefaults().withAnalystRules(rules);
            BoundedScoring.Result r = BoundedScoring.run(spool, List.of(model), settings, parallelism, progress)
                    .get(0);
            for (int i = 0; i < r.scores().size(); i++) {
                eachEvent.accept(r.scores().get(i), r.ruleDecisions().get(i));
            }
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("Input", request.input() + " (" + spool.rowsRead() + " records read)");
            facts.put("Model", modelSource);
            facts.put("Bad input rows (skipped)", Long.toString(spool.badRows().count()));
            facts.put("Refused by the job's validation (dead letters)", Long.toString(r.rejected().size()));
            facts.put("Run", String.format(Locale.ROOT, "the job's scoring topology and RuleStage, parallelism %d,"
                    + " %.1f s; the candidate signed with a throw-away key for this run only", r.parallelism(),
                    r.jobNanos() / 1e9));
            return BacktestReport.of(candidate, r.modelVersion(), r.threshold(), r.scores(), r.ruleDecisions(),
                    request.from(), request.to(), facts);
        }
    }

    /** The candidate signed with a fresh key pair, in force from the first event (see the class comment). */
    static RuleStage.Settings signedForThisRun(RuleSet candidate) {
        KeyPair throwAway = SigningKeys.generate();
        RuleSet signed = RuleSetSigner.sign(candidate, throwAway.getPrivate(), Instant.now());
        return new RuleStage.Settings(true, throwAway.getPublic().getEncoded(),
                AvroCodec.of(RuleSet.class).encode(signed)).withDecisions();
    }

    private static Spool spool(Request request, Progress progress) throws IOException {
        InputFormat format = request.formatOrDefault();
        ColumnMapping mapping = null;
        if (format == InputFormat.CSV) {
            if (request.mapping() == null) {
                throw new IllegalArgumentException("a mapped CSV input needs its column mapping");
            }
            mapping = ColumnMapping.read(request.mapping());
        } else if (request.mapping() != null) {
            throw new IllegalArgumentException("a column mapping applies to the csv format only");
        }
        String zone = request.timeZone() != null ? request.timeZone() : EventTimeRule.HOME_LONGITUDE;
        if (format == InputFormat.SPARKOV) {
            ColumnMapping.sparkov(zone); // validates the zone
        }
        BadRows labelBadRows = new BadRows();
        Map<String, Boolean> labels = request.labels() != null ? LabelFile.read(request.labels(), labelBadRows)
                : Map.of();
        CardTokens tokens = CardTokens.fromOptionOrEnvironment(
                request.cardTokenKeyFile() == null ? null : request.cardTokenKeyFile().toString(), System.getenv());
        try (TransactionReader reader = format.open(request.input(),
                new InputFormat.Options(mapping, zone, labels, tokens))) {
            Path spoolFile = Files.createTempFile("backtest-", ".spool");
            spoolFile.toFile().deleteOnExit();
            return Spool.write(reader, 0, request.input().getFileName().toString(), spoolFile, new HashMap<>(labels),
                    progress);
        }
    }
}
