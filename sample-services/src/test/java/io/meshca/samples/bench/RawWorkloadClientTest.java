package io.meshca.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench's minimal client must count every connection that does not end in an SVID as an error. */
class RawWorkloadClientTest {

    @TempDir
    Path dir;

    @Test
    void noAgentListeningIsOneErrorPerConnection() throws IOException {
        RawWorkloadClient.Burst burst = new RawWorkloadClient(dir.resolve("none.sock")).burst(3, Duration.ofSeconds(5));

        assertThat(burst.errors()).isEqualTo(3);
        assertThat(burst.latencies().count()).isZero();
    }

    @Test
    void aCallEndedWithoutAMessageIsAnError() throws IOException {
        // HEADERS with END_STREAM | END_HEADERS on stream 1: trailers only, as a refused call ends
        byte[] trailersOnly = {0, 0, 0, 0x1, 0x5, 0, 0, 0, 1};
        try (ServerSocketChannel agent = listen("refusing.sock")) {
            Thread server = answerEach(agent, 2, trailersOnly);
            RawWorkloadClient.Burst burst =
                    new RawWorkloadClient(dir.resolve("refusing.sock")).burst(2, Duration.ofSeconds(5));
            join(server);

            assertThat(burst.errors()).isEqualTo(2);
            assertThat(burst.latencies().count()).isZero();
        }
    }

    @Test
    void anUnansweredConnectionIsAnErrorAtTheDeadline() throws IOException {
        try (ServerSocketChannel agent = listen("silent.sock")) {
            List<SocketChannel> held = new ArrayList<>();
            Thread server = new Thread(() -> {
                try {
                    held.add(agent.accept());
                } catch (IOException e) {
                    // the test's assertion tells
                }
            });
            server.start();
            RawWorkloadClient.Burst burst =
                    new RawWorkloadClient(dir.resolve("silent.sock")).burst(1, Duration.ofMillis(300));
            join(server);
            for (SocketChannel c : held) {
                c.close();
            }

            assertThat(burst.errors()).isEqualTo(1);
        }
    }

    private ServerSocketChannel listen(String name) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve(name)));
        return server;
    }

    private static Thread answerEach(ServerSocketChannel agent, int connections, byte[] answer) {
        Thread t = new Thread(() -> {
            try {
                for (int i = 0; i < connections; i++) {
                    try (SocketChannel c = agent.accept()) {
                        c.read(ByteBuffer.allocate(4096));
                        c.write(ByteBuffer.wrap(answer));
                    }
                }
            } catch (IOException e) {
                // the test's assertion tells
            }
        });
        t.start();
        return t;
    }

    private static void join(Thread t) {
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
