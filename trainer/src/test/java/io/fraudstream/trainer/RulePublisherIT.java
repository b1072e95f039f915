package io.fraudstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.avro.RuleDefinition;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.cli.support.Commands;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.rules.RuleCompiler;
import io.fraudstream.rules.RuleSetFiles;
import io.fraudstream.rules.RuleSetSigner;
import io.fraudstream.rules.RuleSets;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import io.fraudstream.testkit.TopicReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RulePublisher} and {@code fraudstream rules} on a real broker: a published set verifies with
 * {@link RuleSets#accept} under the model-signing public key, versions follow the set in force (a forged set on the
 * topic is ignored as the job ignores it), disabling publishes a newer set, and an invalid rule is refused with the
 * compiler's message while nothing is produced.
 */
class RulePublisherIT {

    static final String TOPIC = "rules";

    @TempDir
    Path tmp;

    static String file(long version, String expression) {
        return "{\"name\": \"bank-rules\", \"version\": " + version + ", \"rules\": ["
                + "{\"name\": \"big_online\", \"priority\": 30, \"action\": \"ALERT\","
                + " \"expression\": \"channel == 'ONLINE' && amount > 500.0\"},"
                + "{\"name\": \"trusted\", \"priority\": 50, \"action\": \"SUPPRESS\","
                + " \"expression\": \"" + expression + "\", \"description\": \"trusted merchant\"}]}";
    }

    static List<RuleSet> onTopic(KafkaBroker broker) {
        AvroCodec<RuleSet> codec = AvroCodec.of(RuleSet.class);
        List<RuleSet> out = new ArrayList<>();
        for (byte[] b : TopicReader.readAll(broker.bootstrapServers(), Map.of(), TOPIC, Duration.ofSeconds(30))) {
            try {
                out.add(codec.decode(b));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    @Test
    void publishVerifiesVersionsFollowTheSetInForceAndInvalidRulesAreRefused() throws Exception {
        KeyPair keys = SigningKeys.generate();
        RuleCompiler compiler = new RuleCompiler();
        try (KafkaBroker broker = KafkaBrokers.start();
                RulePublisher publisher = new RulePublisher(broker.bootstrapServers(), Map.of(), TOPIC,
                        keys.getPublic(), keys.getPrivate(), Clock.systemUTC(), Duration.ofSeconds(60))) {
            broker.createTopics(Map.of(TOPIC, 1), Duration.ofSeconds(60));
            assertThat(publisher.inForce()).isEmpty();

            RuleSet v1 = publisher.publish(RuleSetFiles.parse(file(0, "merchant == 'm-1'"), "test"), "ana");
            assertThat(v1.getVersion()).isEqualTo(1);
            List<RuleSet> topic = onTopic(broker);
            assertThat(topic).hasSize(1);
            RuleSet got = topic.get(0);
            assertThat(got).isEqualTo(v1);
            assertThat(got.getIssuedBy()).isEqualTo("ana");
            assertThat(RuleSets.accept(got, keys.getPublic(), null, compiler).size()).isEqualTo(2);
            assertThatThrownBy(() -> RuleSets.accept(got, SigningKeys.generate().getPublic(), null, compiler))
                    .isInstanceOf(RuleSets.RefusedException.class).hasMessageContaining("does not verify");

            // Refused before anything is produced: an explicit version not newer, an invalid rule.
            assertThatThrownBy(() -> publisher.publish(RuleSetFiles.parse(file(1, "true"), "test"), "ana"))
                    .isInstanceOf(RuleSets.RefusedException.class).hasMessageContaining("not newer");
            assertThatThrownBy(() -> publisher.publish(RuleSetFiles.parse(file(0, "amount > 500"), "test"), "ana"))
                    .isInstanceOf(RuleSets.RefusedException.class).hasMessageContaining("trusted");
            assertThat(onTopic(broker)).hasSize(1);

            // A forged set with a high version (another key) is on the topic: the job ignores it, so do we.
            RuleSet forged = RuleSetSigner.sign(RuleSet.newBuilder(v1).setVersion(99).build(),
                    SigningKeys.generate().getPrivate(), Instant.now());
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                    broker.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
                p.send(new ProducerRecord<>(TOPIC, "bank-rules".getBytes(StandardCharsets.UTF_8),
                        AvroCodec.of(RuleSet.class).encode(forged))).get();
            }
            RulePublisher.History h = publisher.history();
            assertThat(h.inForce()).contains(v1);
            assertThat(h.entries()).hasSize(2);
            assertThat(h.entries().get(1).accepted()).isFalse();
            assertThat(h.entries().get(1).refusal()).startsWith("forged");

            RuleSet v2 = publisher.disable("trusted", "owner");
            assertThat(v2.getVersion()).isEqualTo(2);
            assertThat(v2.getRules()).extracting(RuleDefinition::getEnabled).containsExactly(true, false);
            assertThat(RuleSets.accept(v2, keys.getPublic(), 1L, compiler).size()).isEqualTo(1);
            assertThatThrownBy(() -> publisher.disable("no_such_rule", "owner"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no_such_rule");

            RuleSet v3 = publisher.disableAll("owner");
            assertThat(v3.getVersion()).isEqualTo(3);
            assertThat(v3.getRules()).isEmpty();
            List<RuleSet> all = onTopic(broker);
            assertThat(all).hasSize(4);
            assertThat(all.get(3)).isEqualTo(v3);
            assertThat(RuleSets.accept(all.get(3), keys.getPublic(), 2L, compiler).size()).isZero();
            assertThat(publisher.inForce()).contains(v3);
        }
    }

    @Test
    void theCommandLineValidatesPublishesDisablesAndShows() throws Exception {
        Path keyDir = tmp.resolve("keys");
        KeyPair keys = SigningKeys.loadOrCreate(keyDir);
        Path good = Files.writeString(tmp.resolve("good.json"), file(0, "merchant == 'm-1'"));
        Path bad = Files.writeString(tmp.resolve("bad.json"), file(0, "amount > 500"));
        try (KafkaBroker broker = KafkaBrokers.start()) {
            broker.createTopics(Map.of(TOPIC, 1), Duration.ofSeconds(60));
            String[] kafka = {"--kafka", broker.bootstrapServers(), "--keys", keyDir.toString()};

            Run invalid = run("validate", bad.toString());
            assertThat(invalid.status).isEqualTo(2);
            assertThat(invalid.err).contains("trusted", "amount > 500");
            assertThat(run("validate", good.toString()).status).isZero();
            Run refused = run(concat(new String[] {"publish", bad.toString()}, kafka));
            assertThat(refused.status).isEqualTo(2);
            assertThat(refused.err).contains("trusted");
            assertThat(onTopic(broker)).isEmpty();

            Run published = run(concat(new String[] {"publish", good.toString(), "--issued-by", "ana"}, kafka));
            assertThat(published.status).as(published.err).isZero();
            assertThat(published.out).contains("v1");
            Run disabled = run(concat(new String[] {"disable", "big_online", "--issued-by", "owner"}, kafka));
            assertThat(disabled.status).as(disabled.err).isZero();
            List<RuleSet> topic = onTopic(broker);
            assertThat(topic).hasSize(2);
            assertThat(RuleSets.accept(topic.get(1), keys.getPublic(), 1L, new RuleCompiler()).size()).isEqualTo(1);

            Run show = run(concat(new String[] {"show"}, kafka));
            assertThat(show.status).as(show.err).isZero();
            assertThat(show.out).contains("bank-rules v2", "issued by owner", "big_online", "(disabled)", "trusted");
            assertThat(run(concat(new String[] {"show"}, new String[] {"--kafka", broker.bootstrapServers(),
                    "--keys", tmp.resolve("nokeys").toString()})).status).isEqualTo(2);
        }
    }

    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int status = Commands.configure(RulesCommand.commandLine(Clock.systemUTC(), o), o, e).execute(args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
