package io.fraudstream.job.pop;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.DeadLetterReason;
import io.fraudstream.avro.FraudLabel;
import io.fraudstream.avro.LabelValue;
import io.fraudstream.avro.Transaction;
import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.features.pop.PopTable;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.io.RawRecord;
import io.fraudstream.job.validation.TransactionEvent;
import io.fraudstream.job.validation.TransactionValidator;
import io.fraudstream.job.validation.ValidationRules;
import io.fraudstream.schemas.AvroCodec;
import io.fraudstream.simulator.SimulatedEvent;
import io.fraudstream.simulator.SimulatedLabel;
import io.fraudstream.simulator.SimulatedTransaction;
import io.fraudstream.simulator.Simulator;
import io.fraudstream.simulator.SimulatorConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.StreamFlatMap;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The job's point-of-purchase operators, driven through Flink's harnesses: point-in-time behaviour, state cleanup,
 * hostile labels, and parity with the table the trainer uses ({@link PopTable}) on a simulated history.
 */
class PointOfPurchaseOperatorsTest {
    private static final long H = PopFeatures.HOUR_MS;
    private static final long T0 = Instant.parse("2026-11-02T00:00:00Z").toEpochMilli();
    private static final AvroCodec<FraudLabel> LABELS = AvroCodec.of(FraudLabel.class);

    static TransactionEvent tx(String id, String merchant, String terminal, long time) {
        TransactionEvent e = new TransactionEvent();
        e.transactionId = id;
        e.cardId = "card-" + id;
        e.eventTimeMillis = time;
        e.merchantId = merchant;
        e.terminalId = terminal;
        return e;
    }

    static RawRecord label(String merchant, String terminal, long reportedAt, LabelValue value) {
        FraudLabel l = FraudLabel.newBuilder()
                .setTransactionId("x")
                .setCardId("c")
                .setLabel(value)
                .setReportedAt(Instant.ofEpochMilli(reportedAt))
                .setSource("TEST")
                .setMerchantId(merchant)
                .setTerminalId(terminal)
                .build();
        return new RawRecord("labels", 0, 0, reportedAt, 0, null, LABELS.encode(l));
    }

    @Test
    void theAggregatorFlushesOneDeltaPerKeyAndHourThenForgetsThem() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, PopDelta, PopDelta> h = ProcessFunctionTestHarnesses
                .forKeyedProcessFunction(new PopAggregator(1000), d -> d.key, Types.STRING);
        h.setProcessingTime(0);
        h.processElement(new StreamRecord<>(new PopDelta("m:a", 10, 1, 0)));
        h.processElement(new StreamRecord<>(new PopDelta("m:a", 10, 1, 0)));
        h.processElement(new StreamRecord<>(new PopDelta("m:a", 11, 0, 1)));
        h.processElement(new StreamRecord<>(new PopDelta("t:b", 10, 1, 0)));
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(h.numProcessingTimeTimers()).isEqualTo(2);
        h.setProcessingTime(1000);
        assertThat(h.extractOutputValues()).extracting(d -> d.key + "@" + d.hour + ":" + d.transactions + "/" + d.frauds)
                .containsExactlyInAnyOrder("m:a@10:2/0", "m:a@11:0/1", "t:b@10:1/0");
        assertThat(h.numProcessingTimeTimers()).isZero();
        assertThat(h.numKeyedStateEntries()).isZero();
        h.close();
    }

    @Test
    void aLabelReportedAtTChangesNoFeatureBeforeTAndTheMerchantsFeaturesAfterIt() throws Exception {
        BroadcastOperatorTestHarness<TransactionEvent, PopDelta, TransactionEvent> h = ProcessFunctionTestHarnesses
                .forBroadcastProcessFunction(new PopEnrichment(), JobStreams.POP_COUNTS);
        long reported = T0 + 10 * H + 25 * 60_000; // 10:25
        // The label arrives first (live, it is on its topic before any later transaction): still invisible early.
        h.processBroadcastElement(new StreamRecord<>(new PopDelta("m:shop", PopFeatures.hourOf(reported), 0, 1)));
        h.processBroadcastElement(new StreamRecord<>(new PopDelta("t:pos-1", PopFeatures.hourOf(reported), 0, 1)));
        long[] times = {T0, reported - 1, reported, T0 + 11 * H + 59 * 60_000, T0 + 12 * H, T0 + 40 * H};
        for (int i = 0; i < times.length; i++) {
            h.processElement(new StreamRecord<>(tx("t" + i, "shop", "pos-1", times[i])));
        }
        List<TransactionEvent> out = h.extractOutputValues();
        assertThat(out).hasSize(times.length);
        for (int i = 0; i < times.length; i++) {
            float[] f = out.get(i).pointOfPurchase;
            long merchantFrauds7d = PopFeatures.count(f[PopFeatures.MERCHANT_FRAUDS_7D]);
            long terminalFrauds7d = PopFeatures.count(f[PopFeatures.TERMINAL_FRAUDS_7D]);
            // Visible from the start of the hour after the reported hour plus the 1 h settle time (12:00).
            long expected = times[i] >= T0 + 12 * H ? 1 : 0;
            assertThat(merchantFrauds7d).as("merchant frauds at %s", Instant.ofEpochMilli(times[i])).isEqualTo(expected);
            assertThat(terminalFrauds7d).as("terminal frauds at %s", Instant.ofEpochMilli(times[i])).isEqualTo(expected);
        }
        // Out of the 1-day window, still in the 7-day one.
        float[] late = out.get(times.length - 1).pointOfPurchase;
        assertThat(PopFeatures.count(late[3])).isZero();
        assertThat(PopFeatures.count(late[4])).isEqualTo(1);
        h.close();
    }

    @Test
    void pointsOfPurchaseSilentForAMonthAreDroppedFromBroadcastState() throws Exception {
        BroadcastOperatorTestHarness<TransactionEvent, PopDelta, TransactionEvent> h = ProcessFunctionTestHarnesses
                .forBroadcastProcessFunction(new PopEnrichment(), JobStreams.POP_COUNTS);
        int hour = PopFeatures.hourOf(T0);
        h.processBroadcastElement(new StreamRecord<>(new PopDelta("m:old", hour, 5, 0)));
        for (int d = 1; d <= 40; d++) {
            h.processBroadcastElement(new StreamRecord<>(new PopDelta("m:busy", hour + d * 24, 1, 0)));
        }
        var state = h.getBroadcastState(JobStreams.POP_COUNTS);
        assertThat(state.contains("m:old")).isFalse();
        assertThat(state.get("m:busy").size).isLessThanOrEqualTo(PopFeatures.RETAINED_HOURS / 24 + 1);
        assertThat(state.get("m:busy").toArrays()[0][0])
                .isGreaterThanOrEqualTo(hour + 40 * 24 - PopFeatures.RETAINED_HOURS);
        h.close();
    }

    @Test
    void badLabelsAreDeadLetteredWithAReasonAndGenuineOnesCountNothing() throws Exception {
        OneInputStreamOperatorTestHarness<RawRecord, PopDelta> h = ProcessFunctionTestHarnesses
                .forProcessFunction(new LabelDecoder(1024, 24 * H));
        h.setProcessingTime(T0);
        h.processElement(new StreamRecord<>(new RawRecord("labels", 0, 1, 0, 0, null, new byte[] {1, 2, 3})));
        h.processElement(new StreamRecord<>(label("m", "t", T0 + 30L * 24 * H, LabelValue.FRAUD))); // year ahead
        h.processElement(new StreamRecord<>(label("m", "t", T0 - H, LabelValue.GENUINE)));
        h.processElement(new StreamRecord<>(label(null, null, T0 - H, LabelValue.FRAUD)));
        h.processElement(new StreamRecord<>(label("m", null, T0 - H, LabelValue.FRAUD)));
        assertThat(h.extractOutputValues()).extracting(d -> d.key + ":" + d.frauds).containsExactly("m:m:1");
        assertThat(h.getSideOutput(JobStreams.DEAD_LETTERS)).extracting(r -> ((DeadLetter) r.getValue()).getReason())
                .containsExactly(DeadLetterReason.UNDECODABLE, DeadLetterReason.INVALID_TIMESTAMP);
        h.close();
    }

    /**
     * Parity: the streaming path (transaction and label deltas, per-key aggregation flushed every second of
     * processing time, broadcast, eviction) gives every transaction exactly the features the trainer's table gives
     * it, on a simulated history with compromised merchants and labels reported 7 days late, replayed as live
     * traffic (processing time follows event time).
     */
    @Test
    void theStreamingPathAgreesWithTheTrainersTableOnASimulatedHistory() throws Exception {
        SimulatorConfig config = SimulatorConfig.builder().seed(5).cards(80)
                .start(Instant.parse("2025-03-01T00:00:00Z")).duration(Duration.ofDays(50))
                .labelDelay(Duration.ofDays(7)).fraudRate(0.02).build();
        ValidationRules rules = new ValidationRules(Duration.ofDays(100_000).toMillis(), Duration.ofDays(1).toMillis(),
                Long.MAX_VALUE / 4, 1024);
        TransactionValidator validator = new TransactionValidator(rules);
        AvroCodec<Transaction> txCodec = AvroCodec.of(Transaction.class);

        KeyedOneInputStreamOperatorTestHarness<String, PopDelta, PopDelta> aggregator = ProcessFunctionTestHarnesses
                .forKeyedProcessFunction(new PopAggregator(1000), d -> d.key, Types.STRING);
        BroadcastOperatorTestHarness<TransactionEvent, PopDelta, TransactionEvent> enrichment =
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(new PopEnrichment(), JobStreams.POP_COUNTS);
        OneInputStreamOperatorTestHarness<RawRecord, PopDelta> labels = ProcessFunctionTestHarnesses
                .forProcessFunction(new LabelDecoder(1024, 24 * H));
        OneInputStreamOperatorTestHarness<TransactionEvent, PopDelta> txDeltas =
                new OneInputStreamOperatorTestHarness<>(new StreamFlatMap<>(new TransactionDeltas()));
        txDeltas.open();

        PopTable table = new PopTable();
        List<TransactionEvent> scored = new ArrayList<>();
        int frauds = 0;
        for (Iterator<SimulatedEvent> it = new Simulator(config).eventIterator(); it.hasNext(); ) {
            SimulatedEvent e = it.next();
            long now = e.time().toEpochMilli();
            aggregator.setProcessingTime(now);
            forward(aggregator, enrichment);
            if (e instanceof SimulatedTransaction s) {
                TransactionEvent event = new TransactionEvent();
                assertThat(validator.validate(s.tx(), now, event)).isNull();
                enrichment.processElement(new StreamRecord<>(event));
                txDeltas.processElement(new StreamRecord<>(event));
                table.addTransaction(s.tx().getMerchantId(), s.tx().getTerminalId(), now);
            } else if (e instanceof SimulatedLabel l) {
                labels.setProcessingTime(now);
                labels.processElement(new StreamRecord<>(new RawRecord("labels", 0, 0, now, 0, null,
                        LABELS.encode(l.label()))));
                table.addFraudLabel(l.label().getMerchantId(), l.label().getTerminalId(), now);
                frauds++;
            }
            for (PopDelta d : drain(txDeltas)) {
                aggregator.processElement(new StreamRecord<>(d));
            }
            for (PopDelta d : drain(labels)) {
                aggregator.processElement(new StreamRecord<>(d));
            }
            scored.addAll(drain(enrichment));
        }
        assertThat(frauds).as("labels in the history").isGreaterThan(100);

        PopFeatures.Scratch scratch = new PopFeatures.Scratch();
        int withFrauds = 0;
        for (TransactionEvent t : scored) {
            float[] expected = new float[PopFeatures.ATTACHED_COUNT];
            table.features(t.merchantId, t.terminalId, t.eventTimeMillis, PopFeatures.SETTLE_HOURS, scratch, expected, 0);
            assertThat(t.pointOfPurchase).as("transaction %s", t.transactionId).containsExactly(expected);
            withFrauds += expected[PopFeatures.MERCHANT_FRAUDS_7D] > 0 ? 1 : 0;
        }
        assertThat(scored).hasSizeGreaterThan(10_000);
        assertThat(withFrauds).as("transactions at merchants with reported frauds").isGreaterThan(100);
        for (var harness : List.of(aggregator, enrichment, labels, txDeltas)) {
            harness.close();
        }
    }

    private static void forward(KeyedOneInputStreamOperatorTestHarness<String, PopDelta, PopDelta> aggregator,
            BroadcastOperatorTestHarness<TransactionEvent, PopDelta, TransactionEvent> enrichment) throws Exception {
        for (PopDelta d : drain(aggregator)) {
            enrichment.processBroadcastElement(new StreamRecord<>(d));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> drain(org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness<T> h) {
        List<T> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                out.add((T) r.getValue());
            }
        }
        h.getOutput().clear();
        return out;
    }
}
