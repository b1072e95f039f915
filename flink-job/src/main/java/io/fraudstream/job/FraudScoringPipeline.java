package io.fraudstream.job;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.job.io.RawRecord;
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.job.scoring.CardScoringFunction;
import io.fraudstream.job.scoring.ScoringSettings;
import io.fraudstream.job.validation.DecodeAndValidate;
import io.fraudstream.job.validation.TransactionEvent;
import io.fraudstream.job.validation.ValidationRules;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The scoring topology, from raw Kafka records and model descriptors to scores, alerts, shadow
 * scores and dead letters. Sources and sinks are the caller's: the job attaches Kafka, tests may
 * attach anything. Every stateful operator has a stable uid ({@link JobStreams}).
 */
public final class FraudScoringPipeline {

    /** The four outputs of the topology. */
    public record Outputs(DataStream<FraudScore> scores, DataStream<FraudAlert> alerts,
            DataStream<FraudScore> shadowScores, DataStream<DeadLetter> deadLetters) {}

    private FraudScoringPipeline() {}

    /** Transactions are keyed by card token: per-card order is the Kafka partition order. */
    public static final class CardKey implements KeySelector<TransactionEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(TransactionEvent tx) {
            return tx.cardId;
        }
    }

    public static Outputs build(DataStream<RawRecord> transactions, DataStream<ModelDescriptor> modelUpdates,
            ValidationRules rules, ScoringSettings settings, ModelRepository.Factory models) {
        SingleOutputStreamOperator<TransactionEvent> valid = transactions
                .process(new DecodeAndValidate(rules))
                .uid(JobStreams.UID_DECODE)
                .name("decode and validate");

        BroadcastStream<ModelDescriptor> descriptors = modelUpdates.broadcast(JobStreams.MODEL_DESCRIPTORS);
        SingleOutputStreamOperator<FraudScore> scores = valid
                .keyBy(new CardKey(), Types.STRING)
                .connect(descriptors)
                .process(new CardScoringFunction(models, settings))
                .uid(JobStreams.UID_SCORE)
                .name("score card transaction");

        DataStream<DeadLetter> deadLetters = valid.getSideOutput(JobStreams.DEAD_LETTERS)
                .union(scores.getSideOutput(JobStreams.DEAD_LETTERS));
        return new Outputs(scores, scores.getSideOutput(JobStreams.ALERTS),
                scores.getSideOutput(JobStreams.SHADOW_SCORES), deadLetters);
    }
}
