package io.fraudstream.trainer.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import smile.classification.LogisticRegression;

class LogisticFitTest {
    private static final int N = 4_000;
    private static final int P = 6;

    /** A fixed, platform-independent data set: uniform features, labels from a known logistic model. */
    private static final double[][] X = new double[N][P];
    private static final int[] Y = new int[N];

    static {
        SplittableRandom r = new SplittableRandom(17);
        double[] beta = {2.0, -1.5, 0.0, 0.7, -0.3, 1.1};
        for (int i = 0; i < N; i++) {
            double eta = -3.0;
            for (int j = 0; j < P; j++) {
                X[i][j] = r.nextDouble() * 2 - 1;
                eta += beta[j] * X[i][j];
            }
            Y[i] = r.nextDouble() < LogisticFit.sigmoid(eta) ? 1 : 0;
        }
    }

    @Test
    void weightedFitEqualsSmilesFitOnReplicatedRows() {
        int replicate = 4;
        double[] weight = new double[N];
        List<double[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            weight[i] = Y[i] == 1 ? replicate : 1;
            for (int c = 0; c < (Y[i] == 1 ? replicate : 1); c++) {
                rows.add(X[i]);
                labels.add(Y[i]);
            }
        }
        double[] ours = LogisticFit.fit(X, Y, weight, 10.0, 1e-8, 500);
        double[] smile = LogisticRegression.binomial(rows.toArray(new double[0][]),
                labels.stream().mapToInt(Integer::intValue).toArray(), 10.0, 1e-8, 500).coefficients();
        assertThat(ours).hasSize(P + 1);
        for (int j = 0; j <= P; j++) {
            assertThat(ours[j]).as("coefficient %d", j).isCloseTo(smile[j], within(1e-4));
        }
        assertThat(ours[0]).isGreaterThan(1.0); // it learned the planted signal
    }

    @Test
    void theFitIsBitReproducibleWhateverThePool() throws Exception {
        double[] weight = new double[N];
        java.util.Arrays.fill(weight, 1.0);
        double[] plain = LogisticFit.fit(X, Y, weight, 10.0, 1e-5, 300);
        ForkJoinPool one = new ForkJoinPool(1);
        ForkJoinPool three = new ForkJoinPool(3);
        try {
            assertThat(one.submit(() -> LogisticFit.fit(X, Y, weight, 10.0, 1e-5, 300)).get()).isEqualTo(plain);
            assertThat(three.submit(() -> LogisticFit.fit(X, Y, weight, 10.0, 1e-5, 300)).get()).isEqualTo(plain);
        } finally {
            one.shutdown();
            three.shutdown();
        }
        // Pinned bits: sequential sums and StrictMath give these on every JVM and CPU (a change here means the fit
        // or Smile's L-BFGS changed, or it is no longer machine-independent).
        assertThat(digest(plain)).isEqualTo(GOLDEN);
    }

    private static final String GOLDEN = "0296505cd11634ee210893fe1f58db58aba4e0abb09b034564ffb7d826a0f32b";

    private static String digest(double[] w) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(8 * w.length);
        for (double v : w) {
            b.putLong(Double.doubleToRawLongBits(v));
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
    }
}
