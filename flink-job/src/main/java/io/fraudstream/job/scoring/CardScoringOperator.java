package io.fraudstream.job.scoring;

import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.validation.TransactionEvent;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.types.Either;

/**
 * The operator that runs {@link CardScoringFunction}: Flink's keyed-broadcast operator (what
 * {@code keyedStream.connect(broadcastStream).process(function)} builds, with the same state), plus one step when it
 * opens, before it takes any record: the history cache is filled from the restored state
 * ({@link CardStateStore#warm}); and the per-event writes of a card (its tail chunk and header) are deferred to the
 * next checkpoint barrier or the card's eviction from the cache ({@link CardStateStore#deferWrites}). A {@code KeyedBroadcastProcessFunction} cannot reach the keyed state backend's keys
 * outside a broadcast element, so this step lives in the operator.
 */
public final class CardScoringOperator
        extends CoBroadcastWithKeyedOperator<String, TransactionEvent, Either<ModelDescriptor, RuleSet>, FraudScore> {

    private static final long serialVersionUID = 1L;

    private final CardScoringFunction function;

    public CardScoringOperator(CardScoringFunction function) {
        super(function, List.of(JobStreams.MODEL_DESCRIPTORS, JobStreams.RULE_SETS));
        this.function = function;
    }

    @Override
    public void open() throws Exception {
        super.open(); // opens the function: its state handles and cache exist from here on
        function.attachBackend(getKeyedStateBackend());
    }

    /** Before the barrier leaves: every card changed since the last checkpoint is written to state. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        function.flushState();
    }

    /**
     * Scores {@code cards} (keyed by card) with the model and rule updates of {@code control}, which reaches every
     * subtask (broadcast) into the broadcast state of {@link JobStreams#MODEL_DESCRIPTORS} and
     * {@link JobStreams#RULE_SETS}.
     */
    public static SingleOutputStreamOperator<FraudScore> score(KeyedStream<TransactionEvent, String> cards,
            DataStream<Either<ModelDescriptor, RuleSet>> control, CardScoringFunction function, String name) {
        return cards.connect(control.broadcast())
                .transform(name, TypeInformation.of(FraudScore.class), new CardScoringOperator(function));
    }
}
