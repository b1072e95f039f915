package io.fraudstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Fp16Test {

    @Test
    void everyHalfRoundTripsExactly() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Fp16.toFloat((short) h);
            if (f != f) {
                assertThat(Fp16.toFloat(Fp16.fromFloat(f))).isNaN();
                continue;
            }
            assertThat(Fp16.fromFloat(f) & 0xFFFF).as("half %04x", h).isEqualTo(h);
        }
    }

    @Test
    void floatsRoundToTheNearestHalfTiesToEven() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 200_000; i++) {
            float f = (float) ((r.nextDouble() - 0.5) * Math.pow(2, r.nextInt(-30, 17)));
            float h = Fp16.round(f);
            // No half lies strictly closer: the neighbours of h are at least as far.
            short bits = Fp16.fromFloat(f);
            float up = Fp16.toFloat((short) (bits + 1));
            float down = Fp16.toFloat((short) (bits - 1));
            double err = Math.abs((double) h - f);
            if (Float.isFinite(up)) {
                assertThat(err).as("%s -> %s", f, h).isLessThanOrEqualTo(Math.abs((double) up - f));
            }
            if (Float.isFinite(down) && (bits & 0x7FFF) != 0) {
                assertThat(err).as("%s -> %s", f, h).isLessThanOrEqualTo(Math.abs((double) down - f));
            }
            if (Math.abs(f) >= 0x1p-14f) {
                assertThat(err).isLessThanOrEqualTo(Math.abs(f) * 0x1p-11);
            }
        }
        // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1).
        assertThat(Fp16.round(1f + 0x1p-11f)).isEqualTo(1f);
        assertThat(Fp16.round(1f + 3 * 0x1p-11f)).isEqualTo(1f + 0x1p-9f);
        assertThat(Fp16.round(70000f)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Fp16.round(-0f)).isEqualTo(-0f);
    }
}
