package io.fraudstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.schemas.AvroSerde;
import io.fraudstream.schemas.Topics;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** Descriptors reach {@code model-updates} on a real broker, keyed by role, in the order they were issued. */
class KafkaDescriptorSinkIT {
    @Test
    void descriptorsArriveKeyedByRoleInOrder() throws Exception {
        try (KafkaBroker broker = KafkaBrokers.start()) {
            String topic = Topics.MODEL_UPDATES.name();
            broker.createTopics(Map.of(topic, 1), Duration.ofSeconds(60));
            ModelDescriptor shadow = new ModelDescriptor("20261129T1200Z-trained", "20261129T1200Z-trained.bundle",
                    "a".repeat(64), "c2ln", ModelRole.SHADOW, Instant.parse("2026-11-29T12:00:00Z"),
                    Instant.parse("2026-11-29T12:00:01Z"), "ZGVjaXNpb24=");
            ModelDescriptor champion = ModelDescriptor.newBuilder(shadow).setRole(ModelRole.CHAMPION).build();
            try (KafkaDescriptorSink sink = new KafkaDescriptorSink(broker.bootstrapServers(), topic,
                    Duration.ofSeconds(60))) {
                sink.send(shadow);
                sink.send(champion);
            }
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "trainer-it");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            List<ConsumerRecord<String, ModelDescriptor>> got = new ArrayList<>();
            try (KafkaConsumer<String, ModelDescriptor> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                    new AvroSerde<>(ModelDescriptor.class))) {
                consumer.subscribe(List.of(topic));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (got.size() < 2 && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(500)).forEach(got::add);
                }
            }
            assertThat(got).hasSize(2);
            assertThat(got.get(0).key()).isEqualTo("SHADOW");
            assertThat(got.get(0).value()).isEqualTo(shadow);
            assertThat(got.get(1).key()).isEqualTo("CHAMPION");
            assertThat(got.get(1).value()).isEqualTo(champion);
        }
    }
}
