package io.fraudstream.simulator;

import io.fraudstream.avro.FraudLabel;
import java.time.Instant;

/**
 * A fraud label in {@link Simulator#events()}, with the scenario of the labelled transaction (not part
 * of the Avro label, which carries only what a bank would know).
 */
public record SimulatedLabel(FraudLabel label, String scenario) implements SimulatedEvent {

    @Override
    public Instant time() {
        return label.getReportedAt();
    }
}
