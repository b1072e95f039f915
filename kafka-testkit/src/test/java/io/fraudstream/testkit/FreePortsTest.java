package io.fraudstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void picksABindablePortBelowTheEphemeralRange() throws IOException {
        for (int i = 0; i < 50; i++) {
            int port = FreePorts.pick();
            assertThat(port).isBetween(20_000, 31_999);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                assertThat(s.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void theRangeLiesBelowThisKernelsEphemeralPorts() throws IOException {
        // Linux: "first last" of the range outgoing connections take their local ports from (read by lines:
        // procfs reports a size of 0, and readString trusts it).
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        if (Files.isReadable(range)) {
            int first = Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+")[0]);
            assertThat(FreePorts.FIRST + FreePorts.COUNT - 1).isLessThan(first);
        }
    }

    @Test
    void skipsAPortThatIsTaken() throws IOException {
        int taken = FreePorts.pick();
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), taken));
            for (int i = 0; i < 200; i++) {
                assertThat(FreePorts.pick()).isNotEqualTo(taken);
            }
        }
    }
}
