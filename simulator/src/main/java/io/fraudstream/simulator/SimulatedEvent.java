package io.fraudstream.simulator;

import java.time.Instant;

/**
 * One element of {@link Simulator#events()}: a transaction at its event time or a fraud label at its
 * {@code reportedAt}, merged into one time-ordered stream.
 */
public sealed interface SimulatedEvent permits SimulatedTransaction, SimulatedLabel {

    /** When it happens: the transaction's event time, or the label's reportedAt. */
    Instant time();
}
