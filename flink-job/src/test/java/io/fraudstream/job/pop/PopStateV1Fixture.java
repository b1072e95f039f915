package io.fraudstream.job.pop;

import io.fraudstream.features.pop.PopCounts;
import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.job.validation.TransactionEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;

/**
 * The committed point-of-purchase enrichment state as the release before {@link PopCountsSerializer} wrote it (v1:
 * {@code JobStreams.POP_COUNTS} with Flink's POJO serializer, {@link #V1_POP_COUNTS}), for the restore test in
 * {@link PopCountsSerializerTest}.
 *
 * <p>{@code src/test/resources/state-pop-v1/pop-enrich-v1.snapshot} is an operator snapshot of the job's
 * {@link PopEnrichment} in {@link CoBroadcastWithNonKeyedOperator} (the operator the job runs it in) after
 * {@link #deltas()}, written by {@link #main} through {@link OperatorSnapshotUtil#writeStateHandle}.
 * The operator registers its broadcast state from the descriptor list it is given (the function's own lookups match
 * by state name), so passing {@link #V1_POP_COUNTS} writes exactly what the previous release wrote, with today's
 * code too; the test checks the committed file's metadata names the POJO serializer. Regenerate (only if the
 * fixture's inputs change) from the repository root:
 * <pre>
 * mvn -B -o -q -pl flink-job -am test-compile -DskipTests
 * java -cp "flink-job/target/test-classes:flink-job/target/classes:$(cat flink-job/target/test-classpath.txt)" \
 *   io.fraudstream.job.pop.PopStateV1Fixture flink-job/src/test/resources
 * </pre>
 * {@code expected-features.txt} holds, per transaction of {@link #transactions()}, the point-of-purchase features
 * the v1 state gave it, as {@link Float#floatToIntBits} in hex.
 */
public final class PopStateV1Fixture {
    static final String SNAPSHOT = "state-pop-v1/pop-enrich-v1.snapshot";
    static final String EXPECTED_FEATURES = "state-pop-v1/expected-features.txt";

    /** The descriptor of {@code JobStreams.POP_COUNTS} before {@link PopCountsSerializer}: name, key and POJO value. */
    static final MapStateDescriptor<String, PopCounts> V1_POP_COUNTS =
            new MapStateDescriptor<>("pop-counts", Types.STRING, TypeInformation.of(PopCounts.class));

    static final int FIRST_HOUR = PopFeatures.hourOf(Instant.parse("2026-10-01T00:00:00Z").toEpochMilli());
    /** Hours of deltas: longer than the 745 retained, so eviction and the daily sweep have run. */
    static final int HOURS = 800;
    static final int LAST_HOUR = FIRST_HOUR + HOURS - 1;

    private PopStateV1Fixture() {}

    static BroadcastOperatorTestHarness<TransactionEvent, PopDelta, TransactionEvent> harness(
            MapStateDescriptor<String, PopCounts> descriptor) throws Exception {
        return new BroadcastOperatorTestHarness<>(
                new CoBroadcastWithNonKeyedOperator<>(new PopEnrichment(), List.of(descriptor)), 128, 1, 0);
    }

    /**
     * The deltas, in hour order as {@code PopAggregator} emits them: a terminal busy every hour (frauds every 97th
     * hour), one with gaps of hours to weeks and a label-only hour, a merchant with counts up to
     * {@link Integer#MAX_VALUE}, their merchant, and a key silent for longer than the retention (swept).
     */
    static List<PopDelta> deltas() {
        List<PopDelta> out = new ArrayList<>();
        int[] gaps = {3, 4, 9, 50, 51, 52, 200, 431, 432, 600, 744, 745, 760, 790, 797, 799};
        for (int h = 0; h < HOURS; h++) {
            int hour = FIRST_HOUR + h;
            int busyTx = 1 + (h * 7) % 30;
            int busyFrauds = h % 97 == 5 ? 1 + h % 3 : 0;
            out.add(new PopDelta("t:busy", hour, busyTx, busyFrauds));
            int gapTx = 0;
            int gapFrauds = 0;
            for (int g : gaps) {
                if (g == h) {
                    gapTx = h == 431 ? 0 : 1 + h % 5; // 431: a fraud report in an hour without transactions
                    gapFrauds = h == 431 || h == 760 ? 1 : 0;
                    out.add(new PopDelta("t:gaps", hour, gapTx, gapFrauds));
                }
            }
            out.add(new PopDelta("m:shop", hour, busyTx + gapTx, busyFrauds + gapFrauds));
            if (h % 24 == 12) {
                int big = h > 700 ? Integer.MAX_VALUE : 1_000_000 * (h / 24);
                out.add(new PopDelta("m:big", hour, big, h % 48 == 12 ? 300_000 : 0));
            }
            if (h < 20) {
                out.add(new PopDelta("t:gone", hour, 2, 0));
            }
        }
        return out;
    }

    /** Transactions after the snapshot: present, unknown and absent points of purchase, recent and older times. */
    static List<TransactionEvent> transactions() {
        long lastHourStart = (long) LAST_HOUR * PopFeatures.HOUR_MS;
        long[] times = {lastHourStart + 2 * PopFeatures.HOUR_MS + 60_000, lastHourStart + PopFeatures.HOUR_MS,
                lastHourStart + 30 * 60_000, lastHourStart - 48 * PopFeatures.HOUR_MS,
                lastHourStart - 200 * PopFeatures.HOUR_MS + 1, lastHourStart + 9 * 24 * PopFeatures.HOUR_MS};
        String[][] where = {{"shop", "busy"}, {"shop", "gaps"}, {"big", "gaps"}, {null, "busy"}, {"shop", null},
                {"unknown", "gone"}, {"big", "busy"}};
        List<TransactionEvent> out = new ArrayList<>();
        for (long time : times) {
            for (String[] w : where) {
                out.add(PointOfPurchaseOperatorsTest.tx("tx" + out.size(), w[0], w[1], time));
            }
        }
        return out;
    }

    /** Writes the fixture into {@code args[0]} (default {@code flink-job/src/test/resources}). */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "flink-job/src/test/resources");
        Files.createDirectories(dir.resolve(SNAPSHOT).getParent());
        var h = harness(V1_POP_COUNTS);
        h.open();
        for (PopDelta d : deltas()) {
            h.processBroadcastElement(new StreamRecord<>(d));
        }
        OperatorSubtaskState state = h.snapshot(1, 1);
        OperatorSnapshotUtil.writeStateHandle(state, dir.resolve(SNAPSHOT).toString());
        for (TransactionEvent tx : transactions()) {
            h.processElement(new StreamRecord<>(tx));
        }
        StringBuilder sb = new StringBuilder();
        for (TransactionEvent tx : h.extractOutputValues()) {
            sb.append(tx.transactionId);
            for (float f : tx.pointOfPurchase) {
                sb.append(' ').append(Integer.toHexString(Float.floatToIntBits(f)));
            }
            sb.append('\n');
        }
        Files.writeString(dir.resolve(EXPECTED_FEATURES), sb.toString(), StandardCharsets.UTF_8);
        h.close();
        System.out.println("wrote " + dir.resolve(SNAPSHOT) + " and " + dir.resolve(EXPECTED_FEATURES));
    }
}
