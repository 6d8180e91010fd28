package io.meshca.samples.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meshca.proto.workload.X509SVIDResponse;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The cheapest possible Workload API client, for timing the agent rather than a client library: it
 * opens a unix-socket connection, writes one precomputed HTTP/2 exchange (preface, SETTINGS, HEADERS of
 * FetchX509SVID with the security header, one empty request message) and reads frames until the first
 * response message is complete. Each call costs microseconds of CPU, where a grpc-java channel per
 * connection costs milliseconds — which, on the agent's own cores, is what the grpc-java figures measure.
 */
final class RawWorkloadClient {

    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int GOAWAY = 0x7;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int STREAM = 1;

    private static final byte[] REQUEST = request();

    private final UnixDomainSocketAddress socket;

    RawWorkloadClient(Path socket) {
        this.socket = UnixDomainSocketAddress.of(socket);
    }

    /** Connects, asks for X509-SVIDs and returns the first response; throws if the agent refuses or ends the call. */
    X509SVIDResponse firstResponse() throws IOException {
        try (SocketChannel channel = SocketChannel.open(socket)) {
            channel.write(ByteBuffer.wrap(REQUEST));
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            ByteBuffer header = ByteBuffer.allocate(9);
            while (true) {
                header.clear();
                readFully(channel, header);
                header.flip();
                int length = ((header.get() & 0xff) << 16) | ((header.get() & 0xff) << 8) | (header.get() & 0xff);
                int type = header.get();
                int flags = header.get();
                int stream = header.getInt() & 0x7fffffff;
                ByteBuffer payload = ByteBuffer.allocate(length);
                readFully(channel, payload);
                if (stream == STREAM && type == DATA) {
                    message.write(payload.array(), 0, length);
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

    private static void readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("the agent closed the connection");
            }
        }
    }

    private static byte[] request() {
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        // HPACK "literal header field without indexing, new name", no Huffman: every name and value < 127 bytes
        for (String[] field : new String[][] {{":method", "POST"}, {":scheme", "http"},
                {":path", "/SpiffeWorkloadAPI/FetchX509SVID"}, {":authority", "localhost"},
                {"content-type", "application/grpc"}, {"te", "trailers"}, {"workload.spiffe.io", "true"}}) {
            headers.write(0);
            string(headers, field[0]);
            string(headers, field[1]);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        frame(out, 0x4, 0, 0, new byte[0]); // our SETTINGS: all defaults
        frame(out, HEADERS, END_HEADERS, STREAM, headers.toByteArray());
        frame(out, DATA, END_STREAM, STREAM, new byte[] {0, 0, 0, 0, 0}); // one empty X509SVIDRequest
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
