package io.fraudstream.replay.run;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.job.io.Clocks;
import io.fraudstream.job.io.RawRecord;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/** The small operators around the job's topology in a bounded run. */
final class ReplayFunctions {

    private ReplayFunctions() {}

    /**
     * Turns record number i into the spool's i-th record. The number sequence source emits 0..n-1 in order
     * at parallelism 1, so this reads the spool sequentially; after a restart it reopens and skips ahead.
     */
    static final class SpoolRecords extends RichMapFunction<Long, RawRecord> {
        private static final long serialVersionUID = 1L;
        private final String file;
        private final String topic;
        private transient Spool.Reader reader;
        private transient long next;

        SpoolRecords(Path file, String topic) {
            this.file = file.toString();
            this.topic = topic;
        }

        @Override
        public void open(OpenContext openContext) throws IOException {
            reader = new Spool.Reader(Path.of(file));
            next = 0;
        }

        @Override
        public RawRecord map(Long index) throws IOException {
            if (index != next) {
                if (index < next) {
                    reader.close();
                    reader = new Spool.Reader(Path.of(file));
                    next = 0;
                }
                while (next < index) {
                    reader.next();
                    next++;
                }
            }
            Spool.Entry e = reader.next();
            if (e == null) {
                throw new IOException("spool " + file + " ended before record " + index);
            }
            next++;
            return new RawRecord(topic, e.partition(), e.offset(), 0L, Clocks.nowMicros(), e.key(), e.value());
        }

        @Override
        public void close() throws IOException {
            if (reader != null) {
                reader.close();
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

        @Override
        public ReplayOutcome map(FraudScore s) {
            ReplayOutcome o = new ReplayOutcome();
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

        @Override
        public ReplayOutcome map(DeadLetter d) {
            ReplayOutcome o = new ReplayOutcome();
            o.rejected = true;
            o.sourcePartition = d.getSourcePartition();
            o.sourceOffset = d.getSourceOffset();
            o.reason = d.getReason().name();
            o.message = d.getMessage();
            return o;
        }
    }
}
