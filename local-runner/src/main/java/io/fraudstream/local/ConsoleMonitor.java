package io.fraudstream.local;

import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.WireFormatException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the job's output topics like any downstream consumer would and prints a status line every
 * few seconds (scored transactions per second, alerts, end-to-end latency percentiles) and each
 * alert in readable form. Single-threaded: {@link #pollOnce} is called from the demo's main loop.
 */
final class ConsoleMonitor implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String scoresTopic;
    private final String alertsTopic;
    private final AvroCodec<FraudScore> scores = AvroCodec.of(FraudScore.class);
    private final AvroCodec<FraudAlert> alerts = AvroCodec.of(FraudAlert.class);
    private final PrintStream out;

    private long intervalStart = System.nanoTime();
    private long intervalScores;
    private long intervalAlerts;
    private long[] latencies = new long[1024];
    private int latencyCount;
    private long totalScores;
    private final java.util.Set<String> scoredIds = new java.util.HashSet<>();
    private final java.util.Set<String> alertedIds = new java.util.HashSet<>();
    private long totalAlerts;

    ConsoleMonitor(String bootstrap, String scoresTopic, String alertsTopic, PrintStream out) {
        this.scoresTopic = scoresTopic;
        this.alertsTopic = alertsTopic;
        this.out = out;
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = List.of(scoresTopic, alertsTopic).stream()
                .flatMap(t -> consumer.partitionsFor(t).stream().map(p -> new TopicPartition(t, p.partition())))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    void pollOnce(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            try {
                if (r.topic().equals(scoresTopic)) {
                    FraudScore s = scores.decode(r.value());
                    scoredIds.add(s.getTransactionId());
                    intervalScores++;
                    totalScores++;
                    // The score record carries the transaction's Kafka timestamp: produce-to-score latency.
                    recordLatency(s.getScoredAt().toEpochMilli() - r.timestamp());
                } else if (r.topic().equals(alertsTopic)) {
                    intervalAlerts++;
                    totalAlerts++;
                    FraudAlert alert = alerts.decode(r.value());
                    alertedIds.add(alert.getScore().getTransactionId());
                    printAlert(alert);
                }
            } catch (WireFormatException e) {
                out.println("  (undecodable record on " + r.topic() + ": " + e.getMessage() + ")");
            }
        }
    }

    private void recordLatency(long millis) {
        if (latencyCount == latencies.length) {
            latencies = Arrays.copyOf(latencies, latencies.length * 2);
        }
        latencies[latencyCount++] = Math.max(0, millis);
    }

    /** Prints the status line for the interval since the last call and starts a new interval. */
    void printStatus(long simulatorSent) {
        double seconds = (System.nanoTime() - intervalStart) / 1e9;
        Arrays.sort(latencies, 0, latencyCount);
        out.printf(Locale.ROOT, "[status] %,.0f tx/s scored | %,d scored, %,d alerts (%d new) | sent %,d | "
                        + "latency p50 %s ms, p99 %s ms%n",
                intervalScores / Math.max(seconds, 1e-3), totalScores, totalAlerts, intervalAlerts, simulatorSent,
                percentile(0.50), percentile(0.99));
        intervalStart = System.nanoTime();
        intervalScores = 0;
        intervalAlerts = 0;
        latencyCount = 0;
    }

    private String percentile(double q) {
        if (latencyCount == 0) {
            return "-";
        }
        return Long.toString(latencies[Math.min(latencyCount - 1, (int) Math.ceil(q * latencyCount) - 1)]);
    }

    private void printAlert(FraudAlert alert) {
        FraudScore s = alert.getScore();
        out.printf(Locale.ROOT, "[ALERT] card %s  %s %,.2f at %s  score %.3f (threshold %.3f, model %s)  tx %s%n",
                s.getCardId(), alert.getCurrency(), alert.getAmountMinor() / 100.0, alert.getMerchantId(),
                s.getScore(), s.getThreshold(), s.getModelVersion(), s.getTransactionId());
        for (String reason : alert.getReasons()) {
            out.println("          - " + reason);
        }
    }

    /** Compares alerts with the injected fraud (ids the simulator labelled). */
    Demo.Summary summarize(java.util.Set<String> injectedFraud) {
        long fraudScored = injectedFraud.stream().filter(scoredIds::contains).count();
        long fraudAlerted = injectedFraud.stream().filter(alertedIds::contains).count();
        return new Demo.Summary(scoredIds.size(), alertedIds.size(), fraudScored, fraudAlerted);
    }

    long totalScores() {
        return totalScores;
    }

    long totalAlerts() {
        return totalAlerts;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
