package io.meshca.samples.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meshca.proto.workload.X509SVIDResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The cheapest possible Workload API load generator, for timing the agent rather than a client library
 * or this process's threads: one thread opens N non-blocking unix-socket connections at once, writes one
 * precomputed HTTP/2 exchange on each (preface, SETTINGS, HEADERS of FetchX509SVID with the security
 * header, one empty request message) and reads frames, on all of them through one selector, until each
 * has its first complete response message. Like h2load or wrk, not a thread per connection: a parked
 * thread per client costs a wake-up and several context switches per connection, which on the agent's
 * own two cores is most of what a thread-per-client harness measures.
 */
final class RawWorkloadClient {

    /** What one burst gave: each connection's time from the burst's start to its first SVID, and the failures. */
    record Burst(Latencies latencies, int errors) {}

    private static final byte[] REQUEST = request();

    private final UnixDomainSocketAddress socket;

    RawWorkloadClient(Path socket) {
        this.socket = UnixDomainSocketAddress.of(socket);
    }

    /**
     * Opens {@code clients} connections at once; each sample runs from the moment the first connection
     * is opened (not its own, a stricter measure) to its first response carrying an SVID. A connection
     * that is refused, ended without an SVID or unanswered by {@code deadline} counts as an error.
     */
    Burst burst(int clients, Duration deadline) throws IOException {
        Latencies latencies = new Latencies();
        int errors = 0;
        int pending = clients;
        try (Selector selector = Selector.open()) {
            long t0 = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                SocketChannel channel = null;
                try {
                    channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                    channel.configureBlocking(false);
                    Connection connection = new Connection();
                    if (channel.connect(socket)) {
                        connection.send(channel);
                        channel.register(selector, SelectionKey.OP_READ, connection);
                    } else {
                        channel.register(selector, SelectionKey.OP_CONNECT, connection);
                    }
                } catch (IOException e) {
                    errors++;
                    pending--;
                    if (channel != null) {
                        channel.close(); // not registered, so the clean-up below would not see it
                    }
                }
            }
            long end = t0 + deadline.toNanos();
            while (pending > 0) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                selector.select(Math.max(1, left / 1_000_000));
                for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    SocketChannel channel = (SocketChannel) key.channel();
                    Connection connection = (Connection) key.attachment();
                    try {
                        if (key.isConnectable()) {
                            channel.finishConnect();
                            connection.send(channel);
                            key.interestOps(SelectionKey.OP_READ);
                            continue;
                        }
                        X509SVIDResponse response = connection.read(channel);
                        if (response == null) {
                            continue;
                        }
                        if (response.getSvidsCount() > 0) {
                            latencies.record(System.nanoTime() - t0);
                        } else {
                            errors++;
                        }
                    } catch (IOException e) {
                        errors++;
                    }
                    pending--;
                    key.cancel();
                    channel.close();
                }
            }
            errors += pending; // unanswered by the deadline
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
        }
        return new Burst(latencies, errors);
    }

    /** One connection's read side: frames parsed as they arrive, until the first gRPC message on stream 1 is whole. */
    private static final class Connection {

        private static final int DATA = 0x0;
        private static final int HEADERS = 0x1;
        private static final int RST_STREAM = 0x3;
        private static final int GOAWAY = 0x7;
        private static final int END_STREAM = 0x1;
        private static final int STREAM = 1;

        private static final int FRAME_HEADER = 9;
        /** This client's SETTINGS keep HTTP/2's default maximum frame size, so no frame the agent sends is larger. */
        private static final int MAX_FRAME_PAYLOAD = 16_384;

        // one frame at most: allocated per connection inside the timed window, so no bigger than that
        private final ByteBuffer in = ByteBuffer.allocate(FRAME_HEADER + MAX_FRAME_PAYLOAD);
        private final ByteArrayOutputStream message = new ByteArrayOutputStream();

        void send(SocketChannel channel) throws IOException {
            ByteBuffer request = ByteBuffer.wrap(REQUEST);
            channel.write(request);
            if (request.hasRemaining()) {
                // a fresh unix socket's send buffer holds far more than this; not worth a write-interest dance
                throw new IOException("could not write the request in one go");
            }
        }

        /** Reads what is there; the response once its first message is complete, else null. */
        X509SVIDResponse read(SocketChannel channel) throws IOException {
            if (channel.read(in) < 0) {
                throw new IOException("the agent closed the connection");
            }
            in.flip();
            try {
                while (in.remaining() >= FRAME_HEADER) {
                    int start = in.position();
                    int length = ((in.get(start) & 0xff) << 16)
                            | ((in.get(start + 1) & 0xff) << 8)
                            | (in.get(start + 2) & 0xff);
                    if (length > MAX_FRAME_PAYLOAD) {
                        throw new IOException("frame of " + length + " bytes: larger than the maximum frame size");
                    }
                    if (in.remaining() < FRAME_HEADER + length) {
                        break;
                    }
                    int type = in.get(start + 3);
                    int flags = in.get(start + 4);
                    int stream = in.getInt(start + 5) & 0x7fffffff;
                    in.position(start + FRAME_HEADER + length);
                    if (stream == STREAM && type == DATA) {
                        message.write(in.array(), start + FRAME_HEADER, length);
                        X509SVIDResponse response = completeMessage(message.toByteArray());
                        if (response != null) {
                            return response;
                        }
                    } else if (stream == STREAM && type == HEADERS && (flags & END_STREAM) != 0) {
                        // trailers only: the call ended without a message (a refusal); its status is HPACK-coded
                        throw new IOException("the agent ended the call without an SVID");
                    } else if ((stream == STREAM && type == RST_STREAM) || type == GOAWAY) {
                        throw new IOException("the agent reset the call (frame type " + type + ")");
                    }
                }
            } finally {
                in.compact();
            }
            return null;
        }
    }

    /** The first gRPC message of the bytes so far (5-byte prefix: flag, length), or null if incomplete. */
    private static X509SVIDResponse completeMessage(byte[] data) throws InvalidProtocolBufferException {
        if (data.length < 5) {
            return null;
        }
        if (data[0] != 0) {
            throw new InvalidProtocolBufferException("compressed message: not asked for");
        }
        int length = ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
        if (data.length < 5 + length) {
            return null;
        }
        return X509SVIDResponse.parseFrom(ByteBuffer.wrap(data, 5, length));
    }

    private static byte[] request() {
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        // HPACK "literal header field without indexing, new name", no Huffman: every name and value < 127 bytes
        for (String[] field : new String[][] {
            {":method", "POST"},
            {":scheme", "http"},
            {":path", "/SpiffeWorkloadAPI/FetchX509SVID"},
            {":authority", "localhost"},
            {"content-type", "application/grpc"},
            {"te", "trailers"},
            {"workload.spiffe.io", "true"}
        }) {
            headers.write(0);
            string(headers, field[0]);
            string(headers, field[1]);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        frame(out, 0x4, 0, 0, new byte[0]); // our SETTINGS: all defaults
        frame(out, 0x1, 0x4, 1, headers.toByteArray()); // HEADERS, END_HEADERS, stream 1
        frame(out, 0x0, 0x1, 1, new byte[] {0, 0, 0, 0, 0}); // DATA, END_STREAM: one empty X509SVIDRequest
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        out.write(bytes.length);
        out.writeBytes(bytes);
    }

    private static void frame(ByteArrayOutputStream out, int type, int flags, int stream, byte[] payload) {
        out.write(payload.length >>> 16);
        out.write(payload.length >>> 8);
        out.write(payload.length);
        out.write(type);
        out.write(flags);
        out.write(stream >>> 24);
        out.write(stream >>> 16);
        out.write(stream >>> 8);
        out.write(stream);
        out.writeBytes(payload);
    }
}
