package io.fraudstream.console.ingest;

import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.console.db.AlertStore;
import io.fraudstream.console.model.ShadowComparison;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.WireFormatException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@code fraud-alerts} into the database (consumer group {@code console.group-id}; offsets committed only
 * after the batch is stored, so a crash re-delivers and the primary key deduplicates), and follows
 * {@code fraud-scores} / {@code fraud-scores-shadow} from their end for the live {@link ShadowComparison}.
 * Undecodable alerts are recorded in {@code rejected_alerts} with their reason, never dropped silently.
 * Listeners hear the transaction id of each newly stored alert (the live queue).
 */
public final class AlertIngestor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertIngestor.class);

    /** Counters for the operator page. */
    public final AtomicLong inserted = new AtomicLong();
    public final AtomicLong duplicates = new AtomicLong();
    public final AtomicLong rejected = new AtomicLong();

    private final AlertStore store;
    private final ShadowComparison comparison;
    private final String alertsTopic;
    private final String scoresTopic;
    private final String shadowTopic;
    private final KafkaConsumer<byte[], byte[]> alerts;
    private final KafkaConsumer<byte[], byte[]> scores;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final AvroCodec<FraudAlert> alertCodec = AvroCodec.of(FraudAlert.class);
    private final AvroCodec<FraudScore> scoreCodec = AvroCodec.of(FraudScore.class);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    public AlertIngestor(String bootstrap, Map<String, Object> clientProps, String groupId, String alertsTopic,
            String scoresTopic, String shadowTopic, AlertStore store, ShadowComparison comparison) {
        this.store = store;
        this.comparison = comparison;
        this.alertsTopic = alertsTopic;
        this.scoresTopic = scoresTopic;
        this.shadowTopic = shadowTopic;
        Map<String, Object> p = new HashMap<>(clientProps);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "fraudstream-console-alerts");
        this.alerts = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> q = new HashMap<>(clientProps);
        q.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        q.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        q.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        q.put(ConsumerConfig.CLIENT_ID_CONFIG, "fraudstream-console-scores");
        this.scores = new KafkaConsumer<>(q, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "console-ingest");
        this.thread.setDaemon(true);
    }

    public void addListener(Consumer<String> listener) {
        listeners.add(listener);
    }

    public void start() {
        alerts.subscribe(List.of(alertsTopic));
        // Live comparison only: no group, start at the end of every partition.
        List<TopicPartition> parts = new ArrayList<>();
        for (String t : List.of(scoresTopic, shadowTopic)) {
            var infos = scores.partitionsFor(t, Duration.ofSeconds(30));
            if (infos != null) {
                infos.forEach(i -> parts.add(new TopicPartition(t, i.partition())));
            }
        }
        scores.assign(parts);
        scores.seekToEnd(parts);
        thread.start();
    }

    /** Set when the ingest thread died (shown on the operator page, and fails the health check). */
    public Throwable failure() {
        return failure;
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> batch = alerts.poll(Duration.ofMillis(200));
                List<String> fresh = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    ingest(r, fresh);
                }
                if (!batch.isEmpty()) {
                    alerts.commitSync();
                }
                for (String id : fresh) {
                    for (Consumer<String> l : listeners) {
                        l.accept(id);
                    }
                }
                if (!scores.assignment().isEmpty()) {
                    for (ConsumerRecord<byte[], byte[]> r : scores.poll(Duration.ofMillis(20))) {
                        try {
                            FraudScore s = scoreCodec.decode(r.value());
                            if (r.topic().equals(shadowTopic)) {
                                comparison.shadow(s);
                            } else {
                                comparison.champion(s);
                            }
                        } catch (WireFormatException e) {
                            LOG.debug("undecodable score at {}-{}@{}", r.topic(), r.partition(), r.offset());
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (Throwable t) {
            failure = t;
            LOG.error("Alert ingestion stopped", t);
        } finally {
            alerts.close(Duration.ofSeconds(5));
            scores.close(Duration.ofSeconds(5));
        }
    }

    private void ingest(ConsumerRecord<byte[], byte[]> r, List<String> fresh) throws Exception {
        FraudAlert a;
        try {
            a = alertCodec.decode(r.value());
        } catch (WireFormatException | RuntimeException e) {
            store.reject(r.topic(), r.partition(), r.offset(), "UNDECODABLE", e.getMessage());
            rejected.incrementAndGet();
            LOG.warn("Undecodable alert at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
            return;
        }
        switch (store.ingest(a, r.topic(), r.partition(), r.offset())) {
            case INSERTED -> {
                inserted.incrementAndGet();
                fresh.add(a.getScore().getTransactionId());
            }
            case DUPLICATE -> duplicates.incrementAndGet();
            case REJECTED -> {
                rejected.incrementAndGet();
                LOG.warn("Alert at {}-{}@{} refused: an id looks like a card number", r.topic(), r.partition(),
                        r.offset());
            }
        }
    }

    @Override
    public void close() {
        running = false;
        alerts.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
