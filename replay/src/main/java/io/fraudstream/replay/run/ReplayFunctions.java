package io.fraudstream.replay.run;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.job.io.Clocks;
import io.fraudstream.job.io.RawRecord;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;
import java.util.List;

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
}
