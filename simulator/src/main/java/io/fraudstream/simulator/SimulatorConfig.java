package io.fraudstream.simulator;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything that determines a simulation. Two simulators with equal configurations produce identical
 * output, byte for byte. Build one with {@link #builder()}; the canonical constructor validates and
 * throws {@link InvalidSettingException} naming the bad setting.
 *
 * @param seed the run's seed; also part of every transaction id, so runs with different seeds never share ids
 * @param cards number of cardholders (one card and one account each)
 * @param start event time of the beginning of the simulation; a whole second
 * @param duration simulated event-time span; {@code null} for an unbounded stream
 * @param maxTransactions stop after this many transactions ({@link Long#MAX_VALUE}: no limit);
 *     whichever of duration and count is reached first ends the run
 * @param fraudShares expected share of all transactions that are fraud of each scenario
 * @param labelDelay time from a fraudulent transaction to its fraud label ({@code reportedAt})
 * @param compromisedMerchant whether the compromised-merchant scenario runs (its share is ignored when off)
 */
public record SimulatorConfig(
        long seed,
        int cards,
        Instant start,
        Duration duration,
        long maxTransactions,
        Map<FraudScenario, Double> fraudShares,
        Duration labelDelay,
        boolean compromisedMerchant) {

    public static final long DEFAULT_SEED = 42;
    public static final int DEFAULT_CARDS = 1_000;
    public static final Instant DEFAULT_START = Instant.parse("2025-01-01T00:00:00Z");
    public static final Duration DEFAULT_DURATION = Duration.ofDays(30);
    public static final Duration DEFAULT_LABEL_DELAY = Duration.ofDays(7);
    public static final int MAX_CARDS = 5_000_000;
    public static final double MAX_SCENARIO_SHARE = 0.10;
    public static final double MAX_TOTAL_SHARE = 0.20;

    public SimulatorConfig {
        if (cards < 1 || cards > MAX_CARDS) {
            throw invalid("simulator.cards", "must be between 1 and " + MAX_CARDS, cards);
        }
        if (start == null) {
            throw new InvalidSettingException("simulator.start", "simulator.start must be set");
        }
        if (!start.truncatedTo(ChronoUnit.SECONDS).equals(start)) {
            throw invalid("simulator.start", "must be a whole second (the Sparkov layout has second resolution)", start);
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw invalid("simulator.duration", "must be positive", duration);
        }
        if (maxTransactions < 1) {
            throw invalid("simulator.max-transactions", "must be >= 1", maxTransactions);
        }
        if (fraudShares == null) {
            throw new InvalidSettingException("simulator.fraud-share", "simulator.fraud-share must be set");
        }
        EnumMap<FraudScenario, Double> shares = new EnumMap<>(FraudScenario.class);
        double total = 0;
        for (FraudScenario s : FraudScenario.values()) {
            Double share = fraudShares.get(s);
            if (share == null) {
                throw new InvalidSettingException(s.settingName(), s.settingName() + " must be set");
            }
            if (!(share >= 0 && share <= MAX_SCENARIO_SHARE)) {
                throw invalid(s.settingName(), "must be between 0 and " + MAX_SCENARIO_SHARE, share);
            }
            shares.put(s, share);
            if (s != FraudScenario.COMPROMISED_MERCHANT || compromisedMerchant) {
                total += share;
            }
        }
        if (total > MAX_TOTAL_SHARE) {
            throw invalid("simulator.fraud-rate", "(sum of the scenario shares) must be <= " + MAX_TOTAL_SHARE, total);
        }
        fraudShares = Collections.unmodifiableMap(shares);
        if (labelDelay == null || labelDelay.isNegative()) {
            throw invalid("simulator.label-delay", "must be >= 0", labelDelay);
        }
    }

    private static InvalidSettingException invalid(String setting, String rule, Object value) {
        return new InvalidSettingException(setting, setting + " " + rule + ", was " + value);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.seed = seed;
        b.cards = cards;
        b.start = start;
        b.duration = duration;
        b.maxTransactions = maxTransactions;
        b.shares.putAll(fraudShares);
        b.labelDelay = labelDelay;
        b.compromisedMerchant = compromisedMerchant;
        return b;
    }

    /** The configured share of {@code scenario}, or 0 when the scenario is switched off. */
    public double effectiveShare(FraudScenario scenario) {
        if (scenario == FraudScenario.COMPROMISED_MERCHANT && !compromisedMerchant) {
            return 0;
        }
        return fraudShares.get(scenario);
    }

    /** Expected share of fraudulent transactions overall. */
    public double totalFraudShare() {
        double total = 0;
        for (FraudScenario s : FraudScenario.values()) {
            total += effectiveShare(s);
        }
        return total;
    }

    /** Event time at which the simulation ends (exclusive), if bounded by duration. */
    public Optional<Instant> end() {
        return duration == null ? Optional.empty() : Optional.of(start.plus(duration));
    }

    /** Builder with the defaults: seed 42, 1,000 cards, 2025-01-01, 30 days, 1 % fraud, labels after 7 days. */
    public static final class Builder {
        private long seed = DEFAULT_SEED;
        private int cards = DEFAULT_CARDS;
        private Instant start = DEFAULT_START;
        private Duration duration = DEFAULT_DURATION;
        private long maxTransactions = Long.MAX_VALUE;
        private final EnumMap<FraudScenario, Double> shares = defaultShares();
        private Duration labelDelay = DEFAULT_LABEL_DELAY;
        private boolean compromisedMerchant = true;

        private Builder() {}

        private static EnumMap<FraudScenario, Double> defaultShares() {
            EnumMap<FraudScenario, Double> m = new EnumMap<>(FraudScenario.class);
            for (FraudScenario s : FraudScenario.values()) {
                m.put(s, s.defaultShare());
            }
            return m;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder cards(int cards) {
            this.cards = cards;
            return this;
        }

        public Builder start(Instant start) {
            this.start = start;
            return this;
        }

        /** Simulated event-time span; replaces any earlier {@link #unbounded()}. */
        public Builder duration(Duration duration) {
            this.duration = Objects.requireNonNull(duration, "duration");
            return this;
        }

        /** No event-time end: the stream ends only at {@link #maxTransactions} or when the caller stops reading. */
        public Builder unbounded() {
            this.duration = null;
            return this;
        }

        public Builder maxTransactions(long maxTransactions) {
            this.maxTransactions = maxTransactions;
            return this;
        }

        public Builder fraudShare(FraudScenario scenario, double share) {
            shares.put(Objects.requireNonNull(scenario, "scenario"), share);
            return this;
        }

        /**
         * Sets the expected overall fraud share, keeping the default mix between the enabled scenarios;
         * call {@link #compromisedMerchant(boolean)} first if it is to be off.
         */
        public Builder fraudRate(double total) {
            if (!(total >= 0 && total <= MAX_TOTAL_SHARE)) {
                throw invalid("simulator.fraud-rate", "must be between 0 and " + MAX_TOTAL_SHARE, total);
            }
            double defaults = 0;
            for (FraudScenario s : FraudScenario.values()) {
                if (s != FraudScenario.COMPROMISED_MERCHANT || compromisedMerchant) {
                    defaults += s.defaultShare();
                }
            }
            for (FraudScenario s : FraudScenario.values()) {
                shares.put(s, s.defaultShare() * total / defaults);
            }
            return this;
        }

        public Builder labelDelay(Duration labelDelay) {
            this.labelDelay = labelDelay;
            return this;
        }

        public Builder compromisedMerchant(boolean on) {
            this.compromisedMerchant = on;
            return this;
        }

        public SimulatorConfig build() {
            return new SimulatorConfig(seed, cards, start, duration, maxTransactions, shares, labelDelay,
                    compromisedMerchant);
        }
    }
}
