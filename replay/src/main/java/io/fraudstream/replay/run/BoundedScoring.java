package io.fraudstream.replay.run;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.cli.support.Progress;
import io.fraudstream.features.pop.PopTable;
import io.fraudstream.job.FraudScoringPipeline;
import io.fraudstream.job.scoring.RuleDecision;
import io.fraudstream.job.scoring.RuleStage;
import io.fraudstream.job.pop.PointOfPurchaseInput;
import io.fraudstream.job.io.RawRecord;
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.job.scoring.ScoringSettings;
import io.fraudstream.job.validation.ValidationRules;
import io.fraudstream.replay.eval.ScoredTransaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Scores a {@link Spool} with the job's own topology ({@link FraudScoringPipeline#build}) on a local Flink
 * environment: bounded source, pinned models, one pass over the input.
 *
 * <p><b>Parallel and deterministic.</b> The spool is split by card ({@link Spool#parts}); source subtask i reads
 * part i, decodes it (chained) and keys it by card into the scoring subtasks, exactly as the live job keys
 * Kafka records. Each card's records travel one path in spool order, so every card is scored in the same order
 * as at parallelism 1 and gets the same scores; only the interleaving of different cards varies between runs.
 * The client puts the results back into spool order (file order; partition and offset order for Kafka), so the
 * score list — and the score file written from it — is identical on every run and at every parallelism.
 * Parts are grouped card after card, so a card's history (raw fields and token columns: ~185 kB at W = 1024) stays
 * in the CPU cache while its transactions are scored.
 *
 * <p><b>Several models in one graph.</b> {@link #run(Spool, List, Settings, int, Progress)} builds one scoring
 * branch per model ({@code FraudScoringPipeline.build} once per model, uids suffixed) over the same source:
 * one pass over the data, each model's scores collected separately. A model's scores do not depend on the
 * others in the graph (each branch keeps its own card histories), so they equal a single-model run's.
 *
 * <p>Results reach the client, where the labels are, through {@link LocalResults}: the scores' sink is chained to
 * the scoring subtask and hands its list over in memory when its input ends (a bounded run is a local environment in
 * this JVM), instead of Flink's collect path, which serialized every result on the way out and again on the way in.
 * Dead letters (records the job's validation refused) come back with their coordinates and reasons.
 */
public final class BoundedScoring {

    /** Validation and scoring settings; {@link #replayDefaults()} accepts any event time. */
    public record Settings(ValidationRules rules, ScoringSettings scoring, PopTable pointOfPurchase,
            RuleStage.Settings analystRules) {
        /** Without point-of-purchase features and analyst rules. */
        public Settings(ValidationRules rules, ScoringSettings scoring) {
            this(rules, scoring, null, RuleStage.Settings.OFF);
        }

        /**
         * With point-of-purchase features from {@code table} (built from the whole input, see
         * {@link PointOfPurchaseTables}); null turns them off.
         */
        public Settings withPointOfPurchase(PopTable table) {
            return new Settings(rules, scoring, table, analystRules);
        }

        /** With analyst rules, evaluated after scoring as in the job (docs/RULES.md); {@code OFF} turns them off. */
        public Settings withAnalystRules(RuleStage.Settings ruleSettings) {
            return new Settings(rules, scoring, pointOfPurchase, ruleSettings);
        }

        /**
         * The job's defaults except the event-time window (history is old by definition, so event times up to 200
         * years either side of now are accepted) and alerts: evaluation reads the scores, whose decisions say which
         * transactions alerted, so the alert explanations the analysts' topic gets are not built. The history cache
         * is the job's default ({@code state.card-cache-transactions}): without it every event rebuilds its card's
         * history from the state's chunks (all W entries, their tokens derived again), which made the bounded replay
         * ~17x slower (measured when chunks still carried K/V).
         */
        public static Settings replayDefaults() {
            long years200 = Duration.ofDays(200L * 365).toMillis();
            return new Settings(new ValidationRules(years200, years200, 100_000_000_000L, 64 * 1024),
                    new ScoringSettings(Duration.ofDays(90).toMillis(), 5, 5, 64 * 1024)
                            .withHistoryCache(JobOptions.HISTORY_CACHE_TRANSACTIONS.defaultValue())
                            .withoutAlertExplanations());
        }
    }

    /** A record the job refused: its partition and offset (for a file: file index and line). */
    public record Rejected(int partition, long line, String reason, String message) {}

    /**
     * @param scores        in spool order (file order), joined with labels
     * @param rejected      dead letters in spool order
     * @param modelVersion  the model that scored (null when nothing was scored)
     * @param threshold     its alert threshold (NaN when nothing was scored)
     * @param latencyMicros per score, from the source reading the record to the score (pipeline latency at full load)
     * @param jobNanos      from submitting the job to its end: includes Flink start-up, model loading and shutdown
     * @param scoringNanos  from the first result any sink received to the last sink's end of input: the
     *                      steady-state scoring time (of all models)
     * @param parallelism   the run's parallelism
     * @param cpuNanos      CPU time of this whole process over the same interval (every thread: Flink's, the JIT's,
     *                      the GC's, the client's), -1 when the JVM cannot tell; on a shared machine
     *                      {@code cpuNanos / records} is steadier than the wall-clock rate
     * @param ruleDecisions the analyst rules' decision per score, aligned with {@code scores} (same index, same
     *                      transaction), when the rules were on with {@link RuleStage.Settings#emitDecisions()};
     *                      else empty
     */
    public record Result(List<ScoredTransaction> scores, List<Rejected> rejected, String modelVersion, double threshold,
            long[] latencyMicros, long jobNanos, long scoringNanos, int parallelism, long cpuNanos,
            List<RuleDecision> ruleDecisions) {

        /** Process CPU microseconds per input record while scoring; NaN when unknown. */
        public double cpuMicrosPerEvent() {
            return cpuNanos < 0 ? Double.NaN : cpuNanos / 1e3 / Math.max(1, scores.size() + rejected.size());
        }

        /** Input records (scores + dead letters) per second between the first and the last result. */
        public double eventsPerSecond() {
            return scoringNanos <= 0 ? Double.NaN : (scores.size() + rejected.size()) / (scoringNanos / 1e9);
        }
    }

    /** How often the client prints progress while the job runs. */
    private static final long PROGRESS_MILLIS = 250;

    private BoundedScoring() {}

    /** The default parallelism: one subtask per available core, at most 8. */
    public static int defaultParallelism() {
        return Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
    }

    /** One model, {@link #defaultParallelism()}. */
    public static Result run(Spool spool, ModelRepository.Factory model, Settings settings, Progress progress)
            throws Exception {
        return run(spool, List.of(model), settings, defaultParallelism(), progress).get(0);
    }

    /**
     * Scores the spool with every model in one job (one pass over the input); one result per model, in the
     * order given.
     */
    public static List<Result> run(Spool spool, List<ModelRepository.Factory> models, Settings settings,
            int parallelism, Progress progress) throws Exception {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("no model to score with");
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, was " + parallelism);
        }
        if (settings.scoring().alertBudget() != null) {
            // Cards are scored card after card, not in event-time order: the job's per-subtask windows would be
            // meaningless here. Replay applies the budget to all scores in time order instead (BudgetedAlerts).
            throw new IllegalArgumentException("a bounded replay scores with the model's threshold; apply the alert"
                    + " budget to its scores with BudgetedAlerts");
        }
        int n = (int) spool.records();
        int m = models.size();
        if (n == 0) {
            List<Result> empty = new ArrayList<>();
            for (int i = 0; i < m; i++) {
                empty.add(new Result(List.of(), List.of(), null, Double.NaN, new long[0], 0, 0, parallelism, -1, List.of()));
            }
            return empty;
        }
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // Bounded and single-use: records handed between chained operators are not reused by the callers, so
        // skipping the defensive copies is safe (the job's operators keep no reference to their inputs).
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);

        List<java.nio.file.Path> parts = spool.parts(parallelism);
        DataStream<RawRecord> transactions = env
                .fromSource(new NumberSequenceSource(0, parallelism - 1), WatermarkStrategy.noWatermarks(),
                        "replay input parts")
                .flatMap(new ReplayFunctions.SpoolPartRecords(parts, spool.topic()))
                .returns(TypeInformation.of(RawRecord.class))
                .name("read spool part");
        DataStream<ModelDescriptor> noUpdates = env.fromSequence(0, 0)
                .filter(x -> false)
                .map(new ReplayFunctions.NoDescriptors())
                .returns(new AvroTypeInfo<>(ModelDescriptor.class))
                .name("no model updates (pinned)");

        Set<Integer> shared = new HashSet<>();
        reachable(transactions.getTransformation(), shared);
        reachable(noUpdates.getTransformation(), shared);
        // Rule decisions (a backtest) come back on result streams m..2m-1, one per model.
        boolean decisions = settings.analystRules().enabled() && settings.analystRules().emitDecisions();
        try (LocalResults results = LocalResults.open(decisions ? 2 * m : m)) {
            for (int i = 0; i < m; i++) {
                PointOfPurchaseInput pop = settings.pointOfPurchase() == null ? PointOfPurchaseInput.off()
                        : PointOfPurchaseInput.precomputed(settings.pointOfPurchase());
                FraudScoringPipeline.Outputs outputs = FraudScoringPipeline.build(transactions, noUpdates, null,
                        settings.analystRules(), pop, settings.rules(), settings.scoring(), models.get(i));
                if (m > 1) {
                    suffixUids(outputs.scores().getTransformation(), "-model-" + i, shared, new HashSet<>());
                }
                // scores: chained to the scoring subtask (forward edge, one input), so nothing is serialized
                outputs.scores().map(new ReplayFunctions.FromScore(i)).name("score out " + i)
                        .sinkTo(new ReplayFunctions.ToClient(results.id(), i)).name("scores to client " + i);
                outputs.deadLetters().map(new ReplayFunctions.FromDeadLetter(i)).name("dead letter out " + i)
                        .sinkTo(new ReplayFunctions.ToClient(results.id(), i)).name("dead letters to client " + i);
                if (decisions) {
                    // chained to the scoring subtask like the scores
                    outputs.ruleDecisions().map(new ReplayFunctions.FromRuleDecision(i)).name("rule decision out " + i)
                            .sinkTo(new ReplayFunctions.ToClient(results.id(), m + i, false))
                            .name("rule decisions to client " + i);
                }
            }
            long total = (long) n * m; // rule decisions are not counted for progress
            long t0 = System.nanoTime();
            JobClient job = env.executeAsync(m == 1 ? "replay-evaluation" : "replay-evaluation-" + m + "-models");
            awaitWithProgress(job.getJobExecutionResult(), results, total, progress);
            long end = System.nanoTime();
            progress.done("scored", results.count());
            long first = results.firstNanos();
            long last = results.lastNanos();
            List<Result> out = new ArrayList<>();
            for (int i = 0; i < m; i++) {
                out.add(inSpoolOrder(spool, results.outcomes(i), decisions ? results.outcomes(m + i) : null,
                        end - t0, first < 0 ? 0 : last - first, parallelism, results.cpuNanos()));
            }
            return out;
        }
    }

    /** Waits for the job, printing progress from the sinks' counts; rethrows the job's failure. */
    private static void awaitWithProgress(CompletableFuture<JobExecutionResult> done, LocalResults results,
            long total, Progress progress) throws Exception {
        while (true) {
            try {
                done.get(PROGRESS_MILLIS, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException stillRunning) {
                progress.tick("scored", results.count(), total);
            }
        }
    }

    /**
     * Puts one model's results back into spool order. Dead letters carry their coordinates; a score carries its
     * card, and each card's scores arrive in the card's spool order (the one thing the graph guarantees), so
     * the j-th score of a card belongs to the j-th of the card's records that was not refused. The transaction
     * id is checked on every score: a broken per-card order fails the run instead of mislabelling scores.
     * Rule decisions (null: none were asked for) are joined to their scores by card and transaction id; a score
     * without its decision, or a decision without its score, fails the run.
     */
    private static Result inSpoolOrder(Spool spool, List<ReplayOutcome> outcomes, List<ReplayOutcome> decisions,
            long jobNanos, long scoringNanos, int parallelism, long cpuNanos) {
        int n = (int) spool.records();
        boolean[] refused = new boolean[n];
        Rejected[] rejectedAt = new Rejected[n];
        int rejectedCount = 0;
        for (ReplayOutcome o : outcomes) {
            if (o.rejected) {
                int i = spool.indexOf(o.sourcePartition, o.sourceOffset);
                if (i < 0 || refused[i]) {
                    throw new IllegalStateException("dead letter for partition " + o.sourcePartition + " offset "
                            + o.sourceOffset + " matches no record of the input (or a record twice)");
                }
                refused[i] = true;
                rejectedAt[i] = new Rejected(o.sourcePartition, o.sourceOffset, o.reason, o.message);
                rejectedCount++;
            }
        }
        // each card's record numbers in spool order: counting sort by card ordinal
        int cards = spool.cardCount();
        int[] cursor = new int[cards + 1];
        for (int i = 0; i < n; i++) {
            cursor[spool.cardOrdinalOf(i) + 1]++;
        }
        for (int c = 0; c < cards; c++) {
            cursor[c + 1] += cursor[c];
        }
        int[] end = Arrays.copyOfRange(cursor, 1, cards + 1);
        int[] byCard = new int[n];
        int[] fill = Arrays.copyOf(cursor, cards);
        for (int i = 0; i < n; i++) {
            byCard[fill[spool.cardOrdinalOf(i)]++] = i;
        }
        ReplayOutcome[] scoreAt = new ReplayOutcome[n];
        Map<String, Boolean> labels = spool.labels();
        String version = null;
        double threshold = Double.NaN;
        for (ReplayOutcome o : outcomes) {
            if (o.rejected) {
                continue;
            }
            int c = spool.cardOrdinal(o.cardId);
            if (c < 0) {
                throw new IllegalStateException("score for card " + o.cardId + " that is not in the input");
            }
            while (cursor[c] < end[c] && refused[byCard[cursor[c]]]) {
                cursor[c]++;
            }
            if (cursor[c] >= end[c]) {
                throw new IllegalStateException("more scores than records for card " + o.cardId);
            }
            int i = byCard[cursor[c]++];
            if (!spool.transactionIdOf(i).equals(o.transactionId)) {
                throw new IllegalStateException("card " + o.cardId + ": expected the score of "
                        + spool.transactionIdOf(i) + " next, got " + o.transactionId + " (per-card order broken)");
            }
            scoreAt[i] = o;
            version = o.modelVersion;
            threshold = o.threshold;
        }
        List<ScoredTransaction> scores = new ArrayList<>(n - rejectedCount);
        List<Rejected> rejected = new ArrayList<>(rejectedCount);
        long[] latency = new long[n - rejectedCount];
        for (int i = 0; i < n; i++) {
            if (refused[i]) {
                rejected.add(rejectedAt[i]);
            } else if (scoreAt[i] == null) {
                // Every input record leaves as a score or a dead letter; anything else is a lost result.
                throw new IllegalStateException("no score and no dead letter for record " + i + " (transaction "
                        + spool.transactionIdOf(i) + "): " + outcomes.size() + " results for " + n + " records");
            } else {
                ReplayOutcome o = scoreAt[i];
                latency[scores.size()] = o.latencyMicros;
                scores.add(new ScoredTransaction(o.transactionId, o.cardId, o.eventTimeMillis, o.score,
                        labels.get(o.transactionId)));
            }
        }
        List<RuleDecision> ruled = List.of();
        if (decisions != null) {
            Map<String, ReplayOutcome> byTransaction = new java.util.HashMap<>(decisions.size() * 2);
            for (ReplayOutcome d : decisions) {
                if (byTransaction.put(d.cardId + '\n' + d.transactionId, d) != null) {
                    throw new IllegalStateException("two rule decisions for transaction " + d.transactionId);
                }
            }
            if (byTransaction.size() != scores.size()) {
                throw new IllegalStateException(decisions.size() + " rule decisions for " + scores.size() + " scores");
            }
            List<RuleDecision> aligned = new ArrayList<>(scores.size());
            for (ScoredTransaction s : scores) {
                ReplayOutcome d = byTransaction.get(s.cardId() + '\n' + s.transactionId());
                if (d == null) {
                    throw new IllegalStateException("no rule decision for the score of " + s.transactionId());
                }
                aligned.add(d.rule);
            }
            ruled = aligned;
        }
        return new Result(scores, rejected, version, threshold, latency, jobNanos, scoringNanos, parallelism, cpuNanos,
                ruled);
    }

    /**
     * Gives the operators of one model's branch their own uids ({@code FraudScoringPipeline} sets fixed ones, and a
     * graph may not hold a uid twice). Walks from the scoring operator to its inputs, leaving the shared input alone.
     */
    private static void suffixUids(Transformation<?> t, String suffix, Set<Integer> shared, Set<Integer> seen) {
        if (shared.contains(t.getId()) || !seen.add(t.getId())) {
            return;
        }
        if (t.getUid() != null) {
            t.setUid(t.getUid() + suffix);
        }
        for (Transformation<?> in : t.getInputs()) {
            suffixUids(in, suffix, shared, seen);
        }
    }

    private static void reachable(Transformation<?> t, Set<Integer> out) {
        if (out.add(t.getId())) {
            for (Transformation<?> in : t.getInputs()) {
                reachable(in, out);
            }
        }
    }
}
