package io.fraudstream.replay.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.FiredRule;
import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.avro.Transaction;
import io.fraudstream.cli.support.Progress;
import io.fraudstream.datasets.CardTokens;
import io.fraudstream.datasets.EventTimeRule;
import io.fraudstream.datasets.InputFormat;
import io.fraudstream.datasets.LabelledTransaction;
import io.fraudstream.datasets.TransactionReader;
import io.fraudstream.job.FraudScoringJob;
import io.fraudstream.job.JobMetrics;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.model.ModelStore;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.replay.backtest.Backtest;
import io.fraudstream.replay.backtest.BacktestReport;
import io.fraudstream.rules.RuleSetFiles;
import io.fraudstream.rules.RuleSetSigner;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.AvroJson;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import io.fraudstream.testkit.SharedData;
import io.fraudstream.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backtest's hits are the live job's hits: the same Sparkov slice and the same signed model are (a) backtested
 * ({@link Backtest#run}: the bounded replay with the candidate rule set) and (b) produced to a real broker and scored
 * by the production job wiring ({@link FraudScoringJob#build}, rules on, parallelism 2, 4 partitions) with the same
 * rule set, signed with the model key and published on the {@code rules} topic; every subtask accepts it (metric)
 * before the first transaction is produced. Then, per transaction id, the live alerts are exactly the backtest's
 * alerting events, each with the same fired rules (names, order), model decision and block recommendation, and the
 * live per-rule hit counters, the rules' added alerts and suppressed model alerts equal the backtest's counts.
 */
class BacktestLiveParityIT {

    private static final int ROWS = 4_000;
    private static final int PARALLELISM = 2;
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();


    /** Every action, transaction fields, time, the model's score and decision, features. */
    static final String RULES = """
            {"name": "parity", "version": 4, "rules": [
              {"name": "trusted_in_store", "priority": 50, "action": "SUPPRESS",
               "expression": "model_alert && channel != 'ONLINE' && amount < 500.0"},
              {"name": "online_night", "priority": 40, "action": "ALERT",
               "expression": "channel == 'ONLINE' && night_time == 1.0"},
              {"name": "big_amount", "priority": 30, "action": "BLOCK_RECOMMENDED",
               "expression": "amount > 400.0 && history_len >= 3.0"},
              {"name": "outlier_tag", "priority": 20, "action": "TAG",
               "expression": "amount_zscore > 1.5"},
              {"name": "busy_scored", "priority": 10, "action": "ALERT",
               "expression": "score > 0.2 && count_24h >= 3.0 && !model_alert"},
              {"name": "never", "priority": 5, "action": "ALERT", "expression": "amount < 0.0", "enabled": false}
            ]}
            """;

    @TempDir
    Path dir;

    @Test
    void backtestHitsEqualTheLiveJobsHitsOnTheSameInput() throws Exception {
        Path slice = dir.resolve("slice.csv");
        BoundedScoringTest.cutSparkov(SharedData.sparkov(), slice, ROWS, List.of());
        Path tokenKey = dir.resolve("card-token.key");
        Files.write(tokenKey, "a card-token key for BacktestLiveParityIT, 32+ bytes".getBytes(StandardCharsets.US_ASCII));
        Path store = Files.createDirectories(dir.resolve("store"));
        KeyPair keys = SigningKeys.generate();
        SigningKeys.writePublicKey(keys.getPublic(), dir.resolve("model.pub"));
        ModelDescriptor champion = new ModelStore(store).publish(LiveParityIT.model(), ModelRole.CHAMPION,
                keys.getPrivate());
        AvroJson.write(champion, dir.resolve("champion.json"));
        RuleSet candidate = RuleSetFiles.parse(RULES, "BacktestLiveParityIT");

        // (a) the backtest
        Backtest.Request request = new Backtest.Request(slice, InputFormat.SPARKOV, null, null, null, tokenKey, null,
                null, store, dir.resolve("model.pub"), dir.resolve("champion.json"), 0, PARALLELISM);
        // Per transaction, from the backtest's own run: what an alert would say.
        Map<String, Decision> expected = new HashMap<>();
        BacktestReport report = Backtest.run(candidate, request, Progress.silent(), (score, d) -> {
            if (d.alert) {
                expected.put(score.transactionId(), new Decision(d.firedRules, d.modelAlert, d.blockRecommended));
            }
        });
        assertThat(report.transactions()).isEqualTo(ROWS);
        Map<String, BacktestReport.RuleFigures> backtestRules = new HashMap<>();
        report.rules().forEach(r -> backtestRules.put(r.name(), r));
        assertThat(backtestRules).doesNotContainKey("never").hasSize(5);
        // The set exercises every path: each rule hits, rules add alerts and remove the model's.
        assertThat(report.rules()).allSatisfy(r -> assertThat(r.hits()).as(r.name()).isPositive());
        assertThat(report.set().added()).isPositive();
        assertThat(report.set().removed()).as("" + report.set()).isPositive();
        assertThat(report.set().blockRecommended()).isPositive();
        assertThat((long) expected.size()).isEqualTo(report.set().alerts());

        // (b) the live job
        Map<String, Decision> live = new HashMap<>();
        Map<String, Long> liveHits = new HashMap<>();
        long liveAdded;
        long liveRemoved;
        JobID jobId;
        try (KafkaBroker broker = KafkaBrokers.start()) {
            Map<String, String> values = new HashMap<>();
            values.put(JobOptions.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
            values.put(JobOptions.MODEL_STORE.key(), store.toString());
            values.put(JobOptions.MODEL_PUBLIC_KEY.key(), dir.resolve("model.pub").toString());
            values.put(JobOptions.MODEL_INITIAL_DESCRIPTOR.key(), dir.resolve("champion.json").toString());
            values.put(JobOptions.PARALLELISM.key(), Integer.toString(PARALLELISM));
            values.put(JobOptions.GROUP_ID.key(), "backtest-parity");
            values.put(JobOptions.START_FROM.key(), "earliest");
            values.put(JobOptions.RULES_ENABLED.key(), "true");
            JobConfig config = JobConfig.fromMap(values);
            String txTopic = config.get(JobOptions.TRANSACTIONS_TOPIC);
            String scoresTopic = config.get(JobOptions.SCORES_TOPIC);
            String alertsTopic = config.get(JobOptions.ALERTS_TOPIC);
            String rulesTopic = config.get(JobOptions.RULES_TOPIC);
            broker.createTopics(Map.of(txTopic, 4, scoresTopic, 4, config.get(JobOptions.SHADOW_SCORES_TOPIC), 1,
                    alertsTopic, 2, config.get(JobOptions.DEAD_LETTER_TOPIC), 1,
                    config.get(JobOptions.MODEL_UPDATES_TOPIC), 1, rulesTopic, 1), Duration.ofSeconds(60));
            // The candidate as an analyst publishes it: signed with the model-signing key the job trusts.
            RuleSet signed = RuleSetSigner.sign(candidate, keys.getPrivate(), Instant.now());
            send(broker.bootstrapServers(), List.of(new ProducerRecord<>(rulesTopic, 0,
                    signed.getName().getBytes(StandardCharsets.UTF_8), AvroCodec.of(RuleSet.class).encode(signed))));

            // A local MiniCluster (the backtest ran on one too) whose metrics the test reads.
            Configuration flink = METRICS.addToConfiguration(FraudScoringJob.flinkConfiguration(config));
            flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
            FraudScoringJob.build(env, config);
            JobClient job = env.executeAsync("backtest-parity-live");
            jobId = job.getJobID();
            try {
                // In force on every subtask before the first transaction exists.
                awaitCounter(jobId, JobMetrics.RULE_SETS_ACCEPTED, PARALLELISM);
                produce(broker.bootstrapServers(), txTopic, slice, tokenKey);
                awaitRecordsWritten(broker.bootstrapServers(), scoresTopic, ROWS);
                awaitRecordsWritten(broker.bootstrapServers(), alertsTopic, expected.size());
                // Every enabled rule evaluated on every event; the counters are read while the job still runs.
                awaitCounter(jobId, JobMetrics.RULE_EVALUATIONS, (long) ROWS * report.rules().size());
                for (BacktestReport.RuleFigures r : report.rules()) {
                    liveHits.put(r.name(), counter(jobId, JobMetrics.RULE_HITS, "<rule>", r.name()));
                    assertThat(counter(jobId, JobMetrics.RULE_EVALUATIONS, "<rule>", r.name())).as(r.name())
                            .isEqualTo(ROWS);
                }
                liveAdded = counter(jobId, JobMetrics.RULE_ALERTS, null, null);
                liveRemoved = counter(jobId, JobMetrics.ALERTS_SUPPRESSED, null, null);
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
            AvroCodec<FraudScore> scoreCodec = AvroCodec.of(FraudScore.class);
            List<byte[]> scores = TopicReader.readAll(broker.bootstrapServers(), Map.of(), scoresTopic,
                    Duration.ofSeconds(60));
            assertThat(scores).hasSize(ROWS);
            java.util.Set<String> scored = new java.util.HashSet<>();
            for (byte[] b : scores) {
                scored.add(scoreCodec.decode(b).getTransactionId());
            }
            assertThat(scored).hasSize(ROWS);
            AvroCodec<FraudAlert> alertCodec = AvroCodec.of(FraudAlert.class);
            for (byte[] b : TopicReader.readAll(broker.bootstrapServers(), Map.of(), alertsTopic,
                    Duration.ofSeconds(60))) {
                FraudAlert a = alertCodec.decode(b);
                assertThat(a.getRuleSetVersion()).isEqualTo(4L);
                String fired = String.join(",", a.getRules().stream().map(FiredRule::getName).toList());
                assertThat(live.put(a.getScore().getTransactionId(),
                        new Decision(fired, a.getModelAlert(), a.getBlockRecommended()))).as("duplicate alert")
                        .isNull();
            }
        }

        // Per transaction id: the same alerting events, each with the same fired rules and decision.
        assertThat(live.keySet()).isEqualTo(expected.keySet());
        for (Map.Entry<String, Decision> e : expected.entrySet()) {
            assertThat(live.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        // And the hit counts: every rule's hits (on alerting and non-alerting events), added and removed alerts.
        Map<String, Long> backtestHits = new HashMap<>();
        report.rules().forEach(r -> backtestHits.put(r.name(), r.hits()));
        assertThat(liveHits).isEqualTo(backtestHits);
        assertThat(liveAdded).isEqualTo(report.set().added());
        assertThat(liveRemoved).isEqualTo(report.set().removed());
    }

    private record Decision(String firedRules, boolean modelAlert, boolean blockRecommended) {}

    /** The slice in file order, keyed by card token, as the bank's publisher would send it. */
    private static void produce(String bootstrap, String topic, Path csv, Path tokenKey) throws Exception {
        AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (TransactionReader reader = InputFormat.SPARKOV.open(csv, new InputFormat.Options(null,
                EventTimeRule.HOME_LONGITUDE, null, CardTokens.fromKeyFile(tokenKey)))) {
            LabelledTransaction t;
            while ((t = reader.next()) != null) {
                records.add(new ProducerRecord<>(topic,
                        t.transaction().getCardId().getBytes(StandardCharsets.UTF_8), codec.encode(t.transaction())));
            }
        }
        send(bootstrap, records);
    }

    private static void send(String bootstrap, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 10);
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(producer.send(r));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Waits (polling a broker-side count, with a deadline) until a topic holds at least {@code atLeast} records. */
    private static void awaitRecordsWritten(String bootstrap, String topic, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_uncommitted"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            long written;
            while ((written = consumer.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum())
                    < atLeast) {
                assertThat(System.nanoTime()).as("%s reached %d records (%d)", topic, atLeast, written)
                        .isLessThan(deadline);
                Thread.sleep(100); // polling a broker-side count; there is nothing to wait on
            }
        }
    }

    /** Waits (bounded) until a counter summed over subtasks reaches {@code atLeast}; it must not exceed it. */
    private static void awaitCounter(JobID job, String name, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        long seen;
        while ((seen = counter(job, name, null, null)) < atLeast) {
            assertThat(System.nanoTime()).as("%s reached %d (seen %d)", name, atLeast, seen).isLessThan(deadline);
            Thread.sleep(50); // polling a metric; there is nothing to wait on
        }
        assertThat(seen).as(name).isEqualTo(atLeast);
    }

    /** A counter of the job summed over subtasks, of the groups whose {@code variable} is {@code value} (if given). */
    private static long counter(JobID job, String name, String variable, String value) {
        long sum = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> g : METRICS.getMetricsByGroup().entrySet()) {
            Metric metric = g.getValue().get(name);
            Map<String, String> vars = g.getKey().getAllVariables();
            if (metric instanceof Counter c && job.toString().equals(vars.get("<job_id>"))
                    && (variable == null || value.equals(vars.get(variable)))) {
                sum += c.getCount();
            }
        }
        return sum;
    }
}
