package io.fraudstream.trainer;

import java.util.ArrayList;
import java.util.List;

/**
 * Promotion gates: a candidate replaces the champion only if it scored without errors, its average precision
 * is not worse than the champion's by more than {@code apMargin} (absolute), and its alert rate on the
 * validation slice is within {@code [minAlertRate, maxAlertRate]}. Evaluated on the same slice for both.
 * A champion that fails to score does not block a healthy candidate.
 */
public record Gates(double apMargin, double minAlertRate, double maxAlertRate) {
    public static final Gates DEFAULTS = forBudget(0.02, TrainerSettings.DEFAULT_ALERT_BUDGET);

    public Gates {
        if (!(apMargin >= 0) || Double.isInfinite(apMargin)) {
            throw new IllegalArgumentException("gates.ap-margin must be finite and >= 0, was " + apMargin);
        }
        if (!(minAlertRate >= 0 && minAlertRate <= maxAlertRate && maxAlertRate <= 1)) {
            throw new IllegalArgumentException("gates alert-rate bounds must satisfy 0 <= min <= max <= 1, were "
                    + minAlertRate + ", " + maxAlertRate);
        }
    }

    /** Alert rate allowed between half and twice the budget. */
    public static Gates forBudget(double apMargin, double alertBudget) {
        return new Gates(apMargin, alertBudget / 2, Math.min(1.0, alertBudget * 2));
    }

    /** The verdict, with every reason that failed (empty when it passed). */
    public record Verdict(boolean pass, List<String> failures) {}

    public Verdict judge(Evaluation candidate, Evaluation champion) {
        List<String> failures = new ArrayList<>();
        if (!candidate.ok()) {
            failures.add("candidate " + candidate.version() + " could not be loaded or scored: "
                    + candidate.error().orElse("?"));
            return new Verdict(false, failures);
        }
        double ap = candidate.averagePrecision();
        if (Double.isNaN(ap)) {
            failures.add("candidate average precision is undefined (no fraud in the validation slice)");
        }
        if (champion != null && champion.ok()) {
            double floor = champion.averagePrecision() - apMargin;
            if (!(ap >= floor)) {
                failures.add(String.format(java.util.Locale.ROOT,
                        "average precision %.4f is below the champion's %.4f minus margin %.4f", ap,
                        champion.averagePrecision(), apMargin));
            }
        }
        double rate = candidate.alertRate();
        if (!(rate >= minAlertRate && rate <= maxAlertRate)) {
            failures.add(String.format(java.util.Locale.ROOT, "alert rate %.4f outside [%.4f, %.4f]", rate,
                    minAlertRate, maxAlertRate));
        }
        return new Verdict(failures.isEmpty(), List.copyOf(failures));
    }
}
