package io.fraudstream.model;

import java.util.Collection;

/** The scaler every fraudstream classifier is trained with: the bootstrap model and the trainer share it. */
public final class Standardization {

    private Standardization() {}

    /**
     * Fills {@code means} and sample standard deviations {@code stds} (both zero on entry) from the rows;
     * a constant feature (e.g. attention summaries with AttentionMode.NONE) gets std 1, never a division by zero.
     */
    public static void fit(Collection<float[]> rows, double[] means, double[] stds) {
        int p = means.length;
        int n = rows.size();
        for (float[] r : rows) {
            for (int j = 0; j < p; j++) {
                means[j] += r[j];
            }
        }
        for (int j = 0; j < p; j++) {
            means[j] /= Math.max(1, n);
        }
        for (float[] r : rows) {
            for (int j = 0; j < p; j++) {
                double d = r[j] - means[j];
                stds[j] += d * d;
            }
        }
        for (int j = 0; j < p; j++) {
            double s = Math.sqrt(stds[j] / Math.max(1, n - 1));
            stds[j] = s > 1e-9 ? s : 1.0;
        }
    }
}
