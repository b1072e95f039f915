package io.fraudstream.simulator;

import java.util.Locale;

/**
 * The 14 merchant categories of the Sparkov layout, with the genuine-spend model of each. Weights and
 * log-normal amount parameters are the ones measured on {@code shared/data/sparkov-100cards-2019-2020.csv.gz}
 * (genuine rows only), except {@link #TRAVEL}: Sparkov's travel median of $5.71 is an artefact of its
 * generator, so we use a plausible $85.
 */
public enum Category {
    GAS_TRANSPORT(15720, 66.41, 0.24),
    GROCERY_POS(15915, 83.85, 0.56),
    HOME(15998, 46.67, 0.99),
    SHOPPING_POS(16746, 6.83, 1.59),
    KIDS_PETS(14822, 51.33, 0.97),
    SHOPPING_NET(12580, 7.51, 1.69),
    ENTERTAINMENT(12605, 39.27, 1.35),
    FOOD_DINING(12842, 40.04, 1.25),
    PERSONAL_CARE(11572, 27.30, 1.29),
    HEALTH_FITNESS(11053, 40.12, 1.11),
    MISC_POS(11479, 9.55, 1.66),
    MISC_NET(8019, 8.60, 1.67),
    GROCERY_NET(7690, 52.04, 0.47),
    TRAVEL(5543, 85.00, 1.10);

    private final double weight;
    private final double medianAmount;
    private final double logSigma;
    private final String code;

    Category(double weight, double medianAmount, double logSigma) {
        this.weight = weight;
        this.medianAmount = medianAmount;
        this.logSigma = logSigma;
        this.code = name().toLowerCase(Locale.ROOT);
    }

    /** The Sparkov name, e.g. {@code shopping_net}; written to {@code Transaction.merchantCategory}. */
    public String code() {
        return code;
    }

    /** The {@code _net} categories are online merchants: channel ONLINE, no merchant coordinates. */
    public boolean online() {
        return this == SHOPPING_NET || this == MISC_NET || this == GROCERY_NET;
    }

    /** Relative share of genuine transactions in Sparkov. */
    double weight() {
        return weight;
    }

    /** Median genuine amount in dollars for a cardholder of average spending level. */
    double medianAmount() {
        return medianAmount;
    }

    /** Standard deviation of the natural log of genuine amounts. */
    double logSigma() {
        return logSigma;
    }

    /** The category with this Sparkov code, or an exception naming it. */
    public static Category fromCode(String code) {
        for (Category c : values()) {
            if (c.code.equals(code)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown Sparkov category '" + code + "'");
    }
}
