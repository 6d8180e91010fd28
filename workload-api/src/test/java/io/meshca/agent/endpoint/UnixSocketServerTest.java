package io.meshca.agent.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.meshca.agent.attestation.workload.ProcessStartTimes;
import io.meshca.common.grpc.UnixSockets;
import io.meshca.common.testing.Utf8Marshaller;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Over a real unix socket: the server sees the kernel's credentials of the connecting process. */
class UnixSocketServerTest {

    private static final MethodDescriptor<String, String> WHO_AM_I = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("test.Peer/WhoAmI")
            .setRequestMarshaller(Utf8Marshaller.INSTANCE)
            .setResponseMarshaller(Utf8Marshaller.INSTANCE)
            .build();

    /** Answers with the peer the transport attributes name, as "pid uid gids". */
    private static ServerServiceDefinition peerEchoService() {
        ServerCallHandler<String, String> handler = new ServerCallHandler<>() {
            @Override
            public ServerCall.Listener<String> startCall(ServerCall<String, String> call, Metadata headers) {
                UnixPeer peer = call.getAttributes().get(UnixPeer.TRANSPORT_ATTR);
                ServerCallHandler<String, String> unary = ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(
                            peer == null
                                    ? "none"
                                    : peer.pid() + " " + peer.uid() + " " + peer.startTime() + " " + peer.gids());
                    response.onCompleted();
                });
                return unary.startCall(call, headers);
            }
        };
        return ServerServiceDefinition.builder("test.Peer")
                .addMethod(WHO_AM_I, handler)
                .build();
    }

    @Test
    void serverSeesTheRealPidAndUidOfTheClient(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("agent/public/api.sock");
        try (UnixSocketServer server = UnixSocketServer.start(socket, List.of(peerEchoService()))) {
            ManagedChannel channel = UnixSockets.channel(socket);
            try {
                String answer = ClientCalls.blockingUnaryCall(channel, WHO_AM_I, CallOptions.DEFAULT, "hi");
                String[] parts = answer.split(" ", 4);
                int pid = (int) ProcessHandle.current().pid();
                assertThat(Integer.parseInt(parts[0])).isEqualTo(pid);
                assertThat(Integer.parseInt(parts[1])).isEqualTo(currentUid());
                assertThat(Long.parseLong(parts[2]))
                        .isEqualTo(ProcessStartTimes.system().of(pid));
                assertThat(parts[3]).contains(String.valueOf(currentGid()));
            } finally {
                UnixSockets.shutdown(channel);
            }
        }
    }

    @Test
    void requestAboveTheLimit_isResourceExhausted_andTheServerKeepsServing(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("api.sock");
        try (UnixSocketServer server = UnixSocketServer.start(socket, List.of(peerEchoService()))) {
            ManagedChannel channel = UnixSockets.channel(socket);
            try {
                String huge = "x".repeat(UnixSocketServer.MAX_REQUEST_BYTES + 1);
                assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, WHO_AM_I, CallOptions.DEFAULT, huge))
                        .isInstanceOfSatisfying(
                                StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));

                String atTheLimit = "y".repeat(UnixSocketServer.MAX_REQUEST_BYTES - 16);
                assertThat(ClientCalls.blockingUnaryCall(channel, WHO_AM_I, CallOptions.DEFAULT, atTheLimit))
                        .startsWith(String.valueOf(ProcessHandle.current().pid()));
            } finally {
                UnixSockets.shutdown(channel);
            }
        }
    }

    @Test
    void socketIsOpenToEveryUser_directoryIsNotWritableByThem(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("public/api.sock");
        try (UnixSocketServer server = UnixSocketServer.start(socket, List.of(peerEchoService()))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                    .isEqualTo("rwxrwxrwx");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())))
                    .isEqualTo("rwxr-xr-x");
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void staleSocketFileOfACrashedAgent_isReplaced(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("api.sock");
        // A bound-then-closed listener leaves its socket file behind, as a crashed agent does.
        try (var crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists();

        try (UnixSocketServer server = UnixSocketServer.start(socket, List.of(peerEchoService()))) {
            ManagedChannel channel = UnixSockets.channel(socket);
            try {
                assertThat(ClientCalls.blockingUnaryCall(channel, WHO_AM_I, CallOptions.DEFAULT, "hi"))
                        .startsWith(String.valueOf(ProcessHandle.current().pid()));
            } finally {
                UnixSockets.shutdown(channel);
            }
        }
    }

    @Test
    void aSocketSomeoneServesOn_isNotStolen(@TempDir Path dir) {
        Path socket = dir.resolve("api.sock");
        try (UnixSocketServer running = UnixSocketServer.start(socket, List.of(peerEchoService()))) {
            Assertions.assertThatThrownBy(() -> UnixSocketServer.start(socket, List.of(peerEchoService())))
                    .hasMessage("another process is already serving on " + socket);
            assertThat(socket).exists();
        }
    }

    @Test
    void aRegularFileAtTheSocketPath_isNotDeleted(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("api.sock");
        Files.writeString(socket, "precious");
        Assertions.assertThatThrownBy(() -> UnixSocketServer.start(socket, List.of(peerEchoService())))
                .hasMessageContaining("is not a socket");
        assertThat(socket).hasContent("precious");
    }

    static int currentUid() throws IOException {
        return statusField("Uid:");
    }

    static int currentGid() throws IOException {
        return statusField("Gid:");
    }

    private static int statusField(String name) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith(name))
                .map(line ->
                        Integer.parseInt(line.substring(name.length()).trim().split("\\s+")[0]))
                .findFirst()
                .orElseThrow();
    }
}
