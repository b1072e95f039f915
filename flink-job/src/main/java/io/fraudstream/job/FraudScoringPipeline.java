package io.fraudstream.job;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.job.scoring.RuleStage;
import org.apache.flink.types.Either;
import io.fraudstream.job.io.RawRecord;
import io.fraudstream.job.model.ModelRepository;
import io.fraudstream.job.pop.LabelDecoder;
import io.fraudstream.job.pop.PointOfPurchaseInput;
import io.fraudstream.job.pop.PopAggregator;
import io.fraudstream.job.pop.PopDelta;
import io.fraudstream.job.pop.PopEnrichment;
import io.fraudstream.job.pop.PopTableEnrichment;
import io.fraudstream.job.pop.TransactionDeltas;
import io.fraudstream.job.scoring.CardScoringFunction;
import io.fraudstream.job.scoring.CardScoringOperator;
import io.fraudstream.job.scoring.FeatureVector;
import io.fraudstream.job.scoring.RuleDecision;
import io.fraudstream.job.scoring.ScoringSettings;
import io.fraudstream.job.validation.DeadLetterPayload;
import io.fraudstream.job.validation.DeadLetterPolicy;
import io.fraudstream.job.validation.DecodeAndValidate;
import io.fraudstream.job.validation.TransactionEvent;
import io.fraudstream.job.validation.ValidationRules;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.util.MathUtils;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The scoring topology, from raw Kafka records and model descriptors to scores, alerts, shadow
 * scores and dead letters. Sources and sinks are the caller's: the job attaches Kafka, tests may
 * attach anything. Every stateful operator has a stable uid ({@link JobStreams}).
 */
public final class FraudScoringPipeline {

    /**
     * The outputs of the topology: the four topics' streams, and the champion's feature vectors (empty unless
     * {@link ScoringSettings#emitFeatures()}) and the analyst rules' decision per scored event (empty unless
     * {@link RuleStage.Settings#emitDecisions()}).
     */
    public record Outputs(DataStream<FraudScore> scores, DataStream<FraudAlert> alerts,
            DataStream<FraudScore> shadowScores, DataStream<DeadLetter> deadLetters,
            DataStream<FeatureVector> features, DataStream<RuleDecision> ruleDecisions) {}

    private FraudScoringPipeline() {}

    /**
     * The edge from validation to the point-of-purchase enrichment. Every enrichment subtask holds every merchant's
     * and terminal's counts (broadcast state), so the job runs few of them ({@code point-of-purchase.parallelism},
     * default 1: the counts are held and checkpointed once, not once per subtask of the job). The edge must keep each
     * card's transactions in order: a card's transactions come from one Kafka partition, so from one validation
     * subtask, and channels are FIFO; the edge therefore sends all of a card's transactions down one channel. With one
     * enrichment subtask that is any edge (global); with more it is a partition by card, never a rebalance (which
     * would spread a card over subtasks whose outputs then race to the card keyBy).
     */
    static DataStream<TransactionEvent> toEnrichment(DataStream<TransactionEvent> valid, int enrichers) {
        if (enrichers == 1) {
            return valid.global();
        }
        return valid.partitionCustom(new CardPartitioner(), new CardKey());
    }

    /** A card's enrichment subtask: a hash of the card token (stable across restarts; no state is keyed by it). */
    static final class CardPartitioner implements Partitioner<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public int partition(String card, int partitions) {
            return Math.floorMod(MathUtils.murmurHash(card.hashCode()), partitions);
        }
    }

    /** Transactions are keyed by card token: per-card order is the Kafka partition order. */
    public static final class CardKey implements KeySelector<TransactionEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(TransactionEvent tx) {
            return tx.cardId;
        }
    }

    /** Without point-of-purchase features. */
    public static Outputs build(DataStream<RawRecord> transactions, DataStream<ModelDescriptor> modelUpdates,
            ValidationRules rules, ScoringSettings settings, ModelRepository.Factory models) {
        return build(transactions, modelUpdates, PointOfPurchaseInput.off(), rules, settings, models);
    }

    /**
     * The whole topology. With point-of-purchase features on, validated transactions pass through an enrichment
     * step before the card keyBy that attaches the merchant's and terminal's counts as known at the transaction's
     * event time (see {@link #toEnrichment} for how per-card order is kept).
     */
    public static Outputs build(DataStream<RawRecord> transactions, DataStream<ModelDescriptor> modelUpdates,
            PointOfPurchaseInput pop, ValidationRules rules, ScoringSettings settings,
            ModelRepository.Factory models) {
        return build(transactions, modelUpdates, null, RuleStage.Settings.OFF, pop, rules, settings, models);
    }

    /**
     * The whole topology with analyst rules: {@code ruleSets} (null: none) join the model descriptors on the scoring
     * function's broadcast side as one control stream; with {@code ruleSettings} on, the set in force is evaluated on
     * every scored event (docs/RULES.md).
     */
    public static Outputs build(DataStream<RawRecord> transactions, DataStream<ModelDescriptor> modelUpdates,
            DataStream<RuleSet> ruleSets, RuleStage.Settings ruleSettings, PointOfPurchaseInput pop,
            ValidationRules rules, ScoringSettings settings, ModelRepository.Factory models) {
        SingleOutputStreamOperator<TransactionEvent> valid = transactions
                .process(new DecodeAndValidate(rules))
                .uid(JobStreams.UID_DECODE)
                .name("decode and validate");

        DataStream<TransactionEvent> toScore = valid;
        DataStream<DeadLetter> labelDeadLetters = null;
        if (pop.table() != null) {
            toScore = valid.map(new PopTableEnrichment(pop.table()))
                    .uid(JobStreams.UID_POP_ENRICH)
                    .name("point-of-purchase features (precomputed)");
        } else if (pop.enabled()) {
            DataStream<PopDelta> deltas = valid.flatMap(new TransactionDeltas()).name("point-of-purchase counts");
            if (pop.labels() != null) {
                SingleOutputStreamOperator<PopDelta> labelDeltas = pop.labels()
                        .process(new LabelDecoder(rules.deadLetters(), rules.maxEventLeadMillis()))
                        .uid(JobStreams.UID_DECODE_LABELS)
                        .name("decode fraud labels");
                labelDeadLetters = labelDeltas.getSideOutput(JobStreams.DEAD_LETTERS);
                deltas = deltas.union(labelDeltas);
            }
            DataStream<PopDelta> flushed = deltas
                    .keyBy(d -> d.key, Types.STRING)
                    .process(new PopAggregator(pop.flushMillis()))
                    .uid(JobStreams.UID_POP_AGGREGATE)
                    .name("aggregate point-of-purchase counts");
            int enrichers = pop.enrichmentParallelism();
            toScore = toEnrichment(valid, enrichers).connect(flushed.broadcast(JobStreams.POP_COUNTS))
                    .process(new PopEnrichment())
                    .uid(JobStreams.UID_POP_ENRICH)
                    .name("point-of-purchase features")
                    .setParallelism(enrichers);
        }

        // One control stream for the one broadcast input: model descriptors (left) and rule sets (right). The
        // broadcast state descriptors are unchanged plus RULE_SETS, so savepoints from before rules still restore.
        DataStream<Either<ModelDescriptor, RuleSet>> control = modelUpdates
                .map(d -> Either.<ModelDescriptor, RuleSet>Left(d)).returns(JobStreams.CONTROL_TYPE)
                .uid(JobStreams.UID_MODEL_CONTROL).name("model descriptors")
                .setParallelism(modelUpdates.getParallelism());
        if (ruleSets != null) {
            control = control.union(ruleSets
                    .map(r -> Either.<ModelDescriptor, RuleSet>Right(r)).returns(JobStreams.CONTROL_TYPE)
                    .uid(JobStreams.UID_RULES_CONTROL).name("rule sets")
                    .setParallelism(ruleSets.getParallelism()));
        }
        // The scoring operator registers the broadcast state of MODEL_DESCRIPTORS and RULE_SETS, as
        // connect(control.broadcast(descriptors)).process(function) would, and warms its history cache when it opens.
        SingleOutputStreamOperator<FraudScore> scores = CardScoringOperator.score(
                        toScore.keyBy(new CardKey(), Types.STRING), control,
                        new CardScoringFunction(models, settings, pop.enabled(), true, ruleSettings),
                        "score card transaction")
                .uid(JobStreams.UID_SCORE);

        DataStream<DeadLetter> scoringDeadLetters = scores.getSideOutput(JobStreams.DEAD_LETTERS);
        if (rules.deadLetterPayload() == DeadLetterPayload.WITHHELD) {
            // The scoring function builds its own dead letters (duplicates, scoring failures): withhold theirs too.
            DeadLetterPolicy policy = rules.deadLetters();
            scoringDeadLetters = scoringDeadLetters.map(policy::enforce).returns(JobStreams.DEAD_LETTERS.getTypeInfo())
                    .name("withhold dead-letter payloads");
        }
        DataStream<DeadLetter> deadLetters = valid.getSideOutput(JobStreams.DEAD_LETTERS).union(scoringDeadLetters);
        if (labelDeadLetters != null) {
            deadLetters = deadLetters.union(labelDeadLetters);
        }
        return new Outputs(scores, scores.getSideOutput(JobStreams.ALERTS),
                scores.getSideOutput(JobStreams.SHADOW_SCORES), deadLetters, scores.getSideOutput(JobStreams.FEATURES),
                scores.getSideOutput(JobStreams.RULE_DECISIONS));
    }
}
