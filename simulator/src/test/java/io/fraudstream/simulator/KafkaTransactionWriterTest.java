package io.fraudstream.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.Transaction;
import io.fraudstream.schemas.AvroCodec;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The writer against Kafka's MockProducer: routing, keys, encoding, failure handling, pacing. */
class KafkaTransactionWriterTest {

    private static final Simulator SIM = new Simulator(SimulatorConfig.builder().seed(3).cards(200)
            .duration(Duration.ofDays(10)).labelDelay(Duration.ofDays(1)).build());

    @Test
    void transactionsAndLabelsGoToTheirTopicsKeyedByCard() throws Exception {
        MockProducer<String, byte[]> mock = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        List<SimulatedEvent> events = SIM.events().toList();
        long labels = events.stream().filter(e -> e instanceof SimulatedLabel).count();
        try (KafkaTransactionWriter writer = KafkaTransactionWriter.builder("unused:9092").producer(mock).build()) {
            assertThat(writer.writeAll(events.iterator())).isEqualTo(events.size());
            assertThat(writer.sentLabels()).isEqualTo(labels).isPositive();
            assertThat(writer.sentTransactions()).isEqualTo(events.size() - labels);
            assertThat(writer.acknowledged()).isEqualTo(events.size());
        }
        assertThat(mock.closed()).isTrue();
        AvroCodec<Transaction> txCodec = AvroCodec.of(Transaction.class);
        AvroCodec<FraudLabel> labelCodec = AvroCodec.of(FraudLabel.class);
        List<ProducerRecord<String, byte[]>> sent = mock.history();
        assertThat(sent).hasSize(events.size());
        for (int i = 0; i < sent.size(); i++) {
            ProducerRecord<String, byte[]> r = sent.get(i);
            if (events.get(i) instanceof SimulatedTransaction t) {
                assertThat(r.topic()).isEqualTo("transactions");
                assertThat(r.key()).isEqualTo(t.tx().getCardId());
                assertThat(txCodec.decode(r.value())).isEqualTo(t.tx());
            } else {
                SimulatedLabel l = (SimulatedLabel) events.get(i);
                assertThat(r.topic()).isEqualTo("fraud-labels");
                assertThat(r.key()).isEqualTo(l.label().getCardId());
                assertThat(labelCodec.decode(r.value())).isEqualTo(l.label());
            }
        }
    }

    @Test
    void aFailedSendFailsTheNextSendAndClose() throws Exception {
        MockProducer<String, byte[]> mock = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
        List<SimulatedTransaction> txs = SIM.transactions().limit(3).toList();
        KafkaTransactionWriter writer = KafkaTransactionWriter.builder("unused:9092").producer(mock).build();
        writer.send(txs.get(0));
        writer.send(txs.get(1));
        mock.completeNext();
        assertThat(mock.errorNext(new TimeoutException("broker gone"))).isTrue();
        assertThat(writer.acknowledged()).isEqualTo(1);
        assertThat(writer.failed()).isEqualTo(1);
        assertThatThrownBy(() -> writer.send(txs.get(2)))
                .isInstanceOf(KafkaWriteException.class)
                .hasMessageContaining("transaction " + txs.get(1).tx().getTransactionId() + " to transactions")
                .hasMessageContaining("broker gone")
                .hasCauseInstanceOf(TimeoutException.class);
        assertThatThrownBy(writer::close).isInstanceOf(KafkaWriteException.class);
        assertThat(mock.closed()).isTrue();
    }

    @Test
    void liveModePacesTransactionsButNotLabels() throws Exception {
        MockProducer<String, byte[]> mock = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        FakeClock clock = new FakeClock();
        List<SimulatedEvent> events = SIM.events().limit(5_000).toList();
        long transactions = events.stream().filter(e -> e instanceof SimulatedTransaction).count();
        long begin = clock.now;
        try (KafkaTransactionWriter writer = KafkaTransactionWriter.builder("unused:9092").producer(mock)
                .clock(clock, clock).ratePerSecond(500).build()) {
            writer.writeAll(events.iterator());
        }
        assertThat(clock.now - begin).isEqualTo((transactions - 1) * 2_000_000L);
        assertThat(mock.history()).hasSize(events.size());
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> KafkaTransactionWriter.builder("x:1").ratePerSecond(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rate");
        assertThatThrownBy(() -> KafkaTransactionWriter.builder("x:1").transactionsTopic(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transactions topic");
    }
}
