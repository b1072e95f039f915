package io.fraudstream.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoadBenchmarkTest {

    @Test
    void aWindowHoldsTheLatenciesOfWhatWasProducedFromItsStartUpToItsEndSorted() {
        // [produced at, latency]: the warm-up ends at 1,000, the window at 2,000.
        List<long[]> latencies = List.of(new long[] {999, 500}, new long[] {1000, 30}, new long[] {1500, 7},
                new long[] {1999, 12}, new long[] {2000, 900});

        assertThat(LoadBenchmark.producedBetween(latencies, 1000, 2000)).containsExactly(7, 12, 30);
        assertThat(LoadBenchmark.producedBetween(latencies, 0, 1000)).containsExactly(500);
        assertThat(LoadBenchmark.producedBetween(latencies, 2001, 3000)).isEmpty();
    }
}
