package io.fraudstream.job.scoring;

import io.fraudstream.avro.AttendedTransaction;
import io.fraudstream.avro.FeatureContribution;
import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.features.AmountBinFeatures;
import io.fraudstream.features.Explanation;
import io.fraudstream.features.pop.PopFeatures;
import io.fraudstream.job.validation.TransactionEvent;
import io.fraudstream.model.FraudModel;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a score over the threshold into an analyst's alert: what the extractor attended to, which
 * features pushed the log-odds up most, and plain-language reasons. Only runs for alerts, so it may
 * allocate. Identifies the card only by its token.
 */
public final class AlertExplainer {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private final FraudModel model;
    private final List<String> names;
    private final int topAttended;
    private final int topContributions;
    private final int zscore;
    private final int count1h;
    private final int firstMerchant;
    private final int firstCategory;
    private final int night;
    private final double[] contributions;
    /** Index of pop_merchant_frauds_1d / pop_terminal_frauds_1d (7d and 30d follow), or -1. */
    private final int merchantFrauds;
    private final int terminalFrauds;
    /** Index of pop_merchant_fraud_ratio_1d / pop_terminal_fraud_ratio_1d (7d and 30d follow), or -1. */
    private final int merchantRatios;
    private final int terminalRatios;
    /** Index of card_amount_over_mean_1d (7d, 30d follow), or -1. */
    private final int amountVsMean;
    /** Index of the amount-bins block's first value, or -1. */
    private final int amountBins;

    public AlertExplainer(FraudModel model, int topAttended, int topContributions) {
        this.model = model;
        this.names = model.featureNames();
        this.topAttended = topAttended;
        this.topContributions = topContributions;
        this.zscore = names.indexOf("amount_zscore");
        this.count1h = names.indexOf("count_1h");
        this.firstMerchant = names.indexOf("first_use_merchant");
        this.firstCategory = names.indexOf("first_use_category");
        this.night = names.indexOf("night_time");
        this.contributions = new double[names.size()];
        this.merchantFrauds = names.indexOf("pop_merchant_frauds_1d");
        this.terminalFrauds = names.indexOf("pop_terminal_frauds_1d");
        this.merchantRatios = names.indexOf("pop_merchant_fraud_ratio_1d");
        this.terminalRatios = names.indexOf("pop_terminal_fraud_ratio_1d");
        this.amountVsMean = names.indexOf("card_amount_over_mean_1d");
        this.amountBins = names.indexOf(AmountBinFeatures.NAMES.get(0));
    }

    public FraudAlert explain(FraudScore score, TransactionEvent tx, float[] features, Explanation explanation) {
        List<AttendedTransaction> attended = new ArrayList<>();
        for (int i = 0; i < Math.min(topAttended, explanation.size()); i++) {
            attended.add(new AttendedTransaction(explanation.transactionIdAt(i),
                    Instant.ofEpochMilli(explanation.eventTimeAt(i)), (double) explanation.weightAt(i)));
        }
        return FraudAlert.newBuilder()
                .setScore(score)
                .setMerchantId(tx.merchantId)
                .setAmountMinor(tx.amountMinor)
                .setCurrency(tx.currency)
                .setAttended(attended)
                .setContributions(strongestContributions(features))
                .setReasons(reasons(tx, features, explanation, score.getThreshold()))
                .build();
    }

    private List<FeatureContribution> strongestContributions(float[] features) {
        model.contributions(features, contributions);
        List<FeatureContribution> out = new ArrayList<>();
        boolean[] taken = new boolean[contributions.length];
        for (int n = 0; n < topContributions; n++) {
            int best = -1;
            for (int i = 0; i < contributions.length; i++) {
                if (!taken[i] && contributions[i] > 0 && (best < 0 || contributions[i] > contributions[best])) {
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            taken[best] = true;
            out.add(new FeatureContribution(names.get(best), (double) features[best], contributions[best]));
        }
        return out;
    }

    /** Plain-language reasons, most specific first, for a score decided at the model's own threshold. */
    List<String> reasons(TransactionEvent tx, float[] features, Explanation e) {
        return reasons(tx, features, e, model.threshold());
    }

    /**
     * Plain-language reasons, most specific first; {@code threshold} is the one the score was decided at (the alert
     * budget's when it differs from the model's).
     */
    List<String> reasons(TransactionEvent tx, float[] features, Explanation e, double threshold) {
        List<String> reasons = new ArrayList<>();
        model.contributions(features, contributions);
        popReason("merchant", tx.merchantId, merchantFrauds, merchantRatios, features, reasons);
        popReason("terminal", tx.terminalId, terminalFrauds, terminalRatios, features, reasons);
        amountVsMeanReason(tx, features, reasons);
        amountRangeReason(tx, features, reasons);
        if (e.hasPrevious() && e.kmFromPrevious() >= 100) {
            reasons.add(String.format(Locale.ROOT, "%,.0f km from the previous transaction %s earlier (%,.0f km/h)",
                    e.kmFromPrevious(), humanDuration(e.secondsSincePrevious()), e.speedKmhFromPrevious()));
        }
        if (zscore >= 0 && features[zscore] >= 3) {
            reasons.add(String.format(Locale.ROOT, "amount %s %s is %.1f standard deviations above this card's usual",
                    formatAmount(tx.amount), tx.currency, features[zscore]));
        }
        if (count1h >= 0 && features[count1h] >= 3) {
            reasons.add(String.format(Locale.ROOT, "%.0f transactions on this card in the hour before", features[count1h]));
        }
        if (!Double.isNaN(e.kmFromHome()) && e.kmFromHome() >= 150) {
            reasons.add(String.format(Locale.ROOT, "%,.0f km from the cardholder's home", e.kmFromHome()));
        }
        if (firstMerchant >= 0 && features[firstMerchant] > 0.5f) {
            reasons.add("first purchase at merchant " + tx.merchantId);
        }
        if (firstCategory >= 0 && features[firstCategory] > 0.5f) {
            reasons.add("first purchase in category " + tx.merchantCategory);
        }
        if (night >= 0 && features[night] > 0.5f) {
            reasons.add("at night in the cardholder's local time (" + CLOCK.format(Instant.ofEpochMilli(tx.eventTimeMillis)) + ")");
        }
        if (e.size() > 0) {
            reasons.add(String.format(Locale.ROOT, "most attended past transaction: %s on %s (weight %.2f)",
                    e.transactionIdAt(0), STAMP.format(Instant.ofEpochMilli(e.eventTimeAt(0))), e.weightAt(0)));
        }
        if (reasons.isEmpty()) {
            reasons.add(threshold == model.threshold()
                    ? String.format(Locale.ROOT, "score %.3f at or above the model's threshold %.3f",
                            model.score(features), threshold)
                    : String.format(Locale.ROOT, "score %.3f at or above the alert budget's threshold %.3f (the"
                            + " model's own: %.3f)", model.score(features), threshold, model.threshold()));
        }
        return reasons;
    }

    /**
     * Names the point of purchase's reported frauds when they push the score up by at least
     * {@link #POP_REASON_LOG_ODDS} (the windows' contributions together, fraud ratios included when the model has
     * them), with the shortest window that has any.
     */
    private void popReason(String kind, String id, int first, int ratios, float[] features, List<String> reasons) {
        if (first < 0) {
            return;
        }
        double push = contributions[first] + contributions[first + 1] + contributions[first + 2];
        if (ratios >= 0) {
            push += contributions[ratios] + contributions[ratios + 1] + contributions[ratios + 2];
        }
        if (push < POP_REASON_LOG_ODDS) {
            return;
        }
        String[] windows = {"24 hours", "7 days", "30 days"};
        for (int w = 0; w < 3; w++) {
            long n = PopFeatures.count(features[first + w]);
            if (n > 0) {
                reasons.add(String.format(Locale.ROOT, "%s had %d confirmed fraud%s in the last %s (%s %s)", kind, n,
                        n == 1 ? "" : "s", windows[w], kind, id));
                return;
            }
        }
    }

    static final double POP_REASON_LOG_ODDS = 0.5;

    /**
     * Names how far the amount is above the card's own recent mean when the card-window block pushes the score up by
     * at least {@link #POP_REASON_LOG_ODDS} and the amount is at least 3 times a window's mean (longest window first).
     */
    private void amountVsMeanReason(TransactionEvent tx, float[] features, List<String> reasons) {
        if (amountVsMean < 0) {
            return;
        }
        double push = contributions[amountVsMean] + contributions[amountVsMean + 1] + contributions[amountVsMean + 2];
        if (push < POP_REASON_LOG_ODDS) {
            return;
        }
        String[] windows = {"24 hours", "7 days", "30 days"};
        for (int w = 2; w >= 0; w--) {
            double ratio = features[amountVsMean + w];
            if (ratio >= 3) {
                reasons.add(String.format(Locale.ROOT, "amount %s %s is %.1f times this card's average over the last %s",
                        formatAmount(tx.amount), tx.currency, ratio, windows[w]));
                return;
            }
        }
    }

    /**
     * Names the amount's range when the model has learned that range is risky: the amount-bins block's active bin
     * pushes the score up by at least {@link #POP_REASON_LOG_ODDS}.
     */
    private void amountRangeReason(TransactionEvent tx, float[] features, List<String> reasons) {
        if (amountBins < 0) {
            return;
        }
        for (int i = 0; i < AmountBinFeatures.COUNT; i++) {
            if (features[amountBins + i] > 0.5f) {
                if (contributions[amountBins + i] >= POP_REASON_LOG_ODDS) {
                    double[] r = AmountBinFeatures.range(i);
                    String range = Double.isInfinite(r[1]) ? "at or above " + formatAmount(r[0])
                            : "between " + formatAmount(r[0]) + " and " + formatAmount(r[1]);
                    reasons.add(String.format(Locale.ROOT, "amount %s %s is %s, a range where the model has seen"
                            + " more fraud than at other amounts", formatAmount(tx.amount), tx.currency, range));
                }
                return;
            }
        }
    }

    static String humanDuration(double seconds) {
        Duration d = Duration.ofSeconds(Math.max(0, Math.round(seconds)));
        if (d.toMinutes() < 1) {
            return d.toSeconds() + " seconds";
        }
        if (d.toHours() < 2) {
            return d.toMinutes() + " minutes";
        }
        if (d.toDays() < 2) {
            return d.toHours() + " hours";
        }
        return d.toDays() + " days";
    }

    static String formatAmount(double amount) {
        return String.format(Locale.ROOT, "%,.2f", amount);
    }
}
