package io.fraudstream.replay.run;

import io.fraudstream.cli.support.Progress;
import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.Transaction;
import io.fraudstream.datasets.CardTokens;
import io.fraudstream.datasets.EventTimeRule;
import io.fraudstream.datasets.InputFormat;
import io.fraudstream.datasets.LabelledTransaction;
import io.fraudstream.datasets.TransactionReader;
import io.fraudstream.replay.kafka.KafkaReplayer;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.testkit.KafkaBroker;
import io.fraudstream.testkit.KafkaBrokers;
import io.fraudstream.testkit.SharedData;
import io.fraudstream.testkit.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay to a real broker: every record arrives, each card's records in file order; paced runs keep the gaps. */
class KafkaReplayIT {

    @TempDir
    Path dir;

    private static TransactionReader open(Path csv) throws Exception {
        return InputFormat.SPARKOV.open(csv, new InputFormat.Options(null, EventTimeRule.HOME_LONGITUDE, null,
                CardTokens.publicTestKey("KafkaReplayIT")));
    }

    @Test
    void asFastAsPossibleKeepsPerCardOrderAndPacedKeepsTheGaps() throws Exception {
        Path slice = dir.resolve("slice.csv");
        BoundedScoringTest.cutSparkov(SharedData.sparkov(), slice, 3_000, List.of());
        Map<String, List<String>> expected = new HashMap<>();
        long firstEvent = -1;
        long event40 = -1;
        try (TransactionReader r = open(slice)) {
            LabelledTransaction t;
            int i = 0;
            while ((t = r.next()) != null) {
                expected.computeIfAbsent(t.transaction().getCardId(), c -> new ArrayList<>())
                        .add(t.transaction().getTransactionId());
                long e = t.transaction().getEventTime().toEpochMilli();
                firstEvent = firstEvent < 0 ? e : firstEvent;
                if (++i == 40) {
                    event40 = e;
                }
            }
        }
        try (KafkaBroker broker = KafkaBrokers.start()) {
            broker.createTopics(Map.of("replayed", 4, "paced", 1), Duration.ofSeconds(60));
            try (TransactionReader r = open(slice)) {
                KafkaReplayer.Summary s = new KafkaReplayer(broker.bootstrapServers(), Map.of(), "replayed", 0)
                        .replay(r, Progress.silent());
                assertThat(s.sent()).isEqualTo(3_000);
            }
            Map<String, List<String>> actual = new HashMap<>();
            for (Transaction tx : readAll(broker.bootstrapServers(), "replayed")) {
                actual.computeIfAbsent(tx.getCardId(), c -> new ArrayList<>()).add(tx.getTransactionId());
            }
            assertThat(actual).isEqualTo(expected);

            // The first 40 records at a speed that stretches their event-time span over 2 s of wall time.
            Path forty = dir.resolve("forty.csv");
            BoundedScoringTest.cutSparkov(SharedData.sparkov(), forty, 40, List.of());
            double speed = (event40 - firstEvent) / 2_000.0;
            assertThat(speed).isGreaterThan(1);
            try (TransactionReader r = open(forty)) {
                KafkaReplayer.Summary s = new KafkaReplayer(broker.bootstrapServers(), Map.of(), "paced", speed)
                        .replay(r, Progress.silent());
                assertThat(s.sent()).isEqualTo(40);
                assertThat(s.wallMillis()).isBetween(1_950L, 8_000L);
            }
        }
    }

    private static List<Transaction> readAll(String bootstrap, String topic) throws Exception {
        AvroCodec<Transaction> codec = AvroCodec.of(Transaction.class);
        List<Transaction> out = new ArrayList<>();
        for (byte[] value : TopicReader.readAll(bootstrap, Map.of(), topic, Duration.ofSeconds(60))) {
            out.add(codec.decode(value));
        }
        return out;
    }
}
