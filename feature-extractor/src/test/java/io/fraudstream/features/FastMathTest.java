package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The kernel's approximations against java.lang.Math over their whole input ranges. */
class FastMathTest {
    @Test
    void log1pIsWithin2e6OverTheRange() {
        int n = 100_000;
        float[] x = new float[n];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < n; i++) {
            x[i] = i < 10 ? new float[] {0f, 1e-30f, 1e-7f, 0.5f, 1f, 2f, 1e6f, 1e20f, 1e30f, 3e38f}[i]
                    : (float) Math.exp(r.nextDouble(-30, 80));
        }
        float[] out = new float[n];
        FastMath.log1p(x, out, new int[n], new float[n], n);
        for (int i = 0; i < n; i++) {
            assertThat((double) out[i]).as("log1p(%s)", x[i]).isCloseTo(Math.log1p(x[i]),
                    org.assertj.core.data.Offset.offset(2e-6 + 1e-7 * Math.log1p(x[i])));
        }
    }

    @Test
    void expNonPositiveIsWithin5e7Relative() {
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < 100_000; i++) {
            float x = i == 0 ? 0f : i == 1 ? -87f : i == 2 ? -1e-9f : (float) -r.nextDouble(0, 90);
            double expected = Math.exp(x);
            float actual = FastMath.expNonPositive(x);
            assertThat(Math.abs(actual - expected)).as("exp(%s)", x).isLessThanOrEqualTo(5e-7 * expected + 2e-38);
        }
        assertThat(FastMath.expNonPositive(-1000f)).isZero();
    }

    @Test
    void logIsWithin1e6ForProbabilities() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            float p = i == 0 ? 1f : i == 1 ? Float.MIN_VALUE : i == 2 ? 1e-40f : (float) Math.exp(-r.nextDouble(0, 80));
            assertThat((double) FastMath.log(p)).as("log(%s)", p).isCloseTo(Math.log(p),
                    org.assertj.core.data.Offset.offset(1e-6 + 1e-7 * Math.abs(Math.log(p))));
        }
    }
}
