package io.fraudstream.trainer;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.schemas.AvroSerde;
import io.fraudstream.schemas.Topics;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces descriptors to {@code model-updates} (key: the role, as {@link Topics#MODEL_UPDATES} says), idempotent,
 * acks=all, and waits for each acknowledgement: a decision is reported done only once the job can see it.
 */
public final class KafkaDescriptorSink implements DescriptorSink {
    private final KafkaProducer<String, ModelDescriptor> producer;
    private final String topic;
    private final Duration timeout;

    public KafkaDescriptorSink(String bootstrapServers, String topic, Duration timeout) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "fraudstream-trainer");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new AvroSerde<>(ModelDescriptor.class));
        this.topic = topic;
        this.timeout = timeout;
    }

    @Override
    public void send(ModelDescriptor descriptor) throws Exception {
        producer.send(new ProducerRecord<>(topic, descriptor.getRole().name(), descriptor))
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    @Override
    public String toString() {
        return "topic " + topic;
    }
}
