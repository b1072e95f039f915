package io.fraudstream.job.scoring;

import org.apache.flink.types.Either;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.job.FraudScoringPipeline;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.validation.TransactionEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;

/**
 * The committed state of the release before chunked card state (v1: one {@code ValueState<CardHistory>} per card),
 * for the migration test. {@code src/test/resources/state-v1/} was written by {@link #main} on the v1 code (commit
 * e207a41, through a then-present WriteV1StateFixtureTest); never regenerate it with later code, which writes the
 * chunked layout: the point of the fixture is bytes the previous release wrote. The cards: one whose
 * 64-entry window has wrapped with an out-of-order arrival, one with 5 entries, one with UUID transaction ids.
 * {@code next-scores.txt} holds, per card, the v1 code's score of one more transaction after the snapshot.
 */
public final class V1StateFixture {
    static final String SNAPSHOT = "state-v1/card-scoring-v1.snapshot";
    static final String NEXT_SCORES = "state-v1/next-scores.txt";
    static final int WINDOW = 64;
    static final long T0 = Instant.parse("2026-11-01T12:00:00Z").toEpochMilli();
    static final long TTL = Duration.ofDays(30).toMillis();

    private V1StateFixture() {}

    static KeyedBroadcastOperatorTestHarness<String, TransactionEvent, Either<ModelDescriptor, RuleSet>, FraudScore> harness()
            throws Exception {
        CardScoringFunction function = new CardScoringFunction(new TestModels.Factory("v1", 0.99, WINDOW),
                new ScoringSettings(TTL, 3, 3, 1024));
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(function, List.of(JobStreams.MODEL_DESCRIPTORS)),
                new FraudScoringPipeline.CardKey(), Types.STRING, 128, 1, 0);
    }

    /** The transactions before the snapshot, in arrival order. */
    static List<TransactionEvent> before() {
        List<TransactionEvent> out = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            // t50 arrives late: it is inserted before t40..t49.
            long time = i == 50 ? T0 + 39 * 3_600_000L + 1 : T0 + i * 3_600_000L;
            out.add(CardScoringFunctionTest.tx("t" + i, "c-full", time, 5 + (i * 37) % 200));
        }
        for (int i = 0; i < 5; i++) {
            out.add(CardScoringFunctionTest.tx("s" + i, "c-small", T0 + i * 600_000L, 20 + i));
        }
        for (int i = 0; i < 10; i++) {
            out.add(CardScoringFunctionTest.tx(new UUID(42, i).toString(), "c-uuid", T0 + i * 86_400_000L, 99.5 * i));
        }
        return out;
    }

    /** One more transaction per card, scored after the restore. */
    static List<TransactionEvent> after() {
        return List.of(
                CardScoringFunctionTest.tx("t100", "c-full", T0 + 100 * 3_600_000L, 870),
                CardScoringFunctionTest.tx("s5", "c-small", T0 + 5 * 600_000L, 3),
                CardScoringFunctionTest.tx(new UUID(42, 10).toString(), "c-uuid", T0 + 10 * 86_400_000L, 1500));
    }

    /** Writes the fixture: {@code mvn -pl flink-job exec:java} is not set up, so run it from an IDE or jshell. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "flink-job/src/test/resources");
        var h = harness();
        h.open();
        for (TransactionEvent tx : before()) {
            h.processElement(new StreamRecord<>(tx));
        }
        OperatorSubtaskState state = h.snapshot(1, 1);
        OperatorSnapshotUtil.writeStateHandle(state, dir.resolve(SNAPSHOT).toString());
        int scored = h.extractOutputValues().size();
        for (TransactionEvent tx : after()) {
            h.processElement(new StreamRecord<>(tx));
        }
        StringBuilder sb = new StringBuilder();
        List<FraudScore> scores = h.extractOutputValues();
        for (FraudScore s : scores.subList(scored, scores.size())) {
            sb.append(s.getTransactionId()).append(' ').append(Double.toString(s.getScore())).append('\n');
        }
        Files.writeString(dir.resolve(NEXT_SCORES), sb.toString(), StandardCharsets.UTF_8);
        h.close();
    }
}
