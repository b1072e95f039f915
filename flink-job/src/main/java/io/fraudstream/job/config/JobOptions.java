package io.fraudstream.job.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.fraudstream.job.validation.DeadLetterPayload;
import io.fraudstream.schemas.Topics;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * Every setting of the fraud-scoring job: key, type, default and meaning. {@link JobConfig} reads and
 * validates them; the README's configuration table is this class. Keys under {@code kafka.properties.}
 * are passed through to every Kafka client (security settings such as SASL/SSL go there).
 */
public final class JobOptions {

    /** Delivery guarantee of the score, alert and dead-letter sinks. */
    public enum Delivery {
        /** Scores visible immediately; after a failure some may be written twice (deduplicate by transactionId). */
        AT_LEAST_ONCE,
        /** Kafka transactions committed on checkpoints: no duplicates for read_committed consumers; latency ≥ checkpoint interval. */
        EXACTLY_ONCE
    }

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = key("kafka.bootstrap-servers")
            .stringType().noDefaultValue()
            .withDescription("Kafka bootstrap servers (host:port,...). Required.");

    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";

    public static final ConfigOption<String> GROUP_ID = key("kafka.group-id")
            .stringType().defaultValue("fraud-scoring")
            .withDescription("Consumer group id of the transaction source (offsets are also kept in checkpoints).");

    public static final ConfigOption<String> START_FROM = key("kafka.start-from")
            .stringType().defaultValue("committed")
            .withDescription("Where a job without a checkpoint or savepoint starts reading topic.transactions: committed "
                    + "(the group's committed offsets, else the end: only new transactions), latest, earliest (scores "
                    + "and alerts on all retained, possibly days-old, traffic) or an ISO-8601 time such as "
                    + "2026-12-01T00:00:00Z. A restored job continues from its snapshot's offsets.");

    public static final ConfigOption<String> TRANSACTIONS_TOPIC = key("topic.transactions")
            .stringType().defaultValue(Topics.TRANSACTIONS.name()).withDescription("Input topic of transactions.");
    public static final ConfigOption<String> SCORES_TOPIC = key("topic.scores")
            .stringType().defaultValue(Topics.FRAUD_SCORES.name()).withDescription("Output topic for every score.");
    public static final ConfigOption<String> SHADOW_SCORES_TOPIC = key("topic.shadow-scores")
            .stringType().defaultValue(Topics.FRAUD_SCORES_SHADOW.name()).withDescription("Output topic for shadow-model scores.");
    public static final ConfigOption<String> ALERTS_TOPIC = key("topic.alerts")
            .stringType().defaultValue(Topics.FRAUD_ALERTS.name()).withDescription("Output topic for explained alerts.");
    public static final ConfigOption<String> DEAD_LETTER_TOPIC = key("topic.dead-letters")
            .stringType().defaultValue(Topics.TRANSACTIONS_DLQ.name()).withDescription("Output topic for rejected records.");
    public static final ConfigOption<String> MODEL_UPDATES_TOPIC = key("topic.model-updates")
            .stringType().defaultValue(Topics.MODEL_UPDATES.name()).withDescription("Input topic of model descriptors (compacted).");

    public static final ConfigOption<String> LABELS_TOPIC = key("topic.labels")
            .stringType().defaultValue(Topics.FRAUD_LABELS.name())
            .withDescription("Input topic of fraud labels (confirmed frauds, chargebacks) for point-of-purchase features.");

    public static final ConfigOption<Boolean> POP_ENABLED = key("point-of-purchase.enabled")
            .booleanType().defaultValue(false)
            .withDescription("Count transactions and reported frauds (topic.labels, which must exist) per merchant and "
                    + "terminal and attach them to each transaction (docs/POINT_OF_PURCHASE.md). When false, models "
                    + "that use them are refused.");
    public static final ConfigOption<Duration> POP_FLUSH_INTERVAL = key("point-of-purchase.flush-interval")
            .durationType().defaultValue(Duration.ofSeconds(1))
            .withDescription("How often per-merchant/terminal counts are flushed to the scoring side; must stay far "
                    + "below the 1 h settle time.");
    public static final ConfigOption<Integer> POP_PARALLELISM = key("point-of-purchase.parallelism")
            .intType().defaultValue(1)
            .withDescription("Subtasks of the point-of-purchase enrichment step, each of which holds every merchant's "
                    + "and terminal's counts (broadcast state): the state is stored this many times, whatever the job's "
                    + "parallelism. 1 (the default) holds it once; raise it only if one subtask cannot keep up "
                    + "(docs/POINT_OF_PURCHASE.md). Per-card order is kept at any value.");

    public static final ConfigOption<Boolean> RULES_ENABLED = key("rules.enabled")
            .booleanType().defaultValue(false)
            .withDescription("Read signed analyst rule sets from topic.rules (which must exist) and evaluate the one in "
                    + "force on every scored event (docs/RULES.md); rule sets must be signed with model.public-key's "
                    + "private key.");
    public static final ConfigOption<String> RULES_TOPIC = key("topic.rules")
            .stringType().defaultValue(Topics.RULES.name())
            .withDescription("Input topic of signed rule sets (compacted; read from the beginning).");

    public static final ConfigOption<Delivery> DELIVERY = key("delivery.guarantee")
            .enumType(Delivery.class).defaultValue(Delivery.AT_LEAST_ONCE)
            .withDescription("AT_LEAST_ONCE (low latency, consumers deduplicate) or EXACTLY_ONCE (Kafka transactions, latency >= checkpoint interval).");
    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = key("delivery.transactional-id-prefix")
            .stringType().defaultValue("fraud-scoring")
            .withDescription("Prefix of Kafka transactional ids in EXACTLY_ONCE mode; unique per job on a cluster.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = key("checkpoint.interval")
            .durationType().defaultValue(Duration.ofSeconds(10))
            .withDescription("Checkpoint interval when neither this nor Flink's execution.checkpointing.interval (job "
                    + "argument or the cluster's configuration) is set; when set, this wins. In EXACTLY_ONCE mode scores "
                    + "become visible at this pace.");

    public static final ConfigOption<String> MODEL_STORE = key("model.store")
            .stringType().noDefaultValue()
            .withDescription("Directory holding signed model bundles. Required.");
    public static final ConfigOption<String> MODEL_PUBLIC_KEY = key("model.public-key")
            .stringType().noDefaultValue()
            .withDescription("Ed25519 public key file (X.509) that model bundles must be signed with. Required.");
    public static final ConfigOption<String> MODEL_INITIAL_DESCRIPTOR = key("model.initial-descriptor")
            .stringType().noDefaultValue()
            .withDescription("Avro-JSON ModelDescriptor file of the champion to start with. Required; newer descriptors on the model-updates topic replace it.");
    public static final ConfigOption<Long> MODEL_MAX_BYTES = key("model.max-bytes")
            .longType().defaultValue(64L * 1024 * 1024)
            .withDescription("Largest accepted model bundle in bytes.");

    public static final ConfigOption<Duration> CARD_STATE_TTL = key("state.card-ttl")
            .durationType().defaultValue(io.fraudstream.model.scoring.CardScorer.DEFAULT_CARD_TTL)
            .withDescription("A card's history is forgotten after this much inactivity (event time gap between its transactions), and its state deleted after this much processing time without a transaction (up to a hundredth of it, at most a minute, later: the last-seen time is written once per such granule, not on every event).");

    public static final ConfigOption<Long> HISTORY_CACHE_TRANSACTIONS = key("state.card-cache-transactions")
            .longType().defaultValue(4_000_000L)
            .withDescription("Transactions of the most recently used card histories kept deserialized (raw fields "
                    + "and their tokens; no K/V caches), per subtask (about 100 bytes each; the cache also stays "
                    + "within a quarter of the heap shared by the subtasks of a JVM), with every state backend. 0 "
                    + "turns the cache off: every event then rebuilds its card's history from the state's chunks.");

    public static final ConfigOption<Integer> CARD_WRITE_BEHIND = key("state.card-write-behind")
            .intType().defaultValue(10_000)
            .withDescription("Most cards per scoring subtask whose latest changes (tail chunk and header) are held in "
                    + "the history cache and not yet written to the state backend. A card seen several times between "
                    + "two checkpoints is written once; beyond this many, the card whose last change is oldest is "
                    + "written at once, and the checkpoint barrier writes the rest. This bounds the barrier's writes, "
                    + "during which the subtask scores nothing (20-50 us a card on RocksDB): with millions of cards "
                    + "most events are of different cards, and unbounded, the barrier would write every card seen "
                    + "since the last checkpoint. Keep it above the cards a subtask sees several times per checkpoint "
                    + "interval, which would otherwise be written several times. 0: every event writes through.");

    public static final ConfigOption<Duration> CARD_WRITE_IDLE = key("state.card-write-idle")
            .durationType().defaultValue(Duration.ofSeconds(2))
            .withDescription("A card whose deferred changes (see state.card-write-behind) are this old is written "
                    + "between barriers, a few per event, oldest first, instead of at the next checkpoint barrier. "
                    + "With a bank's cold cards (most seen once per checkpoint interval) the barrier then writes only "
                    + "the cards changed in the last moments before it, not every card of the interval, and the "
                    + "scoring pause it causes shrinks with it; a card seen again within this time stays coalesced. "
                    + "Shorter than the gap between a hot card's events writes those cards several times per "
                    + "interval. 0 s: changes wait for the barrier (or the state.card-write-behind bound).");

    public static final ConfigOption<Duration> HISTORY_CACHE_WARM_TIME = key("state.card-cache-warm-time")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("When the scoring operator opens (after a restore: a failover, an upgrade, a bootstrap "
                    + "savepoint), each subtask fills its history cache from state in one pass over its cards before "
                    + "it takes traffic, for at most this long or until the cache is full, so the first event of each "
                    + "warmed card reads nothing from the state backend. Lengthens the restore by up to this much. "
                    + "0 s turns it off.");

    public static final ConfigOption<Duration> SHADOW_MAX_LAG = key("shadow.max-lag")
            .durationType().defaultValue(Duration.ofMillis(50))
            .withDescription("A shadow model scores a live transaction only if it reaches the scoring task at most this "
                    + "long after its Kafka record's timestamp; a later one is scored by the champion alone and counted "
                    + "(fraudstreamShadowSkipped), so a shadow never deepens a backlog the champion has to work off (a "
                    + "start after a restore, a catch-up after downtime). 0 s: the shadow scores every transaction "
                    + "however far behind the job is. Bounded runs (source.bounded, replay) never skip: their shadow "
                    + "scores are deterministic.");

    public static final ConfigOption<Duration> MAX_EVENT_AGE = key("validation.max-event-age")
            .durationType().defaultValue(Duration.ofDays(3650))
            .withDescription("Transactions older than this (event time before now minus this) are dead-lettered. Raise it to replay older history.");
    public static final ConfigOption<Duration> MAX_EVENT_LEAD = key("validation.max-event-lead")
            .durationType().defaultValue(Duration.ofDays(1))
            .withDescription("Transactions dated more than this in the future are dead-lettered.");
    public static final ConfigOption<Long> MAX_AMOUNT_MINOR = key("validation.max-amount-minor")
            .longType().defaultValue(io.fraudstream.model.scoring.WireTransactions.DEFAULT_MAX_AMOUNT_MINOR)
            .withDescription("Largest plausible amount in minor units; larger amounts are dead-lettered.");
    public static final ConfigOption<Integer> DEAD_LETTER_MAX_PAYLOAD = key("dead-letter.max-payload-bytes")
            .intType().defaultValue(64 * 1024)
            .withDescription("With dead-letter.payload=truncated: original bytes kept in a dead letter; longer payloads "
                    + "are truncated (and flagged).");
    public static final ConfigOption<DeadLetterPayload> DEAD_LETTER_PAYLOAD =
            key("dead-letter.payload")
            .enumType(DeadLetterPayload.class)
            .defaultValue(DeadLetterPayload.TRUNCATED)
            .withDescription("What a dead letter keeps of the rejected record: full (value and key; values over 900,000 "
                    + "bytes cut), truncated (the first dead-letter.max-payload-bytes, and the key) or withheld (neither: "
                    + "coordinates, reason and message only). A record with a full card number is always withheld.");

    public static final ConfigOption<Integer> ALERT_TOP_ATTENDED = key("alert.top-attended")
            .intType().defaultValue(5)
            .withDescription("Most-attended past transactions listed in an alert.");
    public static final ConfigOption<Integer> ALERT_TOP_CONTRIBUTIONS = key("alert.top-contributions")
            .intType().defaultValue(5)
            .withDescription("Strongest feature contributions listed in an alert.");

    public static final ConfigOption<Double> ALERT_BUDGET = key("alert.budget")
            .doubleType().defaultValue(0.0)
            .withDescription("Share of transactions that may alert (e.g. 0.01 for 1 %), held on live scores: the threshold "
                    + "is the score above which this share of the champion's scores of the last alert.budget-window lay "
                    + "(per subtask, per model; shadows get their own). The model's own threshold applies while the "
                    + "window is thin. 0 (default): the model's threshold always decides (docs/DEPLOYMENT.md).");
    public static final ConfigOption<Duration> ALERT_BUDGET_WINDOW = key("alert.budget-window")
            .durationType().defaultValue(io.fraudstream.model.scoring.AlertBudget.Settings.DEFAULT_WINDOW)
            .withDescription("Event time the alert budget's quantile looks back over; the threshold moves every 1/24 of "
                    + "it.");
    public static final ConfigOption<Integer> ALERT_BUDGET_MIN_ALERTS = key("alert.budget-min-alerts")
            .intType().defaultValue(io.fraudstream.model.scoring.AlertBudget.Settings.DEFAULT_MIN_ALERTS)
            .withDescription("The budget's window must hold at least this many alerts' worth of scores (this divided "
                    + "by alert.budget) before its quantile replaces the model's threshold.");

    public static final ConfigOption<Integer> PARALLELISM = key("job.parallelism")
            .intType().defaultValue(-1)
            .withDescription("Job parallelism; -1 keeps the environment's default.");
    public static final ConfigOption<Boolean> BOUNDED = key("source.bounded")
            .booleanType().defaultValue(false)
            .withDescription("Stop at the topic's end offsets as of start-up (replay and tests) instead of running forever.");

    /** Every option the job knows; any other key (outside kafka.properties.* and Flink's own) is a typo. */
    public static final List<ConfigOption<?>> ALL = List.of(
            BOOTSTRAP_SERVERS, GROUP_ID, START_FROM, TRANSACTIONS_TOPIC, SCORES_TOPIC, SHADOW_SCORES_TOPIC, ALERTS_TOPIC,
            DEAD_LETTER_TOPIC, MODEL_UPDATES_TOPIC, LABELS_TOPIC, RULES_ENABLED, RULES_TOPIC, POP_ENABLED, POP_FLUSH_INTERVAL, POP_PARALLELISM, DELIVERY, TRANSACTIONAL_ID_PREFIX, CHECKPOINT_INTERVAL,
            MODEL_STORE, MODEL_PUBLIC_KEY, MODEL_INITIAL_DESCRIPTOR, MODEL_MAX_BYTES,
            CARD_STATE_TTL, HISTORY_CACHE_TRANSACTIONS, CARD_WRITE_BEHIND, CARD_WRITE_IDLE, HISTORY_CACHE_WARM_TIME, SHADOW_MAX_LAG,
            MAX_EVENT_AGE,
            MAX_EVENT_LEAD, MAX_AMOUNT_MINOR, DEAD_LETTER_MAX_PAYLOAD, DEAD_LETTER_PAYLOAD, ALERT_TOP_ATTENDED, ALERT_TOP_CONTRIBUTIONS,
            ALERT_BUDGET, ALERT_BUDGET_WINDOW, ALERT_BUDGET_MIN_ALERTS, PARALLELISM, BOUNDED);

    /**
     * Settings of earlier releases that no longer do anything, with why: accepted (a start-up warning names them) so
     * that an existing configuration keeps working, where any other unknown key fails.
     */
    public static final java.util.Map<String, String> RETIRED = java.util.Map.of(
            "model.kv-refresh-chunk", "a swap recomputes nothing any more (histories hold no model's keys or values)",
            "model.kv-refresh-window", "a swap recomputes nothing any more (histories hold no model's keys or values)");

    private JobOptions() {}
}
