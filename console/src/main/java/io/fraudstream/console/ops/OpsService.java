package io.fraudstream.console.ops;

import io.fraudstream.console.db.AlertStore;
import io.fraudstream.console.ingest.AlertIngestor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The operator's figures. From Kafka's admin API: throughput of the job's topics (end offsets sampled between two
 * page loads), and consumer lag of the job's group and of the console's own. From the job's Prometheus endpoint (if
 * configured): records in, dead letters by reason, end-to-end latency quantiles. Details live in Grafana (linked).
 */
public final class OpsService implements AutoCloseable {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final Admin admin;
    private final Map<String, String> topics;
    private final List<String> groups;
    private final String prometheusUrl;
    private final String grafanaUrl;
    private final AlertIngestor ingestor;
    private final AlertStore store;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Map<String, Long> lastEnds = Map.of();
    private long lastSampleMillis;

    /** {@code topics}: role (transactions, scores, alerts, dead-letters) to topic name. */
    public OpsService(String bootstrap, Map<String, Object> clientProps, Map<String, String> topics,
            List<String> groups, String prometheusUrl, String grafanaUrl, AlertIngestor ingestor, AlertStore store,
            Clock clock) {
        Map<String, Object> p = new HashMap<>(clientProps);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "fraudstream-console-ops");
        this.admin = Admin.create(p);
        this.topics = topics;
        this.groups = groups;
        this.prometheusUrl = prometheusUrl;
        this.grafanaUrl = grafanaUrl;
        this.ingestor = ingestor;
        this.store = store;
        this.clock = clock;
    }

    public synchronized Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("grafanaUrl", grafanaUrl);
        try {
            Map<String, Long> ends = new LinkedHashMap<>();
            for (Map.Entry<String, String> t : topics.entrySet()) {
                ends.put(t.getKey(), sum(endOffsets(t.getValue())));
            }
            long now = clock.millis();
            Map<String, Object> rates = new LinkedHashMap<>();
            double secs = (now - lastSampleMillis) / 1000.0;
            for (Map.Entry<String, Long> e : ends.entrySet()) {
                Long before = lastEnds.get(e.getKey());
                rates.put(e.getKey(), before == null || secs <= 0 ? null : (e.getValue() - before) / secs);
            }
            lastEnds = ends;
            lastSampleMillis = now;
            m.put("topicRecords", ends);
            m.put("recordsPerSecond", rates);
            Map<String, Object> lag = new LinkedHashMap<>();
            for (String g : groups) {
                lag.put(g, lag(g));
            }
            m.put("consumerLag", lag);
        } catch (Exception e) {
            m.put("kafkaError", e.toString());
        }
        m.put("console", Map.of("alertsStored", ingestor == null ? 0 : ingestor.inserted.get(),
                "duplicatesSkipped", ingestor == null ? 0 : ingestor.duplicates.get(),
                "rejected", ingestor == null ? 0 : ingestor.rejected.get(),
                "ingestFailure", ingestor == null || ingestor.failure() == null ? "" : ingestor.failure().toString()));
        try {
            m.put("rejectedByReason", store.rejectedByReason());
            m.put("alertsByStatus", store.countsByStatus());
        } catch (Exception e) {
            m.put("dbError", e.toString());
        }
        if (prometheusUrl != null && !prometheusUrl.isBlank()) {
            try {
                m.put("job", jobMetrics(fetch(prometheusUrl)));
            } catch (Exception e) {
                m.put("prometheusError", e.toString());
            }
        }
        return m;
    }

    /** Records behind per topic for a consumer group (end offset minus committed offset, summed over partitions). */
    private Map<String, Long> lag(String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        committed.keySet().forEach(tp -> specs.put(tp, OffsetSpec.latest()));
        Map<String, Long> out = new TreeMap<>();
        if (specs.isEmpty()) {
            return out;
        }
        var ends = admin.listOffsets(specs).all().get(5, TimeUnit.SECONDS);
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            long end = ends.get(e.getKey()).offset();
            out.merge(e.getKey().topic(), Math.max(0, end - e.getValue().offset()), Long::sum);
        }
        return out;
    }

    private Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> endOffsets(String topic) throws Exception {
        var desc = admin.describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS).get(topic);
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        desc.partitions().forEach(p -> specs.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        return admin.listOffsets(specs).all().get(5, TimeUnit.SECONDS);
    }

    private static long sum(Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets) {
        return offsets.values().stream().mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
    }

    private String fetch(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode());
        }
        return r.body();
    }

    /**
     * The job's figures from Prometheus text: counters summed over subtasks, dead letters per reason, latency
     * quantiles (Flink exports histograms as summaries; the worst subtask's quantile is shown).
     */
    static Map<String, Object> jobMetrics(String text) {
        Map<String, Double> totals = new TreeMap<>();
        Map<String, Double> deadLetters = new TreeMap<>();
        Map<String, Double> latency = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            Matcher s = SAMPLE.matcher(line);
            if (!s.find()) {
                continue;
            }
            String name = s.group(1);
            double v;
            try {
                v = Double.parseDouble(s.group(4));
            } catch (NumberFormatException e) {
                continue;
            }
            if (!Double.isFinite(v)) {
                continue;
            }
            Map<String, String> labels = labels(s.group(3));
            if (name.contains("fraudstreamDeadLetters")) {
                deadLetters.merge(labels.getOrDefault("reason", "?"), v, Double::sum);
            } else if (name.contains("fraudstreamEndToEndLatencyMs") && labels.containsKey("quantile")) {
                latency.merge("p" + labels.get("quantile"), v, Math::max);
            } else {
                for (String k : List.of("fraudstreamRecordsIn", "fraudstreamScoresOut", "fraudstreamAlerts",
                        "fraudstreamShadowScores", "fraudstreamLabelsIn")) {
                    if (name.endsWith(k)) {
                        totals.merge(k, v, Double::sum);
                    }
                }
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("totals", totals);
        m.put("deadLettersByReason", deadLetters);
        m.put("endToEndLatencyMs", latency);
        return m;
    }

    private static Map<String, String> labels(String s) {
        Map<String, String> out = new HashMap<>();
        if (s != null) {
            Matcher m = LABEL.matcher(s);
            while (m.find()) {
                out.put(m.group(1), m.group(2));
            }
        }
        return out;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }

}
