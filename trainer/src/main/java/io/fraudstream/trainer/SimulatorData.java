package io.fraudstream.trainer;

import io.fraudstream.simulator.SimulatedTransaction;
import io.fraudstream.simulator.Simulator;
import io.fraudstream.simulator.SimulatorConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Labelled training data from the deterministic {@link Simulator}: its ground truth is the label. */
public final class SimulatorData {
    private SimulatorData() {}

    public static LabelledData load(SimulatorConfig config) {
        List<LabelledTransaction> all = new ArrayList<>();
        Iterator<SimulatedTransaction> it = new Simulator(config).transactionIterator();
        while (it.hasNext()) {
            SimulatedTransaction s = it.next();
            all.add(new LabelledTransaction(s.tx().getCardId(), Transactions.toRaw(s.tx()), s.fraud()));
        }
        String source = "simulator seed " + config.seed() + ", " + config.cards() + " cards, from " + config.start()
                + config.end().map(e -> " to " + e).orElse("") + ", fraud share "
                + String.format(java.util.Locale.ROOT, "%.4f", config.totalFraudShare());
        return LabelledData.of(source, all);
    }
}
