package io.fraudstream.job.scoring;

import org.apache.flink.types.Either;
import io.fraudstream.avro.RuleSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.ModelRole;
import io.fraudstream.job.FraudScoringPipeline;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.validation.TransactionEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A transaction whose scoring throws is a poison event: it goes to the dead-letter output (SCORING_FAILED, with the
 * exception and the card token) and the job goes on. A champion that fails every transaction is a broken model: the
 * job falls back to the previous champion, or stops with a message naming the model when there is none.
 * The poison here is a point-of-purchase block shorter than the model's (the model's arraycopy throws).
 */
class PoisonEventTest {

    private static final long T0 = Instant.parse("2026-11-01T12:00:00Z").toEpochMilli();
    private static final ScoringSettings SETTINGS = new ScoringSettings(30L * 86_400_000, 3, 3, 4096);

    private KeyedBroadcastOperatorTestHarness<String, TransactionEvent, Either<ModelDescriptor, RuleSet>, FraudScore> harness;

    private void open(String initialVersion) throws Exception {
        CardScoringFunction function = new CardScoringFunction(new TestModels.Factory(initialVersion, 0.5, 1024),
                SETTINGS, true, false);
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(function,
                new FraudScoringPipeline.CardKey(), Types.STRING, JobStreams.MODEL_DESCRIPTORS);
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private static TransactionEvent poison(String id, String card, long time) {
        TransactionEvent tx = CardScoringFunctionTest.tx(id, card, time, 10);
        tx.pointOfPurchase = new float[1];
        return tx;
    }

    private static TransactionEvent healthy(String id, String card, long time) {
        TransactionEvent tx = CardScoringFunctionTest.tx(id, card, time, 10);
        tx.pointOfPurchase = new float[io.fraudstream.features.pop.PopFeatures.COUNT];
        return tx;
    }

    @Test
    void aTransactionWhoseScoringThrowsIsDeadLetteredWithTheExceptionAndTheJobGoesOn() throws Exception {
        open("pop-v1");
        harness.processElement(new StreamRecord<>(healthy("t1", "card-token-1", T0)));
        harness.processElement(new StreamRecord<>(poison("t2", "card-token-1", T0 + 1000)));
        harness.processElement(new StreamRecord<>(healthy("t3", "card-token-1", T0 + 2000)));

        assertThat(harness.extractOutputValues()).extracting(FraudScore::getTransactionId).containsExactly("t1", "t3");
        List<DeadLetter> dead = harness.getSideOutput(JobStreams.DEAD_LETTERS).stream()
                .map(StreamRecord::getValue).toList();
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo(DeadLetterReason.SCORING_FAILED);
            assertThat(d.getMessage()).contains("pop-v1").contains("IndexOutOfBoundsException");
            assertThat(new String(d.getKey().array(), StandardCharsets.UTF_8)).isEqualTo("card-token-1");
        });
        // Not appended to the history: the same transaction, repaired and sent again, is scored (not a duplicate).
        harness.processElement(new StreamRecord<>(healthy("t2", "card-token-1", T0 + 3000)));
        assertThat(harness.extractOutputValues()).extracting(FraudScore::getTransactionId)
                .containsExactly("t1", "t3", "t2");
    }

    @Test
    void aChampionThatFailsEveryTransactionIsReplacedByThePreviousOne() throws Exception {
        open("v1"); // needs no point-of-purchase block
        harness.processBroadcastElement(Control.model(
                TestModels.descriptor("v2", ModelRole.CHAMPION, "pop:v2"))); // needs it
        int n = ModelLifecycle.SYSTEMATIC_FAILURES;
        for (int i = 0; i < n + 5; i++) {
            harness.processElement(new StreamRecord<>(poison("t" + i, "c" + (i % 7), T0 + i * 1000L)));
        }
        assertThat(harness.getSideOutput(JobStreams.DEAD_LETTERS)).hasSize(n);
        assertThat(harness.extractOutputValues()).hasSize(5).extracting(FraudScore::getModelVersion)
                .containsOnly("v1");
    }

    @Test
    void withNoEarlierChampionASystematicFailureStopsTheJobNamingTheModel() throws Exception {
        open("pop-v1");
        int n = ModelLifecycle.SYSTEMATIC_FAILURES;
        for (int i = 0; i < n - 1; i++) {
            harness.processElement(new StreamRecord<>(poison("t" + i, "c" + (i % 7), T0 + i * 1000L)));
        }
        assertThatThrownBy(() -> harness.processElement(new StreamRecord<>(poison("last", "c1", T0 + n * 1000L))))
                .hasStackTraceContaining("champion model pop-v1 failed to score " + n + " transactions in a row");
        assertThat(harness.getSideOutput(JobStreams.DEAD_LETTERS)).hasSize(n);
    }
}
