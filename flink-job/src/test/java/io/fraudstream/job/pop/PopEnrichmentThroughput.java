package io.fraudstream.job.pop;

import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.job.JobStreams;
import io.fraudstream.job.validation.TransactionEvent;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;

/**
 * How many transactions per second one point-of-purchase enrichment subtask can take: the ceiling of the job's
 * default {@code point-of-purchase.parallelism} of 1 (docs/POINT_OF_PURCHASE.md, docs/BENCHMARKS.md). A tool, not a
 * test (performance is not asserted in {@code mvn verify}).
 *
 * <p>Fills the job's own {@link PopEnrichment} (Flink's broadcast operator harness, one subtask) with 30 days of
 * hourly counts of {@code --terminals} terminals (10 per merchant, {@code --busy} of them with transactions every
 * hour, the rest 1-5 a day), then times rounds of {@code --per-round} transactions at random terminals, each
 * <i>deserialized before and serialized after</i> the operator with the job's {@link TransactionEvent} serializer, as
 * the network hops into and out of the step do. Prints each round's rate and the median of the rounds after the
 * first {@code --warmup}.
 *
 * <pre>
 * mvn -B -o -q -pl flink-job -am test-compile -DskipTests
 * CP="flink-job/target/test-classes:flink-job/target/classes:$(cat flink-job/target/test-classpath.txt)"
 * java -Xmx3g -cp "$CP" io.fraudstream.job.pop.PopEnrichmentThroughput --terminals 100000
 * </pre>
 */
public final class PopEnrichmentThroughput {
    private PopEnrichmentThroughput() {}

    public static void main(String[] args) throws Exception {
        int terminals = 100_000;
        double busyShare = 0.10;
        int rounds = 12;
        int warmup = 3;
        int perRound = 500_000;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--terminals" -> terminals = Integer.parseInt(value);
                case "--busy" -> busyShare = Double.parseDouble(value);
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--per-round" -> perRound = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (known: --terminals, --busy, --rounds, --warmup, --per-round)");
            }
        }
        if (terminals < 10 || rounds <= warmup || perRound < 1 || busyShare < 0 || busyShare > 1) {
            throw new IllegalArgumentException("need --terminals >= 10, --rounds > --warmup, --per-round >= 1, "
                    + "0 <= --busy <= 1");
        }
        int merchants = terminals / 10;
        SplittableRandom random = new SplittableRandom(14);

        BroadcastOperatorTestHarness<TransactionEvent, PopDelta, TransactionEvent> harness =
                new BroadcastOperatorTestHarness<>(
                        new CoBroadcastWithNonKeyedOperator<>(new PopEnrichment(), List.of(JobStreams.POP_COUNTS)),
                        128, 1, 0);
        harness.open();
        long start = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        int firstHour = PopFeatures.hourOf(start);
        int days = 30;
        long fillStart = System.nanoTime();
        for (int h = 0; h < days * 24; h++) {
            for (int t = 0; t < terminals; t++) {
                boolean busy = t % 100 < busyShare * 100;
                int tx = busy ? 1 + random.nextInt(30) : (random.nextInt(8) == 0 ? 1 : 0);
                if (tx > 0) {
                    harness.processBroadcastElement(new StreamRecord<>(new PopDelta(
                            PopFeatures.terminalKey("term-" + t), firstHour + h, tx, random.nextInt(500) == 0 ? 1 : 0)));
                }
            }
            for (int m = 0; m < merchants; m++) {
                harness.processBroadcastElement(new StreamRecord<>(new PopDelta(
                        PopFeatures.merchantKey("merch-" + m), firstHour + h, 1 + random.nextInt(40), 0)));
            }
        }
        System.out.printf(Locale.ROOT, "filled %,d terminals and %,d merchants, %d days, in %.1f s%n", terminals,
                merchants, days, (System.nanoTime() - fillStart) / 1e9);

        TypeSerializer<TransactionEvent> serializer = TypeInformation.of(TransactionEvent.class)
                .createSerializer(new SerializerConfigImpl());
        // A pool of serialized transactions (as they arrive from the network), at random terminals, in the last day.
        int pool = 4_096;
        byte[][] wire = new byte[pool][];
        DataOutputSerializer out = new DataOutputSerializer(512);
        for (int i = 0; i < pool; i++) {
            int t = random.nextInt(terminals);
            TransactionEvent tx = new TransactionEvent();
            tx.transactionId = "tx-" + i;
            tx.cardId = "tok-" + random.nextInt(1_000_000);
            tx.accountId = "acct-" + i;
            tx.eventTimeMillis = start + (days * 24L - 1) * PopFeatures.HOUR_MS + random.nextInt(3_600_000);
            tx.amountMinor = 1 + random.nextInt(100_000);
            tx.amount = tx.amountMinor / 100.0;
            tx.currency = "USD";
            tx.merchantId = "merch-" + (t / 10);
            tx.terminalId = "term-" + t;
            tx.merchantCategory = "grocery_pos";
            tx.channel = "CARD_PRESENT";
            tx.country = "US";
            tx.sourceTopic = "transactions";
            out.clear();
            serializer.serialize(tx, out);
            wire[i] = out.getCopyOfBuffer();
        }
        DataInputDeserializer in = new DataInputDeserializer();
        double[] rates = new double[rounds];
        long sink = 0;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < perRound; i++) {
                in.setBuffer(wire[i & (pool - 1)]);
                harness.processElement(new StreamRecord<>(serializer.deserialize(in)));
                TransactionEvent enriched = harness.getOutput().isEmpty() ? null
                        : ((StreamRecord<TransactionEvent>) harness.getOutput().poll()).getValue();
                out.clear();
                serializer.serialize(enriched, out);
                sink += out.length();
            }
            rates[r] = perRound / ((System.nanoTime() - t0) / 1e9);
            System.out.printf(Locale.ROOT, "round %d: %,.0f transactions/s%n", r + 1, rates[r]);
        }
        double[] measured = Arrays.copyOfRange(rates, warmup, rounds);
        Arrays.sort(measured);
        double median = measured.length % 2 == 1 ? measured[measured.length / 2]
                : (measured[measured.length / 2 - 1] + measured[measured.length / 2]) / 2;
        System.out.printf(Locale.ROOT, "one enrichment subtask: median %,.0f transactions/s (%.2f us each) over rounds "
                + "%d-%d; %,d bytes written%n", median, 1e6 / median, warmup + 1, rounds, sink);
        harness.close();
    }
}
