package io.fraudstream.console.ingest;

import io.fraudstream.avro.FraudLabel;
import io.fraudstream.console.db.LabelSink;
import io.fraudstream.schemas.AvroCodec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces analysts' labels to {@code fraud-labels}: key = card token (like every label producer), value = Avro
 * single-object {@link FraudLabel}, idempotent producer with acks=all; waits for the acknowledgement.
 */
public final class KafkaLabelSink implements LabelSink, AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final Duration timeout;
    private final AvroCodec<FraudLabel> codec = AvroCodec.of(FraudLabel.class);

    public KafkaLabelSink(String bootstrap, Map<String, Object> clientProps, String topic, Duration timeout) {
        Map<String, Object> p = new HashMap<>(clientProps);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "fraudstream-console-labels");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) (timeout.toMillis() / 2));
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.timeout = timeout;
    }

    @Override
    public void send(FraudLabel label) throws Exception {
        producer.send(new ProducerRecord<>(topic, label.getCardId(), codec.encode(label)))
                .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
