package io.fraudstream.simulator;

import io.fraudstream.avro.Transaction;
import java.time.Instant;
import java.util.Optional;

/**
 * A simulated transaction with its ground truth.
 *
 * @param tx the transaction as the bank would publish it
 * @param fraud whether it was injected fraud
 * @param scenario the {@link FraudScenario} name for fraud, {@code null} for genuine transactions
 */
public record SimulatedTransaction(Transaction tx, boolean fraud, String scenario) implements SimulatedEvent {

    public SimulatedTransaction {
        if (fraud != (scenario != null)) {
            throw new IllegalArgumentException("a fraud transaction has a scenario and a genuine one has none: fraud="
                    + fraud + ", scenario=" + scenario);
        }
    }

    @Override
    public Instant time() {
        return tx.getEventTime();
    }

    public Optional<FraudScenario> fraudScenario() {
        return scenario == null ? Optional.empty() : Optional.of(FraudScenario.valueOf(scenario));
    }
}
