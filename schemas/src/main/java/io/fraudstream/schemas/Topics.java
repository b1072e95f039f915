package io.fraudstream.schemas;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.avro.Transaction;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every Kafka topic fraudstream reads or writes, with its key and value types. Keys are UTF-8
 * strings; values are Avro single-object encoded ({@link AvroCodec}). Topic names can be overridden
 * by configuration; these are the defaults.
 */
public final class Topics {

    /** A topic's default name and the types on it. */
    public record Topic<V extends SpecificRecord>(String name, String keyMeaning, Class<V> valueType) {}

    /** Card transactions from the bank's systems. Key: card id, so per-card order is partition order. */
    public static final Topic<Transaction> TRANSACTIONS = new Topic<>("transactions", "card id", Transaction.class);

    /** Records the job could not score, with the original bytes and a reason. Key: source topic-partition@offset. */
    public static final Topic<DeadLetter> TRANSACTIONS_DLQ =
            new Topic<>("transactions-dlq", "source topic-partition@offset", DeadLetter.class);

    /** One score per valid transaction from the champion model. Key: card id. */
    public static final Topic<FraudScore> FRAUD_SCORES = new Topic<>("fraud-scores", "card id", FraudScore.class);

    /** Scores of a shadow (candidate) model, for evaluation only. Key: card id. */
    public static final Topic<FraudScore> FRAUD_SCORES_SHADOW =
            new Topic<>("fraud-scores-shadow", "card id", FraudScore.class);

    /** Scores at or above the champion's threshold, with explanations, for analysts. Key: card id. */
    public static final Topic<FraudAlert> FRAUD_ALERTS = new Topic<>("fraud-alerts", "card id", FraudAlert.class);

    /** Model descriptors (pointers to signed bundles). Key: model role. */
    public static final Topic<ModelDescriptor> MODEL_UPDATES =
            new Topic<>("model-updates", "model role", ModelDescriptor.class);

    /** Confirmed fraud and chargebacks, days after the transaction. Key: card id. */
    public static final Topic<FraudLabel> FRAUD_LABELS = new Topic<>("fraud-labels", "card id", FraudLabel.class);

    /** Signed analyst rule sets, each version whole (compacted; read from the beginning). Key: rule-set name. */
    public static final Topic<RuleSet> RULES = new Topic<>("rules", "rule-set name", RuleSet.class);

    public static final List<Topic<?>> ALL = List.of(
            TRANSACTIONS, TRANSACTIONS_DLQ, FRAUD_SCORES, FRAUD_SCORES_SHADOW, FRAUD_ALERTS, MODEL_UPDATES, FRAUD_LABELS,
            RULES);

    private Topics() {}

    /**
     * The partitions the in-process demo and the test clusters create, as deploy/compose does: 4 for transactions,
     * 1 for the control topics (model descriptors and rule sets: every subtask reads one totally ordered stream of
     * them), 2 for the rest. A bank sizes its own.
     */
    public static int defaultPartitions(Topic<?> topic) {
        return topic == TRANSACTIONS ? 4 : topic == MODEL_UPDATES || topic == RULES ? 1 : 2;
    }
}
