package io.fraudstream.clusterit;

import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.WireFormatException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows a topic from its beginning (all partitions, no consumer group, {@code read_committed}: what a
 * downstream consumer of the job's scores sees) and decodes every record; the records seen so far accumulate
 * in {@link #records()}. One thread only.
 */
final class TopicTail<T extends SpecificRecord> implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroCodec<T> codec;
    private final String topic;
    private final List<T> records = new ArrayList<>();

    TopicTail(String bootstrap, String topic, Class<T> type) {
        this.topic = topic;
        this.codec = AvroCodec.of(type);
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Polls once (up to {@code timeout}) and returns everything seen so far. */
    List<T> poll(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            try {
                records.add(codec.decode(r.value()));
            } catch (WireFormatException e) {
                throw new AssertionError("undecodable record on " + topic + " at " + r.partition() + "@" + r.offset(), e);
            }
        }
        return records;
    }

    List<T> records() {
        return records;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
