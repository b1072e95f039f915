package io.fraudstream.trainer;

import io.fraudstream.model.scoring.WireTransactions;
import io.fraudstream.simulator.SimulatedTransaction;
import io.fraudstream.simulator.Simulator;
import io.fraudstream.simulator.SimulatorConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Labelled training data from the deterministic {@link Simulator}: its ground truth is the label. */
public final class SimulatorData {
    private SimulatorData() {}

    public static LabelledData load(SimulatorConfig config) {
        long t0 = System.nanoTime();
        List<LabelledTransaction> all = new ArrayList<>();
        WireTransactions wire = new WireTransactions();
        long invalid = 0;
        Iterator<SimulatedTransaction> it = new Simulator(config).transactionIterator();
        while (it.hasNext()) {
            SimulatedTransaction s = it.next();
            // The job's rules: a record it would dead-letter is skipped and counted, never guessed.
            if (wire.check(s.tx(), WireTransactions.DEFAULT_MAX_AMOUNT_MINOR) != null) {
                invalid++;
                continue;
            }
            // Terminal ids feed the point-of-purchase features; the simulator reports every fraud labelDelay later.
            all.add(new LabelledTransaction(s.tx().getCardId(), wire.toRaw(s.tx()), s.fraud(),
                    s.tx().getTerminalId(), s.fraud()
                            ? s.tx().getEventTime().toEpochMilli() + config.labelDelay().toMillis()
                            : LabelledTransaction.UNKNOWN_REPORT_TIME));
        }
        String source = "simulator seed " + config.seed() + ", " + config.cards() + " cards, from " + config.start()
                + config.end().map(e -> " to " + e).orElse("")
                + (config.maxTransactions() == Long.MAX_VALUE ? "" : ", first " + config.maxTransactions()
                        + " transactions") + ", fraud share "
                + String.format(java.util.Locale.ROOT, "%.4f", config.totalFraudShare());
        long t1 = System.nanoTime();
        LabelledData data = LabelledData.of(source, all);
        LoggerFactory.getLogger(SimulatorData.class).info("Simulator: {} transactions generated in {} ms ({} the job"
                + " would refuse, skipped), per-card sequences rebuilt in {} ms", all.size(), (t1 - t0) / 1_000_000,
                invalid, (System.nanoTime() - t1) / 1_000_000);
        return data;
    }
}
