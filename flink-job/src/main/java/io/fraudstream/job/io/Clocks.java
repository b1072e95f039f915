package io.fraudstream.job.io;

import java.time.Instant;

/** Wall-clock helpers in the units the job's records use. */
public final class Clocks {

    private Clocks() {}

    /** Wall clock in epoch microseconds (the JDK clock has microsecond resolution on Linux). */
    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
