package io.fraudstream.replay.run;

import io.fraudstream.cli.support.Progress;
import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.LabelValue;
import io.fraudstream.avro.Transaction;
import io.fraudstream.datasets.BadRows;
import io.fraudstream.datasets.CardTokens;
import io.fraudstream.datasets.EventTimeRule;
import io.fraudstream.datasets.InputFormat;
import io.fraudstream.datasets.LabelledTransaction;
import io.fraudstream.datasets.TransactionReader;
import io.fraudstream.model.FraudModel;
import io.fraudstream.replay.ReplayMain;
import io.fraudstream.replay.eval.ScoreFile;
import io.fraudstream.replay.eval.ScoredTransaction;
import io.fraudstream.replay.kafka.KafkaRangeReader;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import io.fraudstream.testkit.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evaluation input read from a real broker between two offsets or two times per partition, with bad records
 * among the transactions and labels from the labels topic.
 */
class KafkaInputIT {

    static final int ROWS = 1_500;
    static final String TOPIC = "transactions";
    static final String LABELS = "fraud-labels";
    /**
     * Record timestamps start an hour ago: timestamps older than the broker's retention (7 days by default) are
     * deleted at its next retention check, which made a fixed date in the past fail on a slow run.
     */
    static final long T0 = (System.currentTimeMillis() - 3_600_000L) / 1000 * 1000;

    @TempDir
    static Path dir;

    static KafkaBroker broker;
    static Path slice;
    /** What was produced, in send order: send index i has record timestamp T0 + i s. */
    static final List<Sent> sent = new ArrayList<>();
    static final Map<String, Boolean> labelled = new HashMap<>();

    /** A record on the topic: a transaction (id) or a bad record (id null). */
    record Sent(int index, int partition, long offset, String transactionId) {}

    @BeforeAll
    static void produce() throws Exception {
        slice = dir.resolve("slice.csv");
        BoundedScoringTest.cutSparkov(SharedData.sparkov(), slice, ROWS, List.of());
        broker = KafkaBrokers.start();
        broker.createTopics(Map.of(TOPIC, 2, LABELS, 1), Duration.ofSeconds(60));
        AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
        AvroCodec<FraudLabel> labelCodec = AvroCodec.of(FraudLabel.class);
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
                TransactionReader reader = InputFormat.SPARKOV.open(slice,
                        new InputFormat.Options(null, EventTimeRule.HOME_LONGITUDE, null, CardTokens.publicTestKey("KafkaInputIT")))) {
            LabelledTransaction t;
            int i = 0;
            while ((t = reader.next()) != null) {
                Transaction tx = t.transaction();
                byte[] key = tx.getCardId().getBytes(StandardCharsets.UTF_8);
                int partition = Math.floorMod(tx.getCardId().hashCode(), 2);
                if (i % 100 == 37) {
                    // a bad record among the good ones: garbage, then a tombstone
                    byte[] garbage = i % 200 == 37 ? "not avro".getBytes(StandardCharsets.UTF_8) : null;
                    var md = producer.send(new ProducerRecord<>(TOPIC, partition, T0 + i * 1000L, key, garbage))
                            .get(60, TimeUnit.SECONDS);
                    sent.add(new Sent(i, partition, md.offset(), null));
                    i++;
                }
                var md = producer.send(new ProducerRecord<>(TOPIC, partition, T0 + i * 1000L, key, codec.encode(tx)))
                        .get(60, TimeUnit.SECONDS);
                sent.add(new Sent(i, partition, md.offset(), tx.getTransactionId()));
                if (i % 3 == 0) {
                    // labels from the topic only: every third transaction, the opposite of the file on every sixth
                    boolean fraud = t.fraud() ^ (i % 6 == 0);
                    labelled.put(tx.getTransactionId(), fraud);
                    producer.send(new ProducerRecord<>(LABELS, key, labelCodec.encode(FraudLabel.newBuilder()
                            .setTransactionId(tx.getTransactionId()).setCardId(tx.getCardId())
                            .setLabel(fraud ? LabelValue.FRAUD : LabelValue.GENUINE)
                            .setReportedAt(Instant.ofEpochMilli(T0)).setSource("TEST").build())));
                }
                i++;
            }
            producer.flush();
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static KafkaRangeReader reader() {
        return new KafkaRangeReader(broker.bootstrapServers(), Map.of(), Duration.ofSeconds(30));
    }

    private static Set<String> ids(List<ScoredTransaction> scores) {
        Set<String> out = new HashSet<>();
        scores.forEach(s -> assertThat(out.add(s.transactionId())).isTrue());
        return out;
    }

    @Test
    void offsetRangePerPartitionReadsExactlyThatSliceAndReportsItsBadRecords() throws Exception {
        long from0 = 40;
        long to0 = 500;
        long from1 = 100;
        KafkaRangeReader.Read read = reader().read(TOPIC, Set.of(),
                KafkaRangeReader.Position.offsets(Map.of(0, from0, 1, from1)),
                KafkaRangeReader.Position.offsets(Map.of(0, to0)), Map.of(), dir.resolve("o.spool"), Progress.silent());
        Set<String> expected = new HashSet<>();
        List<String> expectedBad = new ArrayList<>();
        for (Sent s : sent) {
            boolean in = s.partition() == 0 ? s.offset() >= from0 && s.offset() < to0 : s.offset() >= from1;
            if (in) {
                if (s.transactionId() == null) {
                    expectedBad.add(s.partition() + "/" + s.offset());
                } else {
                    expected.add(s.transactionId());
                }
            }
        }
        assertThat(expectedBad).hasSizeGreaterThan(3);
        assertThat(read.summary().ranges().get(0)).containsExactly(from0, to0);
        assertThat(read.summary().ranges().get(1)[0]).isEqualTo(from1);
        assertThat(read.summary().badCount()).isEqualTo(expectedBad.size());
        assertThat(read.summary().badRecords()).extracting(b -> b.partition() + "/" + b.offset())
                .containsExactlyElementsOf(expectedBad.stream().sorted((a, b) -> {
                    String[] x = a.split("/");
                    String[] y = b.split("/");
                    int c = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
                    return c != 0 ? c : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
                }).toList());
        assertThat(read.summary().badRecords()).allSatisfy(b -> assertThat(b.reason()).isNotBlank());
        try (Spool spool = read.spool()) {
            BoundedScoring.Result r = BoundedScoring.run(spool, PinnedModels.inline(LiveParityIT.model()),
                    BoundedScoring.Settings.replayDefaults(), Progress.silent());
            assertThat(r.rejected()).isEmpty();
            assertThat(ids(r.scores())).isEqualTo(expected);
        }
    }

    @Test
    void timeRangeIsResolvedPerPartitionWithOffsetsForTimes() throws Exception {
        long fromTime = T0 + 300_000;
        long toTime = T0 + 1_100_000;
        KafkaRangeReader.Read read = reader().read(TOPIC, Set.of(), KafkaRangeReader.Position.time(fromTime),
                KafkaRangeReader.Position.time(toTime), Map.of(), dir.resolve("t.spool"), Progress.silent());
        Set<String> expected = new HashSet<>();
        for (Sent s : sent) {
            long ts = T0 + s.index() * 1000L;
            if (ts >= fromTime && ts < toTime && s.transactionId() != null) {
                expected.add(s.transactionId());
            }
        }
        try (Spool spool = read.spool()) {
            assertThat(spool.records()).isEqualTo(expected.size());
            Set<String> got = new HashSet<>();
            for (int i = 0; i < spool.records(); i++) {
                got.add(spool.transactionIdOf(i));
            }
            assertThat(got).isEqualTo(expected);
        }
    }

    @Test
    void wholeTopicThroughTheCommandLineScoresAsTheFileDoesWithLabelsFromTheLabelsTopic() throws Exception {
        FraudModel model = LiveParityIT.model();
        // the file, scored directly
        Map<String, Double> fromFile = new HashMap<>();
        try (Spool spool = BoundedScoringTest.spool(slice, dir.resolve("f.spool"))) {
            for (ScoredTransaction s : BoundedScoring.run(spool, PinnedModels.inline(model),
                    BoundedScoring.Settings.replayDefaults(), Progress.silent()).scores()) {
                fromFile.put(s.transactionId(), s.score());
            }
        }
        // the topic through `replay evaluate`, with a signed bundle
        Path store = java.nio.file.Files.createDirectories(dir.resolve("store"));
        java.security.KeyPair keys = io.fraudstream.model.SigningKeys.generate();
        io.fraudstream.model.SigningKeys.writePublicKey(keys.getPublic(), dir.resolve("model.pub"));
        io.fraudstream.schemas.AvroJson.write(new io.fraudstream.model.ModelStore(store)
                .publish(model, io.fraudstream.avro.ModelRole.CHAMPION, keys.getPrivate()), dir.resolve("champion.json"));
        Path out = dir.resolve("report");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ReplayMain.run(new String[] {"evaluate", "--input-topic", TOPIC,
            "--bootstrap-servers", broker.bootstrapServers(), "--out", out.toString(),
            "--model-store", store.toString(), "--public-key", dir.resolve("model.pub").toString(),
            "--descriptor", dir.resolve("champion.json").toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        String log = err.toString(StandardCharsets.UTF_8);
        assertThat(status).as(log).isZero();
        long bad = sent.stream().filter(s -> s.transactionId() == null).count();
        assertThat(log).contains("read " + ROWS + " transactions, " + bad + " bad record(s) skipped");
        Sent firstBad = sent.stream().filter(s -> s.transactionId() == null && s.partition() == 0).findFirst().get();
        assertThat(log).contains("partition 0, offset " + firstBad.offset() + ": ");
        assertThat(log).contains("labels: " + labelled.size() + " from topic " + LABELS);

        List<ScoredTransaction> scores = ScoreFile.read(out.resolve("scores.csv"), new BadRows());
        assertThat(scores).hasSize(ROWS);
        for (ScoredTransaction s : scores) {
            // Kafka keeps each card's order (a card's records share a partition), so the scores are the file's
            assertThat(s.score()).as(s.transactionId()).isEqualTo(fromFile.get(s.transactionId()));
            assertThat(s.fraud()).as(s.transactionId()).isEqualTo(labelled.get(s.transactionId()));
        }
        assertThat(scores.stream().filter(s -> Boolean.TRUE.equals(s.fraud())).count()).isPositive();
    }
}
