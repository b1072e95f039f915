package io.fraudstream.replay.run;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.job.io.Clocks;
import io.fraudstream.job.io.RawRecord;
import io.fraudstream.job.scoring.RuleDecision;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

/** The small operators around the job's topology in a bounded run. */
final class ReplayFunctions {

    private ReplayFunctions() {}

    /**
     * Reads spool part i (the source emits the part numbers) and emits every record of it, in order. A card's
     * records are all in one part, so they leave here in spool order whichever subtask reads the part.
     */
    static final class SpoolPartRecords extends RichFlatMapFunction<Long, RawRecord> {
        private static final long serialVersionUID = 1L;
        private final String[] parts;
        private final String topic;

        SpoolPartRecords(List<Path> parts, String topic) {
            this.parts = parts.stream().map(Path::toString).toArray(String[]::new);
            this.topic = topic;
        }

        @Override
        public void flatMap(Long part, Collector<RawRecord> out) throws IOException {
            try (Spool.Reader reader = new Spool.Reader(Path.of(parts[part.intValue()]))) {
                Spool.Entry e;
                while ((e = reader.next()) != null) {
                    out.collect(new RawRecord(topic, e.partition(), e.offset(), 0L, Clocks.nowMicros(), e.key(),
                            e.value()));
                }
            }
        }
    }

    /** Never called: the pinned run's model-updates input is empty. */
    static final class NoDescriptors implements MapFunction<Long, ModelDescriptor> {
        private static final long serialVersionUID = 1L;

        @Override
        public ModelDescriptor map(Long value) {
            throw new IllegalStateException("a pinned replay has no model updates");
        }
    }

    static final class FromScore implements MapFunction<FraudScore, ReplayOutcome> {
        private static final long serialVersionUID = 1L;
        private final int model;

        FromScore(int model) {
            this.model = model;
        }

        @Override
        public ReplayOutcome map(FraudScore s) {
            ReplayOutcome o = new ReplayOutcome();
            o.model = model;
            o.transactionId = s.getTransactionId();
            o.cardId = s.getCardId();
            o.eventTimeMillis = s.getEventTime().toEpochMilli();
            o.score = s.getScore();
            o.threshold = s.getThreshold();
            o.modelVersion = s.getModelVersion();
            o.latencyMicros = s.getProcessingLatencyMicros();
            return o;
        }
    }

    /** A rule decision ({@code RuleStage.Settings.emitDecisions}) as an outcome, joined to its score by the client. */
    static final class FromRuleDecision implements MapFunction<RuleDecision, ReplayOutcome> {
        private static final long serialVersionUID = 1L;
        private final int model;

        FromRuleDecision(int model) {
            this.model = model;
        }

        @Override
        public ReplayOutcome map(RuleDecision d) {
            ReplayOutcome o = new ReplayOutcome();
            o.model = model;
            o.transactionId = d.transactionId;
            o.cardId = d.cardId;
            o.eventTimeMillis = d.eventTimeMillis;
            o.rule = d;
            return o;
        }
    }

    static final class FromDeadLetter implements MapFunction<DeadLetter, ReplayOutcome> {
        private static final long serialVersionUID = 1L;
        private final int model;

        FromDeadLetter(int model) {
            this.model = model;
        }

        @Override
        public ReplayOutcome map(DeadLetter d) {
            ReplayOutcome o = new ReplayOutcome();
            o.model = model;
            o.rejected = true;
            o.sourcePartition = d.getSourcePartition();
            o.sourceOffset = d.getSourceOffset();
            o.reason = d.getReason().name();
            o.message = d.getMessage();
            return o;
        }
    }

    /**
     * Hands a model's results to the client through {@link LocalResults}: each subtask keeps its results in a list,
     * in arrival order, and delivers the list when its input ends.
     */
    static final class ToClient implements Sink<ReplayOutcome> {
        private static final long serialVersionUID = 1L;
        private final String run;
        private final int model;
        /** Whether these results count for progress (scores and dead letters do; rule decisions do not). */
        private final boolean counted;

        ToClient(String run, int model) {
            this(run, model, true);
        }

        ToClient(String run, int model, boolean counted) {
            this.run = run;
            this.model = model;
            this.counted = counted;
        }

        @Override
        public SinkWriter<ReplayOutcome> createWriter(WriterInitContext context) {
            return new Writer(LocalResults.of(run), model, counted);
        }

        private static final class Writer implements SinkWriter<ReplayOutcome> {
            /** Results between progress counts. */
            private static final int COUNT_EVERY = 4096;
            private final LocalResults results;
            private final int model;
            private final boolean counted;
            private List<ReplayOutcome> outcomes = new ArrayList<>();
            private int uncounted;

            Writer(LocalResults results, int model, boolean counted) {
                this.results = results;
                this.model = model;
                this.counted = counted;
            }

            @Override
            public void write(ReplayOutcome outcome, Context context) {
                if (outcomes.isEmpty()) {
                    results.started();
                }
                outcomes.add(outcome);
                if (counted && ++uncounted == COUNT_EVERY) {
                    results.counted(uncounted);
                    uncounted = 0;
                }
            }

            @Override
            public void flush(boolean endOfInput) {
                if (endOfInput) {
                    deliver();
                }
            }

            @Override
            public void close() {
                deliver();
            }

            private void deliver() {
                if (outcomes != null) {
                    results.counted(uncounted);
                    uncounted = 0;
                    results.deliver(model, outcomes);
                    outcomes = null;
                }
            }
        }
    }
}
