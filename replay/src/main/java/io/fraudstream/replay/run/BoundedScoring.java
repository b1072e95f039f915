package io.fraudstream.replay.run;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.job.FraudScoringPipeline;
import io.fraudstream.job.io.RawRecord;
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.job.scoring.ScoringSettings;
import io.fraudstream.job.validation.ValidationRules;
import io.fraudstream.replay.eval.ScoredTransaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Scores a {@link Spool} with the job's own topology ({@link FraudScoringPipeline#build}) on a local Flink
 * environment: bounded source, pinned model, parallelism 1. At parallelism 1 every operator sees the input
 * in file order, so per-card order is file order (as on Kafka, where a card's records share a partition)
 * and the scores come back in the same order on every run: same spool and model, same scores, same order.
 *
 * <p>Results are collected on the client ({@code collectAsync}) where the labels are, joined and handed back;
 * dead letters (records the job's validation refused) come back with their line numbers and reasons.
 */
public final class BoundedScoring {

    /** Validation and scoring settings; {@link #replayDefaults()} accepts any event time. */
    public record Settings(ValidationRules rules, ScoringSettings scoring) {
        /**
         * The job's defaults except the event-time window: history is old by definition, so event times
         * up to 200 years either side of now are accepted.
         */
        public static Settings replayDefaults() {
            long years200 = Duration.ofDays(200L * 365).toMillis();
            return new Settings(new ValidationRules(years200, years200, 100_000_000_000L, 64 * 1024),
                    new ScoringSettings(Duration.ofDays(90).toMillis(), 5, 5, 64 * 1024));
        }
    }

    /** A record the job refused. */
    public record Rejected(int partition, long line, String reason, String message) {}

    /**
     * @param scores        in scoring order, joined with labels
     * @param rejected      dead letters in output order
     * @param modelVersion  the model that scored (null when nothing was scored)
     * @param threshold     its alert threshold (NaN when nothing was scored)
     * @param latencyMicros per score, from the source reading the record to the score (pipeline latency at full load)
     * @param jobNanos      from submitting the job to its last result: includes Flink start-up and model loading
     * @param scoringNanos  from the first result to the last: the steady-state scoring time
     */
    public record Result(List<ScoredTransaction> scores, List<Rejected> rejected, String modelVersion, double threshold,
            long[] latencyMicros, long jobNanos, long scoringNanos) {

        /** Scores per second between the first and the last result. */
        public double eventsPerSecond() {
            return scoringNanos <= 0 ? Double.NaN : (scores.size() + rejected.size()) / (scoringNanos / 1e9);
        }
    }

    private BoundedScoring() {}

    public static Result run(Spool spool, ModelRepository.Factory model, Settings settings, Progress progress)
            throws Exception {
        long n = spool.records();
        if (n == 0) {
            return new Result(List.of(), List.of(), null, Double.NaN, new long[0], 0, 0);
        }
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);

        DataStream<RawRecord> transactions = env
                .fromSource(new NumberSequenceSource(0, n - 1), WatermarkStrategy.noWatermarks(), "replay input")
                .map(new ReplayFunctions.SpoolRecords(spool.file(), spool.topic()))
                .name("read spool");
        DataStream<ModelDescriptor> noUpdates = env.fromSequence(0, 0)
                .filter(x -> false)
                .map(new ReplayFunctions.NoDescriptors())
                .returns(new AvroTypeInfo<>(ModelDescriptor.class))
                .name("no model updates (pinned)");

        FraudScoringPipeline.Outputs outputs = FraudScoringPipeline.build(transactions, noUpdates,
                settings.rules(), settings.scoring(), model);
        DataStream<ReplayOutcome> results = outputs.scores().map(new ReplayFunctions.FromScore()).name("score out")
                .union(outputs.deadLetters().map(new ReplayFunctions.FromDeadLetter()).name("dead letter out"));

        Map<String, Boolean> labels = spool.labels();
        List<ScoredTransaction> scores = new ArrayList<>((int) Math.min(n, Integer.MAX_VALUE - 8));
        List<Rejected> rejected = new ArrayList<>();
        long[] latency = new long[(int) Math.min(n, Integer.MAX_VALUE - 8)];
        String version = null;
        double threshold = Double.NaN;
        long t0 = System.nanoTime();
        long first = -1;
        long count = 0;
        try (CloseableIterator<ReplayOutcome> it = results.collectAsync()) {
            JobClient job = env.executeAsync("replay-evaluation");
            while (it.hasNext()) {
                ReplayOutcome o = it.next();
                if (first < 0) {
                    first = System.nanoTime();
                }
                if (o.rejected) {
                    rejected.add(new Rejected(o.sourcePartition, o.sourceOffset, o.reason, o.message));
                } else {
                    if (scores.size() < latency.length) {
                        latency[scores.size()] = o.latencyMicros;
                    }
                    scores.add(new ScoredTransaction(o.transactionId, o.cardId, o.eventTimeMillis, o.score,
                            labels.get(o.transactionId)));
                    version = o.modelVersion;
                    threshold = o.threshold;
                }
                progress.tick("scored", ++count, n);
            }
            job.getJobExecutionResult().get();
        }
        long end = System.nanoTime();
        progress.done("scored", count);
        if (count != n) {
            // Every input record leaves as a score or a dead letter; anything else is a lost result.
            throw new IllegalStateException("bounded run returned " + count + " results for " + n + " records");
        }
        return new Result(scores, rejected, version, threshold, java.util.Arrays.copyOf(latency, scores.size()),
                end - t0, first < 0 ? 0 : end - first);
    }
}
