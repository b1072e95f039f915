package io.fraudstream.job.scoring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Rewrites the v1 state fixture; only with {@code -Dfraudstream.write-v1-fixture=<resources dir>} (see V1StateFixture). */
class WriteV1StateFixtureTest {
    @Test
    @EnabledIfSystemProperty(named = "fraudstream.write-v1-fixture", matches = ".+")
    void write() throws Exception {
        V1StateFixture.main(new String[] {System.getProperty("fraudstream.write-v1-fixture")});
    }
}
