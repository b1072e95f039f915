package io.fraudstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WarmUpGateTest {

    /** Feeds one sample a second, the compile time growing by {@code perSecond} ms a second; returns when it ended. */
    private static long runUntilOver(WarmUpGate gate, long from, long[] compile, long perSecond, long limit) {
        for (long t = from; t <= limit; t += 1_000) {
            compile[0] += perSecond;
            if (gate.over(t, compile[0])) {
                return t;
            }
        }
        return -1;
    }

    @Test
    void aQuietJitEndsTheWarmUpAtItsMinimum() {
        WarmUpGate gate = new WarmUpGate(60_000, 180_000);

        assertThat(runUntilOver(gate, 0, new long[] {0}, 50, 300_000)).isEqualTo(60_000);
        assertThat(gate.reason()).isEqualTo("the JIT went quiet (500 ms of compile time in the last 10 s)");
    }

    @Test
    void aBusyJitHoldsTheWarmUpUntilTenQuietSecondsFollow() {
        WarmUpGate gate = new WarmUpGate(60_000, 180_000);
        long[] compile = {0};

        // 400 ms of compile time a second (0.4 cores) for 80 s, then 20 ms a second.
        assertThat(runUntilOver(gate, 0, compile, 400, 80_000)).isEqualTo(-1);
        long over = runUntilOver(gate, 81_000, compile, 20, 300_000);

        // The span ending at 88 s holds the busy seconds 79 and 80 and eight quiet ones: 960 ms; at 87 s it was
        // 1,340 ms.
        assertThat(over).isEqualTo(88_000);
        assertThat(gate.reason()).isEqualTo("the JIT went quiet (960 ms of compile time in the last 10 s)");
        // 400 a second over [0, 10 s) ... [70, 80 s); [80, 88 s) is not a whole span.
        assertThat(gate.compileTimePerSpan()).isEqualTo(
                "4,000 / 4,000 / 4,000 / 4,000 / 4,000 / 4,000 / 4,000 / 4,000 ms");
    }

    @Test
    void aJitThatNeverGoesQuietEndsTheWarmUpAtItsMaximumAndSaysSo() {
        WarmUpGate gate = new WarmUpGate(60_000, 180_000);

        assertThat(runUntilOver(gate, 0, new long[] {0}, 150, 300_000)).isEqualTo(180_000);
        assertThat(gate.reason()).isEqualTo(
                "its maximum, the JIT not quiet (1,500 ms of compile time in the last 10 s)");
    }

    @Test
    void aQuietSpanBeforeTheMinimumDoesNotEndIt() {
        WarmUpGate gate = new WarmUpGate(60_000, 180_000);

        assertThat(gate.over(0, 0)).isFalse();
        assertThat(gate.over(30_000, 0)).isFalse();
        assertThat(gate.over(59_999, 0)).isFalse();
        assertThat(gate.over(60_000, 0)).isTrue();
        // and once over, it stays over
        assertThat(gate.over(61_000, 90_000)).isTrue();
    }

    @Test
    void samplesCloserThanASecondAreIgnoredSoTheSpanIsMeasuredOverItsWholeLength() {
        WarmUpGate gate = new WarmUpGate(0, 180_000);

        // 5,000 ms compiled within the first second: the 0 ms sample stays the span's start.
        assertThat(gate.over(0, 0)).isFalse();
        assertThat(gate.over(500, 5_000)).isFalse();
        assertThat(gate.over(10_000, 5_000)).isFalse();
        // The sample at 0.5 s was ignored, so the span [0, 10 s] holds the burst; at 20 s the span is [10 s, 20 s].
        assertThat(gate.over(20_000, 5_000)).isTrue();
        assertThat(gate.reason()).isEqualTo("the JIT went quiet (0 ms of compile time in the last 10 s)");
    }

    @Test
    void aFixedWarmUpEndsAtItsLengthAndReportsTheJit() {
        WarmUpGate none = new WarmUpGate(0, 0);
        assertThat(none.over(0, 12_345)).isTrue();
        assertThat(none.reason()).isEqualTo("its fixed length (0 ms of compile time in the last 0 s)");
        assertThat(none.compileTimePerSpan()).isEqualTo("none (no whole span)");

        WarmUpGate fixed = new WarmUpGate(60_000, 60_000);
        assertThat(runUntilOver(fixed, 0, new long[] {0}, 400, 300_000)).isEqualTo(60_000);
        assertThat(fixed.reason()).isEqualTo("its fixed length (4,000 ms of compile time in the last 10 s)");
    }

    @Test
    void aMaximumBelowTheMinimumIsRefused() {
        assertThatThrownBy(() -> new WarmUpGate(60_000, 30_000)).isInstanceOf(IllegalArgumentException.class);
    }
}
