package io.fraudstream.trainer;

import io.fraudstream.model.scoring.WireTransactions;
import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.LabelValue;
import io.fraudstream.avro.Transaction;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.Topics;
import io.fraudstream.schemas.WireFormatException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Labelled history read back from Kafka: the {@code transactions} topic over an event-time range joined with the
 * {@code fraud-labels} topic by transaction id, as {@link LabelledData} (per-card sequences in the job's order).
 *
 * <p>Contract:
 * <ul>
 *   <li>Both topics are read from the beginning to their end offsets as of the start of the read (every partition,
 *       {@code read_committed}; no consumer group, nothing committed). Kafka record timestamps are not used:
 *       they are producer clocks, not event times.</li>
 *   <li>A transaction is kept when its event time is in {@code [from, to)}. Each card's sequence is rebuilt in
 *       (event time, transaction id) order, whatever the partition or arrival order.</li>
 *   <li>A label counts only when it was reported before {@code to} (label delay: what was not known at the end
 *       of the window cannot be learned from). For one transaction the latest such label wins (a chargeback
 *       reversed by an analyst). FRAUD makes the transaction fraud; GENUINE or no label leaves it genuine
 *       (labels report confirmed fraud; the absence of a label is the genuine class, as in every public
 *       fraud data set).</li>
 *   <li>Bad records are counted by reason in {@link Stats} and skipped, never fatal: undecodable bytes or an unknown
 *       schema, a record without value, a transaction the extractor cannot take (negative amount, ...), a
 *       repeated transaction id (the first one is kept), a label whose card differs from its transaction's,
 *       a label whose transaction is not on the topic.</li>
 * </ul>
 * Memory is proportional to the transactions in range (one {@link LabelledTransaction} each) plus the labels.
 */
public final class KafkaLabelledHistory {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaLabelledHistory.class);

    /** Reasons in {@link Stats#skipped()}. */
    public static final String UNDECODABLE = "undecodable";
    public static final String NO_VALUE = "no value";
    public static final String INVALID = "invalid transaction";
    public static final String DUPLICATE = "duplicate transaction id";
    public static final String CARD_MISMATCH = "label card differs from the transaction's";
    public static final String UNMATCHED = "label for a transaction not on the topic";

    /** Where to read and what range. */
    public record Source(String bootstrapServers, Map<String, Object> clientProperties, String transactionsTopic,
            String labelsTopic, Duration timeout) {
        public Source {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            clientProperties = Map.copyOf(clientProperties);
            Objects.requireNonNull(transactionsTopic, "transactionsTopic");
            Objects.requireNonNull(labelsTopic, "labelsTopic");
            Objects.requireNonNull(timeout, "timeout");
        }

        /** The default topic names of {@link Topics}, no extra client settings, 10 minutes to read both. */
        public static Source of(String bootstrapServers) {
            return new Source(bootstrapServers, Map.of(), Topics.TRANSACTIONS.name(), Topics.FRAUD_LABELS.name(),
                    Duration.ofMinutes(10));
        }
    }

    /**
     * What the read saw.
     *
     * @param transactionRecords records read off the transactions topic
     * @param transactionsInRange transactions kept (event time in range, valid, first of their id)
     * @param outOfRange valid transactions outside the range
     * @param labelRecords records read off the labels topic
     * @param labelsApplied labels that decided a kept transaction's class (at most one per transaction)
     * @param fraudLabelled kept transactions labelled fraud
     * @param labelsReportedLate labels reported at or after {@code to} (not counted)
     * @param labelsOutOfRange labels of transactions on the topic but outside the range
     * @param skipped bad records by reason (see the class comment)
     */
    public record Stats(long transactionRecords, long transactionsInRange, long outOfRange, long labelRecords,
            long labelsApplied, long fraudLabelled, long labelsReportedLate, long labelsOutOfRange,
            Map<String, Long> skipped) {
        public long skippedTotal() {
            return skipped.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** The data and how it was read. */
    public record Result(LabelledData data, Stats stats) {}

    private KafkaLabelledHistory() {}

    /** Reads transactions with event time in {@code [from, to)} and the labels reported before {@code to}. */
    public static Result read(Source source, Instant from, Instant to) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("from-time " + from + " must be before to-time " + to);
        }
        long t0 = System.nanoTime();
        long fromMs = from.toEpochMilli();
        long toMs = to.toEpochMilli();
        Map<String, Long> skipped = new TreeMap<>();
        AvroCodec<Transaction> txCodec = AvroCodec.of(Transaction.class);
        AvroCodec<FraudLabel> labelCodec = AvroCodec.of(FraudLabel.class);
        long deadline = System.nanoTime() + source.timeout().toNanos();

        // Labels first (few): the latest label reported before `to` of each (transaction, card).
        Map<String, FraudLabel> labels = new HashMap<>(); // (transaction id, card) -> latest label
        long[] labelRecords = {0};
        long[] late = {0};
        readTopic(source, source.labelsTopic(), deadline, value -> {
            labelRecords[0]++;
            if (value == null) {
                count(skipped, "label " + NO_VALUE);
                return;
            }
            FraudLabel l;
            try {
                l = labelCodec.decode(value);
            } catch (WireFormatException e) {
                count(skipped, "label " + UNDECODABLE + " (" + e.reason() + ")");
                return;
            }
            if (!l.getReportedAt().isBefore(to)) {
                late[0]++;
                return;
            }
            // Keyed with the card too, so a label naming the wrong card never overrides a right one.
            labels.merge(labelKey(l.getTransactionId(), l.getCardId()), l,
                    (a, b) -> b.getReportedAt().isBefore(a.getReportedAt()) ? a : b);
        });

        Map<String, String> seen = new HashMap<>(); // transaction id -> card id, kept or out of range
        WireTransactions wire = new WireTransactions();
        List<LabelledTransaction> kept = new ArrayList<>();
        long[] txRecords = {0};
        long[] outOfRange = {0};
        readTopic(source, source.transactionsTopic(), deadline, value -> {
            txRecords[0]++;
            if (value == null) {
                count(skipped, "transaction " + NO_VALUE);
                return;
            }
            Transaction tx;
            try {
                tx = txCodec.decode(value);
            } catch (WireFormatException e) {
                count(skipped, "transaction " + UNDECODABLE + " (" + e.reason() + ")");
                return;
            }
            if (seen.putIfAbsent(tx.getTransactionId(), tx.getCardId()) != null) {
                count(skipped, "transaction " + DUPLICATE);
                return;
            }
            long t = tx.getEventTime().toEpochMilli();
            if (t < fromMs || t >= toMs) {
                outOfRange[0]++;
                return;
            }
            // The job's own rules (WireTransactions): what it would dead-letter is skipped and counted, never guessed.
            if (wire.check(tx, WireTransactions.DEFAULT_MAX_AMOUNT_MINOR) != null) {
                seen.remove(tx.getTransactionId());
                count(skipped, "transaction " + INVALID);
                return;
            }
            kept.add(new LabelledTransaction(tx.getCardId(), wire.toRaw(tx), false, tx.getTerminalId(),
                    LabelledTransaction.UNKNOWN_REPORT_TIME));
        });

        long applied = 0;
        long fraud = 0;
        long labelsOutOfRange = 0;
        List<LabelledTransaction> labelled = new ArrayList<>(kept.size());
        java.util.Set<String> keptIds = new java.util.HashSet<>(kept.size() * 2);
        for (LabelledTransaction t : kept) {
            keptIds.add(t.tx().transactionId());
        }
        for (FraudLabel l : labels.values()) {
            String card = seen.get(l.getTransactionId());
            if (card == null) {
                count(skipped, UNMATCHED);
            } else if (!card.equals(l.getCardId())) {
                count(skipped, CARD_MISMATCH);
            } else if (!keptIds.contains(l.getTransactionId())) {
                labelsOutOfRange++;
            }
        }
        for (LabelledTransaction t : kept) {
            FraudLabel l = labels.get(labelKey(t.tx().transactionId(), t.cardId()));
            boolean isFraud = false;
            if (l != null) {
                applied++;
                isFraud = l.getLabel() == LabelValue.FRAUD;
            }
            fraud += isFraud ? 1 : 0;
            // The label's own report time feeds the point-of-purchase counts (no assumed delay needed).
            labelled.add(isFraud ? new LabelledTransaction(t.cardId(), t.tx(), true, t.terminalId(),
                    l.getReportedAt().toEpochMilli()) : t);
        }
        Stats stats = new Stats(txRecords[0], labelled.size(), outOfRange[0], labelRecords[0], applied, fraud,
                late[0], labelsOutOfRange, Collections.unmodifiableMap(skipped));
        String name = "kafka " + source.transactionsTopic() + " + " + source.labelsTopic() + " [" + from + ", " + to
                + "), labels reported before " + to;
        long tRebuild = System.nanoTime();
        LabelledData data = LabelledData.of(name, labelled);
        LOG.info("Per-card sequences rebuilt in {} ms", (System.nanoTime() - tRebuild) / 1_000_000);
        LOG.info("Read {} in {} ms: {} transaction records ({} in range, {} out of range), {} label records ({}"
                + " applied, {} fraud, {} reported after the window, {} of out-of-range transactions); skipped {}",
                name, (System.nanoTime() - t0) / 1_000_000, stats.transactionRecords(), stats.transactionsInRange(),
                stats.outOfRange(), stats.labelRecords(), stats.labelsApplied(), stats.fraudLabelled(),
                stats.labelsReportedLate(), stats.labelsOutOfRange(), skipped.isEmpty() ? "none" : skipped);
        return new Result(data, stats);
    }

    private interface ValueHandler {
        void accept(byte[] value);
    }

    /** Every record of {@code topic} from the beginning to its end offsets as of now, partition by partition. */
    private static void readTopic(Source source, String topic, long deadline, ValueHandler handler) {
        Map<String, Object> props = new HashMap<>(source.clientProperties());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, source.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "fraudstream-trainer-history");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var infos = consumer.partitionsFor(topic, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<TopicPartition> open = new ArrayList<>(partitions);
            while (true) {
                open.removeIf(p -> consumer.position(p) >= end.get(p));
                if (open.isEmpty()) {
                    return;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("reading " + topic + " did not reach its end offsets " + end
                            + " in time");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        handler.accept(r.value());
                    }
                }
            }
        }
    }

    private static String labelKey(String transactionId, String cardId) {
        return transactionId + '\n' + cardId;
    }

    private static void count(Map<String, Long> skipped, String reason) {
        skipped.merge(reason, 1L, Long::sum);
    }
}
