package io.fraudstream.replay.kafka;

import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.LabelValue;
import io.fraudstream.avro.Transaction;
import io.fraudstream.datasets.BadRows;
import io.fraudstream.cli.support.Progress;
import io.fraudstream.replay.run.Spool;
import io.fraudstream.schemas.AvroCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a Kafka topic between two positions per partition — offsets, or record timestamps resolved with
 * {@code offsetsForTimes} — into a {@link Spool}, so a bounded evaluation scores a slice of the live input with
 * exactly the bytes the job read. Also reads labels from {@code fraud-labels}.
 *
 * <p>Ranges are half-open, {@code [from, to)}, per partition: a from-time resolves to the first offset whose
 * timestamp is at or after it, a to-time likewise (so the record at the to-time is not included); a time after
 * the last record resolves to the end offset. Positions beyond the end offsets at start are clamped to them:
 * the read is bounded by what the topic held when it began. Partitions are read one after another (partition
 * order, then offset order), so the spool — and every result in spool order — is the same on every run.
 * Consumers read committed records only ({@code read_committed}) and commit nothing (no group).
 *
 * <p>A record that is not a single-object Avro {@code Transaction} is not fatal: it is counted and the first
 * few are kept with their partition, offset and reason ({@link Summary#badRecords}). Records that decode but
 * that the job's validation refuses come back from the job as dead letters with their partition and offset.
 */
public final class KafkaRangeReader {

    /** Where a range starts or ends: per-partition offsets (a default for the others), or a timestamp. */
    public record Position(Long defaultOffset, Map<Integer, Long> offsets, Long timeMillis) {
        public static final Position BEGINNING = new Position(null, Map.of(), null);
        public static final Position END = new Position(null, Map.of(), null);

        public static Position offset(long offset) {
            return new Position(offset, Map.of(), null);
        }

        public static Position offsets(Map<Integer, Long> perPartition) {
            return new Position(null, Map.copyOf(perPartition), null);
        }

        public static Position time(long epochMillis) {
            return new Position(null, Map.of(), epochMillis);
        }
    }

    /** A record that could not be read as a transaction. */
    public record BadRecord(int partition, long offset, String reason) {}

    /**
     * @param ranges     per partition, the resolved [from, to) offsets
     * @param records    transactions written to the spool
     * @param badCount   records that were not transactions
     * @param badRecords the first of those (at most {@link #KEEP_BAD})
     */
    public record Summary(Map<Integer, long[]> ranges, long records, long badCount, List<BadRecord> badRecords) {}

    /** The spool and what was read into it. */
    public record Read(Spool spool, Summary summary) {}

    public static final int KEEP_BAD = 20;
    private static final Duration POLL = Duration.ofMillis(200);

    private final Map<String, Object> config;
    private final Duration stallTimeout;

    /**
     * @param stallTimeout how long a partition may deliver nothing before its range is declared unreachable
     *                     (e.g. records behind an open transaction)
     */
    public KafkaRangeReader(String bootstrapServers, Map<String, Object> clientProperties, Duration stallTimeout) {
        Map<String, Object> c = new HashMap<>(clientProperties);
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "fraudstream-replay-reader");
        this.config = c;
        this.stallTimeout = stallTimeout;
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The topic's partitions; empty when the topic does not exist. */
    public Set<Integer> partitions(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(30));
            Set<Integer> out = new TreeSet<>();
            if (infos != null) {
                infos.forEach(p -> out.add(p.partition()));
            }
            return out;
        } catch (org.apache.kafka.common.errors.UnknownTopicOrPartitionException e) {
            return Set.of();
        }
    }

    /**
     * Reads {@code [from, to)} of the given partitions (all when empty) of {@code topic} into a spool at
     * {@code spoolFile}. {@code labels} are attached to the spool (transaction id to fraud).
     */
    public Read read(String topic, Set<Integer> onlyPartitions, Position from, Position to, Map<String, Boolean> labels,
            Path spoolFile, Progress progress) throws IOException {
        Set<Integer> all = partitions(topic);
        if (all.isEmpty()) {
            throw new IOException("topic " + topic + " does not exist or has no partitions");
        }
        Set<Integer> partitions = new TreeSet<>(onlyPartitions.isEmpty() ? all : onlyPartitions);
        for (int p : partitions) {
            if (!all.contains(p)) {
                throw new IOException("topic " + topic + " has no partition " + p + " (it has " + all + ")");
            }
        }
        AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
        BadRows badRows = new BadRows(KEEP_BAD);
        List<BadRecord> bad = new ArrayList<>();
        long badCount = 0;
        Map<Integer, long[]> ranges = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer(); Spool.Writer w = new Spool.Writer(spoolFile, topic)) {
            List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
            Map<TopicPartition, Long> begin = c.beginningOffsets(tps, Duration.ofSeconds(30));
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
            Map<TopicPartition, Long> starts = resolve(c, tps, from, begin, end, true);
            Map<TopicPartition, Long> ends = resolve(c, tps, to, begin, end, false);
            long rowsRead = 0;
            for (TopicPartition tp : tps) {
                long start = starts.get(tp);
                long stop = Math.max(start, ends.get(tp));
                ranges.put(tp.partition(), new long[] {start, stop});
                if (start >= stop) {
                    continue;
                }
                c.assign(List.of(tp));
                c.seek(tp, start);
                long lastProgress = System.nanoTime();
                while (c.position(tp) < stop) {
                    var records = c.poll(POLL);
                    if (records.isEmpty()) {
                        if (System.nanoTime() - lastProgress > stallTimeout.toNanos()) {
                            throw new IOException("partition " + tp + " delivered nothing for " + stallTimeout
                                    + " at offset " + c.position(tp) + " before reaching " + stop
                                    + " (an open transaction?)");
                        }
                        continue;
                    }
                    lastProgress = System.nanoTime();
                    for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                        if (r.offset() >= stop) {
                            break;
                        }
                        rowsRead++;
                        String problem = null;
                        Transaction tx = null;
                        if (r.value() == null) {
                            problem = "no value (tombstone)";
                        } else {
                            try {
                                tx = codec.decode(r.value());
                            } catch (Exception e) {
                                problem = "not a single-object Avro Transaction: " + e.getMessage();
                            }
                        }
                        if (problem == null && (tx.getCardId() == null || tx.getCardId().isEmpty())) {
                            problem = "no card id";
                        }
                        if (problem != null) {
                            badCount++;
                            if (bad.size() < KEEP_BAD) {
                                bad.add(new BadRecord(r.partition(), r.offset(), problem));
                            }
                            badRows.add(r.offset(), "partition " + r.partition() + ": " + problem);
                            continue;
                        }
                        // The original bytes, not a re-encoding: the job decodes exactly what it would have read.
                        w.add(r.partition(), r.offset(), tx, r.value());
                        progress.tick("read", w.records(), -1);
                    }
                }
            }
            progress.done("read", w.records());
            Summary summary = new Summary(ranges, w.records(), badCount, List.copyOf(bad));
            return new Read(w.finish(new HashMap<>(labels), badRows, rowsRead), summary);
        }
    }

    private static Map<TopicPartition, Long> resolve(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> tps,
            Position pos, Map<TopicPartition, Long> begin, Map<TopicPartition, Long> end, boolean isFrom) {
        Map<TopicPartition, Long> out = new HashMap<>();
        if (pos.timeMillis() != null) {
            Map<TopicPartition, Long> query = new HashMap<>();
            tps.forEach(tp -> query.put(tp, pos.timeMillis()));
            Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(query, Duration.ofSeconds(30));
            for (TopicPartition tp : tps) {
                OffsetAndTimestamp o = found.get(tp);
                out.put(tp, o == null ? end.get(tp) : o.offset());
            }
            return out;
        }
        for (TopicPartition tp : tps) {
            Long offset = pos.offsets().getOrDefault(tp.partition(), pos.defaultOffset());
            long v = offset == null ? (isFrom ? begin.get(tp) : end.get(tp)) : offset;
            out.put(tp, Math.min(Math.max(v, begin.get(tp)), end.get(tp)));
        }
        return out;
    }

    /**
     * Labels from a {@code fraud-labels} topic, read from the beginning to the end offsets at start: transaction
     * id to fraud (FRAUD = true, anything else = false); a later label of a transaction overrides an earlier one
     * (a card's labels share a partition). Undecodable records are counted in {@code badRows} (line = offset).
     */
    public Map<String, Boolean> readLabels(String topic, BadRows badRows) throws IOException {
        Set<Integer> partitions = partitions(topic);
        Map<String, Boolean> labels = new HashMap<>();
        if (partitions.isEmpty()) {
            return labels;
        }
        AvroCodec<FraudLabel> codec = AvroCodec.of(FraudLabel.class);
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
            Map<TopicPartition, Long> begin = c.beginningOffsets(tps, Duration.ofSeconds(30));
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
            for (TopicPartition tp : tps) {
                long stop = end.get(tp);
                if (begin.get(tp) >= stop) {
                    continue;
                }
                c.assign(List.of(tp));
                c.seek(tp, begin.get(tp));
                long lastProgress = System.nanoTime();
                while (c.position(tp) < stop) {
                    var records = c.poll(POLL);
                    if (records.isEmpty()) {
                        if (System.nanoTime() - lastProgress > stallTimeout.toNanos()) {
                            throw new IOException("labels partition " + tp + " delivered nothing for " + stallTimeout);
                        }
                        continue;
                    }
                    lastProgress = System.nanoTime();
                    for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                        if (r.offset() >= stop) {
                            break;
                        }
                        try {
                            FraudLabel l = codec.decode(r.value());
                            labels.put(l.getTransactionId(), l.getLabel() == LabelValue.FRAUD);
                        } catch (Exception e) {
                            badRows.add(r.offset(), "partition " + r.partition() + ": not a FraudLabel: " + e.getMessage());
                        }
                    }
                }
            }
        }
        return labels;
    }
}
