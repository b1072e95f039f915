package io.fraudstream.simulator;

import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.Transaction;
import io.fraudstream.schemas.AvroSerde;
import io.fraudstream.schemas.Topics;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes simulated transactions to the {@code transactions} topic and fraud labels to
 * {@code fraud-labels} (key: card id; value: Avro single-object encoding via {@link AvroSerde}).
 *
 * <p>Live mode paces transactions with a {@link RateLimiter} (labels are few and not paced); without a
 * rate it writes as fast as the producer accepts. Every send has a callback: the first failure is
 * kept and thrown as a {@link KafkaWriteException} by the next {@code send}, {@link #flush()} or
 * {@link #close()}, so a broken broker never goes unnoticed. {@link #close()} flushes and then checks.
 * Not thread-safe: one sender thread.
 */
public final class KafkaTransactionWriter implements AutoCloseable {

    private final Producer<String, byte[]> producer;
    private final String transactionsTopic;
    private final String labelsTopic;
    private final RateLimiter limiter;
    private final AvroSerde<Transaction> transactionSerde = new AvroSerde<>(Transaction.class);
    private final AvroSerde<FraudLabel> labelSerde = new AvroSerde<>(FraudLabel.class);
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<FailedSend> firstFailure = new AtomicReference<>();
    private long sentTransactions;
    private long sentLabels;
    private boolean closed;

    private record FailedSend(String what, Exception error) {}

    private KafkaTransactionWriter(Builder b) {
        this.producer = b.producer != null ? b.producer : new KafkaProducer<>(b.producerConfig(),
                new StringSerializer(), new ByteArraySerializer());
        this.transactionsTopic = b.transactionsTopic;
        this.labelsTopic = b.labelsTopic;
        this.limiter = b.ratePerSecond > 0 ? new RateLimiter(b.ratePerSecond, b.ticker, b.sleeper) : null;
    }

    public static Builder builder(String bootstrapServers) {
        return new Builder(Objects.requireNonNull(bootstrapServers, "bootstrapServers"));
    }

    /** Sends a transaction, after waiting for its permit in live mode. */
    public void send(SimulatedTransaction t) throws InterruptedException {
        send(t.tx());
    }

    public void send(Transaction tx) throws InterruptedException {
        checkOpen();
        if (limiter != null) {
            limiter.acquire();
        }
        byte[] value = transactionSerde.serialize(transactionsTopic, tx);
        String what = "transaction " + tx.getTransactionId() + " to " + transactionsTopic;
        producer.send(new ProducerRecord<>(transactionsTopic, tx.getCardId(), value), callback(what));
        sentTransactions++;
    }

    public void send(FraudLabel label) {
        checkOpen();
        byte[] value = labelSerde.serialize(labelsTopic, label);
        String what = "label of " + label.getTransactionId() + " to " + labelsTopic;
        producer.send(new ProducerRecord<>(labelsTopic, label.getCardId(), value), callback(what));
        sentLabels++;
    }

    /** Sends a transaction or a label. */
    public void send(SimulatedEvent event) throws InterruptedException {
        if (event instanceof SimulatedTransaction t) {
            send(t);
        } else if (event instanceof SimulatedLabel l) {
            send(l.label());
        }
    }

    /**
     * Sends every event (for example {@link Simulator#events()} or {@link Simulator#transactions()}),
     * then flushes; returns the number of events sent.
     */
    public long writeAll(Iterator<? extends SimulatedEvent> events) throws InterruptedException {
        long n = 0;
        while (events.hasNext()) {
            send(events.next());
            n++;
        }
        flush();
        return n;
    }

    /** Waits until everything sent so far is acknowledged; throws if anything failed. */
    public void flush() {
        producer.flush();
        checkFailures();
    }

    public long sentTransactions() {
        return sentTransactions;
    }

    public long sentLabels() {
        return sentLabels;
    }

    /** Records the broker has acknowledged so far. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Records that failed so far. */
    public long failed() {
        return failed.get();
    }

    /** Flushes, closes the producer, and throws if any record failed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            producer.flush();
        } finally {
            producer.close(Duration.ofSeconds(30));
        }
        checkFailures();
    }

    private Callback callback(String what) {
        return (metadata, error) -> {
            if (error == null) {
                acknowledged.incrementAndGet();
            } else {
                failed.incrementAndGet();
                firstFailure.compareAndSet(null, new FailedSend(what, error));
            }
        };
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("writer is closed");
        }
        checkFailures();
    }

    private void checkFailures() {
        FailedSend f = firstFailure.get();
        if (f != null) {
            throw new KafkaWriteException(failed.get() + " record(s) failed to reach Kafka; first: " + f.what() + ": "
                    + f.error(), f.error());
        }
    }

    /** Options of a {@link KafkaTransactionWriter}. */
    public static final class Builder {
        private final String bootstrapServers;
        private String transactionsTopic = Topics.TRANSACTIONS.name();
        private String labelsTopic = Topics.FRAUD_LABELS.name();
        private double ratePerSecond;
        private final Map<String, Object> overrides = new LinkedHashMap<>();
        private Producer<String, byte[]> producer;
        private RateLimiter.Ticker ticker = System::nanoTime;
        private RateLimiter.Sleeper sleeper = RateLimiter::park;

        private Builder(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
        }

        public Builder transactionsTopic(String topic) {
            this.transactionsTopic = requireName(topic, "transactions topic");
            return this;
        }

        public Builder labelsTopic(String topic) {
            this.labelsTopic = requireName(topic, "labels topic");
            return this;
        }

        /** Live mode: at most this many transactions per second; 0 (the default) for as fast as possible. */
        public Builder ratePerSecond(double rate) {
            if (!(rate >= 0) || Double.isInfinite(rate)) {
                throw new IllegalArgumentException("rate must be >= 0 transactions per second, was " + rate);
            }
            this.ratePerSecond = rate;
            return this;
        }

        /** Any producer setting, overriding the defaults (acks=all, idempotence on, linger.ms=5). */
        public Builder producerProperty(String key, Object value) {
            overrides.put(key, value);
            return this;
        }

        /** For tests: an existing producer (e.g. {@code MockProducer}) instead of a new KafkaProducer. */
        Builder producer(Producer<String, byte[]> producer) {
            this.producer = producer;
            return this;
        }

        /** For tests: the pacing clock. */
        Builder clock(RateLimiter.Ticker ticker, RateLimiter.Sleeper sleeper) {
            this.ticker = ticker;
            this.sleeper = sleeper;
            return this;
        }

        public KafkaTransactionWriter build() {
            return new KafkaTransactionWriter(this);
        }

        Map<String, Object> producerConfig() {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            config.put(ProducerConfig.CLIENT_ID_CONFIG, "fraudstream-simulator");
            config.putAll(overrides);
            return config;
        }

        private static String requireName(String topic, String what) {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return topic;
        }
    }
}
