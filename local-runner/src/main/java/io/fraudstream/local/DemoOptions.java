package io.fraudstream.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** Options of {@code ./fraudstream demo}; invalid values fail with the option's name. */
record DemoOptions(Duration duration, double rate, int cards, long seed, int kafkaPort, int webPort,
        int metricsPort, String stateBackend, String delivery, Path workDir, Duration statusEvery) {

    static final String USAGE = """
            usage: ./fraudstream demo [options]
              --duration <d>       stop after this long (e.g. 60s, 5m); default: run until Ctrl-C
              --rate <tx/s>        simulated transactions per second (default 200)
              --cards <n>          simulated cards (default 2000)
              --seed <n>           simulator and bootstrap-model seed (default 42)
              --kafka-port <p>     port of the embedded Kafka broker (default 9092; 0 = any free port)
              --web-port <p>       Flink web UI port (default 8081)
              --metrics-port <p>   Prometheus metrics port (default 9249)
              --state-backend <b>  hashmap (default) or rocksdb
              --delivery <g>       AT_LEAST_ONCE (default) or EXACTLY_ONCE
              --work-dir <dir>     keys, model store and logs (default var/demo)
            """;

    static DemoOptions parse(String... args) {
        Duration duration = null;
        double rate = 200;
        int cards = 2000;
        long seed = 42;
        int kafkaPort = 9092;
        int webPort = 8081;
        int metricsPort = 9249;
        String stateBackend = "hashmap";
        String delivery = "AT_LEAST_ONCE";
        Path workDir = Path.of("var", "demo");
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value;
            int eq = name.indexOf('=');
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + name + " needs a value");
                }
                value = args[++i];
            }
            switch (name) {
                case "--duration" -> duration = parseDuration(name, value);
                case "--rate" -> rate = positiveDouble(name, value);
                case "--cards" -> cards = (int) positiveLong(name, value);
                case "--seed" -> seed = parseLong(name, value);
                case "--kafka-port" -> kafkaPort = port(name, value, true);
                case "--web-port" -> webPort = port(name, value, false);
                case "--metrics-port" -> metricsPort = port(name, value, false);
                case "--state-backend" -> {
                    stateBackend = value.toLowerCase(Locale.ROOT);
                    if (!stateBackend.equals("hashmap") && !stateBackend.equals("rocksdb")) {
                        throw new IllegalArgumentException("--state-backend must be hashmap or rocksdb, was " + value);
                    }
                }
                case "--delivery" -> {
                    delivery = value.toUpperCase(Locale.ROOT);
                    if (!delivery.equals("AT_LEAST_ONCE") && !delivery.equals("EXACTLY_ONCE")) {
                        throw new IllegalArgumentException("--delivery must be AT_LEAST_ONCE or EXACTLY_ONCE, was " + value);
                    }
                }
                case "--work-dir" -> workDir = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        return new DemoOptions(duration, rate, cards, seed, kafkaPort, webPort, metricsPort, stateBackend, delivery,
                workDir, Duration.ofSeconds(5));
    }

    /** Accepts 90s, 5m, 2h, 500ms or ISO-8601 (PT1M). */
    static Duration parseDuration(String name, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (v.startsWith("pt")) {
                d = Duration.parse(v.toUpperCase(Locale.ROOT));
            } else if (v.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            } else {
                d = Duration.ofSeconds(Long.parseLong(v));
            }
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0, was " + value);
            }
            return d;
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith(name)) {
                throw e;
            }
            throw new IllegalArgumentException(name + " is not a duration (try 60s, 5m): " + value);
        }
    }

    private static long parseLong(String name, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was " + value);
        }
    }

    private static long positiveLong(String name, String value) {
        long v = parseLong(name, value);
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be in [1, " + Integer.MAX_VALUE + "], was " + value);
        }
        return v;
    }

    private static double positiveDouble(String name, String value) {
        try {
            double v = Double.parseDouble(value.trim());
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(name + " must be > 0, was " + value);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, was " + value);
        }
    }

    private static int port(String name, String value, boolean zeroAllowed) {
        long v = parseLong(name, value);
        if (v < (zeroAllowed ? 0 : 1) || v > 65535) {
            throw new IllegalArgumentException(name + " must be a port number, was " + value);
        }
        return (int) v;
    }
}
