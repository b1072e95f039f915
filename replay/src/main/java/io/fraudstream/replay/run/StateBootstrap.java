package io.fraudstream.replay.run;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.job.FraudScoringPipeline;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.io.RawRecord;
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.job.scoring.CardStateBootstrap;
import io.fraudstream.job.scoring.ScoringSettings;
import io.fraudstream.job.validation.DecodeAndValidate;
import io.fraudstream.job.validation.TransactionEvent;
import io.fraudstream.job.validation.ValidationRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.StateBootstrapTransformation;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bootstraps the scoring job's card state from history: a savepoint, written with Flink's State Processor API, that
 * holds every card's last W transactions as raw fields only (nothing model-specific; W is the window of the
 * champion's configuration), exactly as the job would hold them after scoring the same transactions itself
 * (docs/DEPLOYMENT.md, "Bootstrapping card state"). The job started from it scores a bank's first day on full
 * histories.
 *
 * <p>Same path as a bounded replay ({@link BoundedScoring}): the spool split by card, the job's own decoding and
 * validation ({@link DecodeAndValidate}; refused records are counted, not stored), keyed by the job's key (the card
 * token, {@link FraudScoringPipeline.CardKey}) into key groups of the job's max parallelism, and written under the
 * scoring operator's uid ({@link JobStreams#UID_SCORE}) by the job's own state code ({@link CardStateBootstrap}).
 * Only the scoring operator's keyed state is written: sources start as their configuration says (no offsets in the
 * savepoint), and the model broadcast state is empty, so the job starts with its configured initial champion.
 */
public final class StateBootstrap {

    /**
     * @param rules          validation (replay's defaults accept any event time)
     * @param scoring        the job's card TTL (and the history cache the writer uses between a card's records)
     * @param maxParallelism the job's {@code pipeline.max-parallelism} (the job's default: 128); must match, or the
     *                       job refuses the savepoint
     * @param parallelism    writer subtasks
     * @param stateBackend   {@code hashmap} (state on the heap while writing) or {@code rocksdb} (on local disk);
     *                       either savepoint restores into either backend (canonical format)
     */
    public record Settings(ValidationRules rules, ScoringSettings scoring, int maxParallelism, int parallelism,
            String stateBackend) {
        public Settings {
            if (maxParallelism < 1 || maxParallelism > 32768) {
                throw new IllegalArgumentException("max parallelism must be in [1, 32768], was " + maxParallelism);
            }
            if (parallelism < 1 || parallelism > maxParallelism) {
                throw new IllegalArgumentException("parallelism must be in [1, max parallelism], was " + parallelism);
            }
            if (!stateBackend.equals("hashmap") && !stateBackend.equals("rocksdb")) {
                throw new IllegalArgumentException("state backend must be hashmap or rocksdb, was " + stateBackend);
            }
        }

        /** Replay's validation, the job's scoring defaults (TTL 90 days), max parallelism 128. */
        public static Settings defaults(int parallelism) {
            BoundedScoring.Settings replay = BoundedScoring.Settings.replayDefaults();
            return new Settings(replay.rules(), replay.scoring().withHistoryCache(200_000), 128, parallelism,
                    "hashmap");
        }

        public Settings withMaxParallelism(int n) {
            return new Settings(rules, scoring, n, parallelism, stateBackend);
        }

        public Settings withStateBackend(String backend) {
            return new Settings(rules, scoring, maxParallelism, parallelism, backend);
        }

        public Settings withCardTtlMillis(long ttl) {
            return new Settings(rules, scoring.withCardTtlMillis(ttl), maxParallelism, parallelism, stateBackend);
        }
    }

    /**
     * @param stored     transactions written into card histories
     * @param duplicates skipped: their transaction id was already in the card's history
     * @param rejected   refused by the job's validation (not stored)
     * @param cards      cards with state
     * @param nanos      wall time of the bootstrap job
     * @param refusals   the refused records by reason and field, most frequent first (sums to {@code rejected})
     */
    public record Result(long stored, long duplicates, long rejected, long cards, long nanos, List<Refusal> refusals) {}

    /**
     * Records the job's validation refused for one reason ({@code DeadLetterReason}) and field (null when the
     * refusal names none), with the message of the first of them (dead-letter messages never hold a card number).
     */
    public record Refusal(String reason, String field, long count, String firstMessage) {
        @Override
        public String toString() {
            return count + " " + reason + (field == null ? "" : " (" + field + ")") + ", first: " + firstMessage;
        }
    }

    private StateBootstrap() {}

    /**
     * Writes the savepoint of {@code spool}'s card histories to {@code savepointDir} (which must not exist or be
     * empty). {@code model}: the champion the job will start with (its configuration gives the window W).
     */
    public static Result write(Spool spool, ModelRepository.Factory model, Settings settings, Path savepointDir)
            throws Exception {
        if (Files.isDirectory(savepointDir)) {
            try (var entries = Files.list(savepointDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("savepoint directory is not empty: " + savepointDir);
                }
            }
        }
        // Generic types stay allowed: the State Processor API ships its own records (operator subtask states) with
        // Kryo. The job's types are the job's (checked there, NoKryoTest).
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.SERIALIZATION_CONFIG, List.of(NoRescaleKryoSerializer.TYPE
                + ": {type: kryo, kryo-type: default, class: " + NoRescaleKryoSerializer.class.getName() + "}"));
        String runId = java.util.UUID.randomUUID().toString();
        int parallelism = settings.parallelism();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);

        List<Path> parts = spool.parts(parallelism);
        SingleOutputStreamOperator<TransactionEvent> valid = env
                .fromSource(new NumberSequenceSource(0, parallelism - 1), WatermarkStrategy.noWatermarks(),
                        "bootstrap input parts")
                .flatMap(new ReplayFunctions.SpoolPartRecords(parts, spool.topic()))
                .returns(TypeInformation.of(RawRecord.class))
                .name("read spool part")
                .process(new DecodeAndValidate(settings.rules()))
                .name("decode + validate");
        valid.getSideOutput(JobStreams.DEAD_LETTERS).map(new CountRejected(runId)).returns(Types.LONG)
                .name("count refused records").sinkTo(new DiscardingSink<>());

        StateBootstrapTransformation<TransactionEvent> cards = OperatorTransformation
                .bootstrapWith(valid)
                .setMaxParallelism(settings.maxParallelism())
                .keyBy(new FraudScoringPipeline.CardKey(), Types.STRING)
                .transform(new WriteCardState(runId, model, settings.scoring()));
        StateBackend backend = settings.stateBackend().equals("rocksdb") ? new EmbeddedRocksDBStateBackend()
                : new HashMapStateBackend();
        SavepointWriter.newSavepoint(env, backend, settings.maxParallelism())
                .withOperator(OperatorIdentifier.forUid(JobStreams.UID_SCORE), cards)
                .write(savepointDir.toUri().toString());
        long t0 = System.nanoTime();
        Run run = new Run();
        RUNS.put(runId, run);
        try {
            JobClient job = env.executeAsync("bootstrap-card-state");
            while (true) {
                try {
                    job.getJobExecutionResult().get(250, TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException stillRunning) {
                    // The State Processor API runs the bootstrap function on a thread of its own and drops its
                    // exceptions (the job would then wait forever): the function reports them here.
                    Throwable failure = run.failure.get();
                    if (failure != null) {
                        job.cancel().get(60, TimeUnit.SECONDS);
                        throw new IllegalStateException("writing card state failed: " + failure, failure);
                    }
                }
            }
            if (run.failure.get() != null) {
                throw new IllegalStateException("writing card state failed: " + run.failure.get(), run.failure.get());
            }
            List<Refusal> refusals = new java.util.ArrayList<>();
            run.refusals.forEach((key, tally) -> refusals.add(new Refusal(key.get(0), key.get(1),
                    tally.count.sum(), tally.firstMessage)));
            refusals.sort(java.util.Comparator.comparingLong(Refusal::count).reversed()
                    .thenComparing(Refusal::reason));
            return new Result(run.stored.sum(), run.duplicates.sum(), run.rejected.sum(), run.cards.sum(),
                    System.nanoTime() - t0, List.copyOf(refusals));
        } finally {
            RUNS.remove(runId);
        }
    }

    /**
     * Counts and the first failure of one run, shared in memory with its functions: the bootstrap runs on a local
     * environment in this JVM, and the State Processor API gives a bootstrap function no accumulators that reach
     * the job's result.
     */
    private static final class Run {
        final LongAdder stored = new LongAdder();
        final LongAdder duplicates = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder cards = new LongAdder();
        /** By [reason, field] (field may be null). */
        final Map<List<String>, RefusalTally> refusals = new ConcurrentHashMap<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
    }

    /** Refused records of one [reason, field]: how many, and the message of the first. */
    private static final class RefusalTally {
        final LongAdder count = new LongAdder();
        final String firstMessage;

        RefusalTally(String firstMessage) {
            this.firstMessage = firstMessage;
        }
    }

    private static final Map<String, Run> RUNS = new ConcurrentHashMap<>();

    private static Run run(String id) {
        Run r = RUNS.get(id);
        if (r == null) {
            throw new IllegalStateException("bootstrap run " + id + " is not running in this JVM");
        }
        return r;
    }

    /** Counts the records the job's validation refused. */
    private static final class CountRejected implements MapFunction<DeadLetter, Long> {
        private static final long serialVersionUID = 1L;
        private final String runId;

        CountRejected(String runId) {
            this.runId = runId;
        }

        @Override
        public Long map(DeadLetter d) {
            Run r = run(runId);
            r.rejected.increment();
            List<String> key = java.util.Arrays.asList(d.getReason().name(), d.getField());
            r.refusals.computeIfAbsent(key, k -> new RefusalTally(d.getMessage())).count.increment();
            return 1L;
        }
    }

    /** Each card's transactions, in spool order, into the scoring operator's keyed state. */
    private static final class WriteCardState extends KeyedStateBootstrapFunction<String, TransactionEvent> {
        private static final long serialVersionUID = 1L;
        private static final Logger LOG = LoggerFactory.getLogger(WriteCardState.class);
        private final String runId;
        private final ModelRepository.Factory model;
        private final ScoringSettings scoring;
        private transient CardStateBootstrap writer;
        private transient Run run;

        WriteCardState(String runId, ModelRepository.Factory model, ScoringSettings scoring) {
            this.runId = runId;
            this.model = model;
            this.scoring = scoring;
        }

        @Override
        public void open(OpenContext openContext) throws Exception {
            run = run(runId);
            try {
                writer = new CardStateBootstrap(getRuntimeContext(), model, scoring);
            } catch (Exception | Error e) {
                fail(e);
                throw e;
            }
        }

        @Override
        public void processElement(TransactionEvent tx, Context ctx) throws Exception {
            try {
                switch (writer.add(ctx.getCurrentKey(), tx, ctx.timerService())) {
                    case FIRST_OF_CARD -> {
                        run.stored.increment();
                        run.cards.increment();
                    }
                    case STORED -> run.stored.increment();
                    case DUPLICATE -> run.duplicates.increment();
                }
            } catch (Exception | Error e) {
                fail(e);
                throw e;
            }
        }

        private void fail(Throwable e) {
            LOG.error("Writing card state failed", e);
            run.failure.compareAndSet(null, e);
        }

        @Override
        public void close() {
            if (writer != null) {
                writer.close();
            }
        }
    }
}
