package io.fraudstream.simulator;

import java.util.Locale;

/**
 * The injected fraud patterns. Each fraudulent transaction carries exactly one scenario name
 * ({@link SimulatedTransaction#scenario()}).
 */
public enum FraudScenario {
    /** A burst of 3-8 tiny online amounts within minutes at unfamiliar merchants, sometimes followed by one large online purchase. */
    CARD_TESTING(0.0020, 5.8),
    /** 1-3 card-present transactions 1,500+ km away, 10-90 minutes after a genuine home-area card-present transaction. */
    IMPOSSIBLE_TRAVEL(0.0015, 2.0),
    /** 3-8 online transactions over 2-24 hours, 4-12x the card's usual spend, at merchants it never used, from a new device. */
    ACCOUNT_TAKEOVER(0.0025, 5.5),
    /** 1-4 large amounts ($250-$2,500) between 00:00 and 05:00. */
    NIGHT_HIGH_AMOUNT(0.0025, 2.5),
    /**
     * A skimmer on one terminal: cards used there during the compromise window (1-3 days) are defrauded
     * 1-5 days later (2-6 cloned-card or online transactions elsewhere).
     */
    COMPROMISED_MERCHANT(0.0015, 4.0);

    private final double defaultShare;
    private final double meanTransactionsPerEpisode;
    private final String settingName;

    FraudScenario(double defaultShare, double meanTransactionsPerEpisode) {
        this.defaultShare = defaultShare;
        this.meanTransactionsPerEpisode = meanTransactionsPerEpisode;
        this.settingName = "simulator.fraud-share." + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Default expected share of all transactions that are fraud of this scenario; the five sum to 1 %. */
    public double defaultShare() {
        return defaultShare;
    }

    /** Configuration key of this scenario's share, e.g. {@code simulator.fraud-share.card-testing}. */
    public String settingName() {
        return settingName;
    }

    double meanTransactionsPerEpisode() {
        return meanTransactionsPerEpisode;
    }
}
