package io.fraudstream.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A port for a server that a test (or the bench) starts and binds a moment later: one in 20000–31999, checked
 * bindable on the loopback address.
 *
 * <p>Not {@code new ServerSocket(0)}: the kernel hands out such ports from its ephemeral range (32768–60999 on
 * Linux), the same range outgoing connections take their local port from, so between the pick and the server's bind
 * a client connection (Kafka, Flink's RPC, Maven) can take it; a CI run lost a JobManager's REST port that way
 * ({@code BindException}). Below the ephemeral range only servers that bind explicitly compete, and each pick is
 * random, so two forks rarely collide.
 */
public final class FreePorts {

    static final int FIRST = 20_000;
    static final int COUNT = 12_000;

    private FreePorts() {
    }

    /** A port in 20000–31999 that could be bound on the loopback address just now. */
    public static int pick() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = FIRST + random.nextInt(COUNT);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (IOException taken) {
                // in use: try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port in " + FIRST + "-" + (FIRST + COUNT - 1)
                + " after 200 attempts"));
    }
}
