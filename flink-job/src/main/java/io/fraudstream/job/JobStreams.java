package io.fraudstream.job;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.job.scoring.CardHistorySerializer;
import io.fraudstream.features.CardHistory;
import io.fraudstream.features.HistoryChunk;
import io.fraudstream.job.scoring.CardStateHeader;
import io.fraudstream.job.scoring.CardStateSerializers;
import io.fraudstream.job.scoring.FeatureVector;
import io.fraudstream.job.scoring.RuleDecision;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import io.fraudstream.job.pop.PopCountsSerializer;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import io.fraudstream.features.pop.PopCounts;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.types.Either;
import org.apache.flink.util.OutputTag;

/**
 * Side-output tags, state descriptors and operator uids, in one place for operators and tests.
 * Uids are part of the savepoint contract: never change one without a state migration plan.
 */
public final class JobStreams {

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));
    public static final OutputTag<FraudAlert> ALERTS = new OutputTag<>("alerts", new AvroTypeInfo<>(FraudAlert.class));
    public static final OutputTag<FraudScore> SHADOW_SCORES =
            new OutputTag<>("shadow-scores", new AvroTypeInfo<>(FraudScore.class));
    /** The champion's feature vector of every scored transaction, when {@code ScoringSettings.emitFeatures()}. */
    public static final OutputTag<FeatureVector> FEATURES =
            new OutputTag<>("features", TypeInformation.of(FeatureVector.class));
    /** The analyst rules' decision on every scored transaction, when {@code RuleStage.Settings.emitDecisions()}. */
    public static final OutputTag<RuleDecision> RULE_DECISIONS =
            new OutputTag<>("rule-decisions", TypeInformation.of(RuleDecision.class));

    /**
     * The v1 card state: the card's whole history in one value ({@link CardHistorySerializer}). Read only to migrate
     * a card written by a release before the chunked state, on the card's first event (see {@code CardStateStore}).
     */
    public static final ValueStateDescriptor<CardHistory> CARD_HISTORY =
            new ValueStateDescriptor<>("card-history", CardHistorySerializer.INSTANCE);
    /** The card's history as append-only chunks of {@value HistoryChunk#CAPACITY} entries, by chunk index. */
    public static final MapStateDescriptor<Integer, HistoryChunk> CARD_CHUNKS =
            new MapStateDescriptor<>("card-chunks", IntSerializer.INSTANCE, CardStateSerializers.Chunk.INSTANCE);
    /**
     * The small header of {@link #CARD_CHUNKS}: live chunk range, window, ring head, and a per-chunk tag that marks
     * chunks still carrying the previous release's K/V (written back without them).
     */
    public static final ValueStateDescriptor<CardStateHeader> CARD_HEADER =
            new ValueStateDescriptor<>("card-header", CardStateSerializers.Header.INSTANCE);
    /** Processing time of the card's latest transaction, for the inactivity cleanup timer. */
    public static final ValueStateDescriptor<Long> LAST_SEEN = new ValueStateDescriptor<>("last-seen", Types.LONG);
    /** Current champion and shadow descriptors by role name (broadcast, identical on every subtask). */
    public static final MapStateDescriptor<String, ModelDescriptor> MODEL_DESCRIPTORS =
            new MapStateDescriptor<>("model-descriptors", Types.STRING, new AvroTypeInfo<>(ModelDescriptor.class));

    /**
     * The rule set in force under key {@link #ACTIVE_RULE_SET} (broadcast, identical on every subtask): only a set that
     * was verified and compiled is stored. Added with analyst rules; a savepoint from before has none (no rules).
     */
    public static final MapStateDescriptor<String, RuleSet> RULE_SETS =
            new MapStateDescriptor<>("rule-sets", Types.STRING, new AvroTypeInfo<>(RuleSet.class));
    public static final String ACTIVE_RULE_SET = "active";
    /** What reaches the scoring function's broadcast side: a model descriptor (left) or a rule set (right). */
    public static final TypeInformation<Either<ModelDescriptor, RuleSet>> CONTROL_TYPE = new EitherTypeInfo<>(
            new AvroTypeInfo<>(ModelDescriptor.class), new AvroTypeInfo<>(RuleSet.class));

    /**
     * Point-of-purchase hourly counts by merchant/terminal key (broadcast, identical on every subtask), written by
     * {@link PopCountsSerializer}. Releases before it wrote this state with Flink's POJO serializer; such a savepoint
     * restores (its snapshot is compatible after migration) and the next checkpoint is written compactly.
     */
    public static final MapStateDescriptor<String, PopCounts> POP_COUNTS =
            new MapStateDescriptor<>("pop-counts", StringSerializer.INSTANCE, new PopCountsSerializer());
    /** Point-of-purchase counts not yet flushed to the broadcast, keyed by merchant/terminal key. */
    public static final ValueStateDescriptor<PopCounts> POP_PENDING =
            new ValueStateDescriptor<>("pop-pending", TypeInformation.of(PopCounts.class));

    public static final String UID_TRANSACTIONS_SOURCE = "transactions-source";
    public static final String UID_MODEL_UPDATES_SOURCE = "model-updates-source";
    public static final String UID_DECODE = "decode-validate";
    public static final String UID_RULES_SOURCE = "rules-source";
    public static final String UID_MODEL_CONTROL = "model-updates-control";
    public static final String UID_RULES_CONTROL = "rules-control";
    public static final String UID_LABELS_SOURCE = "labels-source";
    public static final String UID_DECODE_LABELS = "decode-labels";
    public static final String UID_POP_AGGREGATE = "pop-aggregate";
    public static final String UID_POP_ENRICH = "pop-enrich";
    public static final String UID_SCORE = "card-scoring";
    public static final String UID_SCORES_SINK = "scores-sink";
    public static final String UID_ALERTS_SINK = "alerts-sink";
    public static final String UID_SHADOW_SINK = "shadow-scores-sink";
    public static final String UID_DLQ_SINK = "dead-letters-sink";

    private JobStreams() {}
}
