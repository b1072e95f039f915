package io.fraudstream.local;

import java.nio.file.Path;
import java.time.Duration;

/** Settings of {@code fraudstream demo} ({@link DemoCommand} parses and validates them). */
record DemoOptions(Duration duration, double rate, int cards, long seed, int kafkaPort, int webPort,
        int metricsPort, String stateBackend, String delivery, Path workDir, Duration statusEvery) {

    /** Parses a demo command line (tests); a bad one throws picocli's {@code ParameterException}. */
    static DemoOptions parse(String... args) {
        DemoCommand command = new DemoCommand();
        io.fraudstream.cli.support.Commands.configure(new picocli.CommandLine(command), System.out, System.err)
                .parseArgs(args);
        return command.options();
    }
}
