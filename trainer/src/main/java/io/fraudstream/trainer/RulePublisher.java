package io.fraudstream.trainer;

import io.fraudstream.avro.RuleDefinition;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.rules.CompiledRuleSet;
import io.fraudstream.rules.RuleCompiler;
import io.fraudstream.rules.RuleSetSigner;
import io.fraudstream.rules.RuleSets;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.schemas.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes analyst rule sets on the {@code rules} topic the way {@code trainer promote} publishes model descriptors:
 * signed with the model-signing key ({@link RuleSetSigner}), produced idempotently with acks=all, and reported done
 * only once the broker acknowledged the record. One implementation for {@code fraudstream rules} and the console.
 *
 * <p>The set in force is found as the job finds it: every record of the topic, from the beginning to its end, through
 * {@link RuleSets#accept} in order (a set is in force when it verifies under the public key, is newer than the one
 * before it and compiles). A publication gets version = the set in force's + 1 (or the candidate's own version, which
 * must then be greater), every rule (enabled or not) is compiled first and an invalid set is refused with the
 * compiler's message, nothing produced. Disabling a rule is publishing the set in force again, one version up, with
 * that rule {@code enabled: false}; disabling everything is a newer set without rules.
 *
 * <p>Two publishers racing may both pick the same next version: the job accepts the first to arrive and refuses the
 * other as {@code replayed} ({@link #history} shows it so). Thread-safe (one publication at a time per instance).
 */
public final class RulePublisher implements AutoCloseable {

    /** One record of the rules topic and what the job makes of it. */
    public record Entry(long offset, RuleSet set, boolean accepted, String refusal) {}

    /** The topic's sets, oldest first, and the set in force (empty: none accepted yet). */
    public record History(List<Entry> entries, Optional<RuleSet> inForce) {}

    private final String bootstrap;
    private final Map<String, Object> clientProperties;
    private final String topic;
    private final PublicKey publicKey;
    private final PrivateKey privateKey;
    private final Clock clock;
    private final Duration timeout;
    private final RuleCompiler compiler = new RuleCompiler();
    private final AvroCodec<RuleSet> codec = AvroCodec.of(RuleSet.class);
    private KafkaProducer<byte[], byte[]> producer;

    /**
     * {@code privateKey} null: read-only (publishing is refused). {@code clientProperties}: extra Kafka client
     * settings (security), may be empty.
     */
    public RulePublisher(String bootstrapServers, Map<String, Object> clientProperties, String topic,
            PublicKey publicKey, PrivateKey privateKey, Clock clock, Duration timeout) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("the rules topic must not be empty");
        }
        this.bootstrap = bootstrapServers;
        this.clientProperties = Map.copyOf(clientProperties);
        this.topic = topic;
        this.publicKey = java.util.Objects.requireNonNull(publicKey, "publicKey");
        this.privateKey = privateKey;
        this.clock = clock;
        this.timeout = timeout;
    }

    public String topic() {
        return topic;
    }

    public boolean canPublish() {
        return privateKey != null;
    }

    /** Compiles every rule of {@code set} (enabled or not); the refusal names the rule and the problem. */
    public static CompiledRuleSet validate(RuleSet set) throws RuleSets.RefusedException {
        return RuleSets.compile(set, new RuleCompiler());
    }

    /** Reads the whole topic (to its end offsets as of now) and replays it through {@link RuleSets#accept}. */
    public History history() {
        Map<String, Object> p = new HashMap<>(clientProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false); // never a non-compacted "rules" by accident
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist (create it compacted, with one"
                        + " partition)");
            }
            List<TopicPartition> parts = new ArrayList<>();
            infos.forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading topic " + topic + " to its end");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        // The job reads the one partition in offset order; with more partitions (not supported), partition by
        // partition.
        records.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        List<Entry> entries = new ArrayList<>();
        RuleSet inForce = null;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (r.value() == null) {
                continue; // a tombstone: nothing to accept
            }
            RuleSet set;
            try {
                set = codec.decode(r.value());
            } catch (WireFormatException e) {
                entries.add(new Entry(r.offset(), null, false, "undecodable: " + e.getMessage()));
                continue;
            }
            try {
                RuleSets.accept(set, publicKey, inForce == null ? null : inForce.getVersion(), compiler);
                inForce = set;
                entries.add(new Entry(r.offset(), set, true, null));
            } catch (RuleSets.RefusedException e) {
                entries.add(new Entry(r.offset(), set, false, e.reason().label() + ": " + e.getMessage()));
            }
        }
        return new History(Collections.unmodifiableList(entries), Optional.ofNullable(inForce));
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    public Optional<RuleSet> inForce() {
        return history().inForce();
    }

    /**
     * Checks, versions, signs and produces {@code candidate} (its signature and issue fields are replaced); returns
     * the set as published. Version: the candidate's if it is greater than 0 (then it must be newer than the set in
     * force, else {@link RuleSets.Refusal#REPLAYED}), else the set in force's + 1 (1 when none).
     */
    public synchronized RuleSet publish(RuleSet candidate, String issuedBy) throws Exception {
        requireKey();
        RuleSets.compile(candidate, compiler); // refused with the compiler's message; nothing produced
        Optional<RuleSet> current = inForce();
        long newest = current.map(RuleSet::getVersion).orElse(0L);
        long version;
        if (candidate.getVersion() > 0) {
            if (candidate.getVersion() <= newest) {
                throw new RuleSets.RefusedException(RuleSets.Refusal.REPLAYED, "rule set " + candidate.getName()
                        + " v" + candidate.getVersion() + " is not newer than the set in force (v" + newest
                        + "); leave the version out (0) to publish v" + (newest + 1));
            }
            version = candidate.getVersion();
        } else {
            version = newest + 1;
        }
        RuleSet unsigned = RuleSet.newBuilder(candidate).setVersion(version)
                .setIssuedBy(issuedBy == null ? "" : issuedBy).setSignature(null).build();
        RuleSet signed = RuleSetSigner.sign(unsigned, privateKey, Instant.ofEpochMilli(clock.millis()));
        producer().send(new ProducerRecord<>(topic, signed.getName().getBytes(StandardCharsets.UTF_8),
                codec.encode(signed))).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return signed;
    }

    /** The set in force again, one version up, with {@code ruleName} disabled. */
    public synchronized RuleSet disable(String ruleName, String issuedBy) throws Exception {
        requireKey();
        RuleSet current = inForce().orElseThrow(() -> new IllegalStateException("no rule set is in force on "
                + topic + ": nothing to disable"));
        List<RuleDefinition> rules = new ArrayList<>();
        boolean found = false;
        for (RuleDefinition d : current.getRules()) {
            if (d.getName().equals(ruleName)) {
                found = true;
                rules.add(RuleDefinition.newBuilder(d).setEnabled(false).build());
            } else {
                rules.add(d);
            }
        }
        if (!found) {
            throw new IllegalArgumentException("rule set " + current.getName() + " v" + current.getVersion()
                    + " has no rule named '" + ruleName + "'");
        }
        return publish(RuleSet.newBuilder(current).setRules(rules).setVersion(current.getVersion() + 1).build(),
                issuedBy);
    }

    /** A newer set without rules (same name as the set in force, "default" when none). */
    public synchronized RuleSet disableAll(String issuedBy) throws Exception {
        requireKey();
        Optional<RuleSet> current = inForce();
        RuleSet empty = RuleSet.newBuilder().setName(current.map(RuleSet::getName).orElse("default"))
                .setVersion(current.map(s -> s.getVersion() + 1).orElse(0L)).setRules(List.of())
                .setIssuedAt(Instant.EPOCH).setIssuedBy("").setSignature(null).build();
        return publish(empty, issuedBy);
    }

    private void requireKey() {
        if (privateKey == null) {
            throw new IllegalStateException("no model-signing private key: rule sets cannot be published");
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            Map<String, Object> p = new HashMap<>(clientProperties);
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "fraudstream-rules");
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
            producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
    }

    @Override
    public String toString() {
        return "topic " + topic;
    }
}
