package io.meshca.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.meshca.proto.server.v1.CreateEntryRequest;
import io.meshca.proto.server.v1.EntriesGrpc;
import io.meshca.proto.server.v1.Entry;
import io.meshca.proto.server.v1.GenerateJoinTokenRequest;
import io.meshca.proto.server.v1.JoinToken;
import io.meshca.proto.server.v1.JoinTokensGrpc;
import io.meshca.proto.server.v1.MintJwtSvidRequest;
import io.meshca.proto.server.v1.MintJwtSvidResponse;
import io.meshca.proto.server.v1.SvidsGrpc;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The admin commands' duration flags take meshca's one duration grammar and still put whole seconds on
 * the wire (0: the server's default). A fake admin API on a unix socket records what each command sends.
 */
class DurationFlagsTest {

    private static final String[] ENTRY = {
        "entry",
        "create",
        "-parentID",
        "spiffe://example.org/node",
        "-spiffeID",
        "spiffe://example.org/web",
        "-selector",
        "unix:uid:1000"
    };

    @TempDir
    Path dir;

    private final List<String> sent = new ArrayList<>();
    private final StringWriter err = new StringWriter();
    private EventLoopGroup group;
    private Server server;
    private Path socket;

    @BeforeEach
    void startFakeAdminApi() throws Exception {
        socket = dir.resolve("api.sock");
        group = new EpollEventLoopGroup(1);
        server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group)
                .workerEventLoopGroup(group)
                .addService(new JoinTokensGrpc.JoinTokensImplBase() {
                    @Override
                    public void generateJoinToken(GenerateJoinTokenRequest request, StreamObserver<JoinToken> out) {
                        sent.add("token ttl=" + request.getTtlSeconds());
                        out.onNext(JoinToken.newBuilder().setToken("t").build());
                        out.onCompleted();
                    }
                })
                .addService(new SvidsGrpc.SvidsImplBase() {
                    @Override
                    public void mintJwtSvid(MintJwtSvidRequest request, StreamObserver<MintJwtSvidResponse> out) {
                        sent.add("jwt ttl=" + request.getTtlSeconds());
                        out.onNext(
                                MintJwtSvidResponse.newBuilder().setToken("jwt").build());
                        out.onCompleted();
                    }
                })
                .addService(new EntriesGrpc.EntriesImplBase() {
                    @Override
                    public void createEntry(CreateEntryRequest request, StreamObserver<Entry> out) {
                        Entry e = request.getEntry();
                        sent.add("entry x509=" + e.getX509SvidTtl() + " jwt=" + e.getJwtSvidTtl());
                        out.onNext(e.toBuilder().setId("e1").build());
                        out.onCompleted();
                    }
                })
                .build()
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private int run(String... args) {
        String[] all = Stream.concat(Stream.of(args), Stream.of("-socketPath", socket.toString()))
                .toArray(String[]::new);
        return ServerMain.execute(all, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    }

    private static String[] entry(String... flags) {
        return Stream.concat(Stream.of(ENTRY), Stream.of(flags)).toArray(String[]::new);
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of(new String[] {"token", "generate"}, "token ttl=0"),
                Arguments.of(new String[] {"token", "generate", "-ttl", "600"}, "token ttl=600"),
                Arguments.of(new String[] {"token", "generate", "-ttl", "10m"}, "token ttl=600"),
                Arguments.of(new String[] {"token", "generate", "-ttl", "1d"}, "token ttl=86400"),
                Arguments.of(
                        new String[] {"jwt", "mint", "-spiffeID", "spiffe://example.org/b", "-audience", "a"},
                        "jwt ttl=0"),
                Arguments.of(
                        new String[] {
                            "jwt", "mint", "-spiffeID", "spiffe://example.org/b", "-audience", "a", "-ttl", "120"
                        },
                        "jwt ttl=120"),
                Arguments.of(
                        new String[] {
                            "jwt", "mint", "-spiffeID", "spiffe://example.org/b", "-audience", "a", "-ttl", "2m"
                        },
                        "jwt ttl=120"),
                Arguments.of(entry(), "entry x509=0 jwt=0"),
                Arguments.of(entry("-x509SVIDTTL", "120", "-jwtSVIDTTL", "90"), "entry x509=120 jwt=90"),
                Arguments.of(entry("-x509SVIDTTL", "1h", "-jwtSVIDTTL", "5m"), "entry x509=3600 jwt=300"),
                Arguments.of(entry("-x509SVIDTTL", "0s"), "entry x509=0 jwt=0"));
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void durationFlags_sendWholeSeconds(String[] args, String expected) {
        assertThat(run(args)).as(err.toString()).isZero();

        assertThat(sent).containsExactly(expected);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of(
                        new String[] {"token", "generate", "-ttl", "5y"},
                        "Invalid value for option '-ttl': invalid duration '5y': unknown unit 'y'"),
                Arguments.of(new String[] {"token", "generate", "-ttl", "1h30m"}, "invalid duration '1h30m'"),
                Arguments.of(
                        new String[] {"token", "generate", "-ttl", "1500ms"}, "-ttl must be whole seconds, got 1500ms"),
                Arguments.of(
                        new String[] {
                            "jwt", "mint", "-spiffeID", "spiffe://example.org/b", "-audience", "a", "-ttl", "x"
                        },
                        "Invalid value for option '-ttl': invalid duration 'x'"),
                Arguments.of(
                        new String[] {"token", "generate", "-ttl", "0"},
                        "-ttl must be positive; leave it out for the default"),
                Arguments.of(
                        new String[] {
                            "jwt", "mint", "-spiffeID", "spiffe://example.org/b", "-audience", "a", "-ttl", "0s"
                        },
                        "-ttl must be positive; leave it out for the default"),
                Arguments.of(
                        new String[] {"x509", "mint", "-spiffeID", "spiffe://example.org/b", "-ttl", "0"},
                        "-ttl must be positive; leave it out for the default"),
                Arguments.of(
                        entry("-entryExpiry", "-5"),
                        "-entryExpiry must be seconds since 1970, got -5; leave it out for an entry that never expires"),
                Arguments.of(entry("-jwtSVIDTTL", "500ms"), "-jwtSVIDTTL must be whole seconds, got 500ms"),
                Arguments.of(entry("-x509SVIDTTL", "999999999d"), "-x509SVIDTTL is too long: 999999999d"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void badDurations_areRefusedNamingTheFlag_andNothingIsSent(String[] args, String message) {
        assertThat(run(args)).isEqualTo(2);

        assertThat(err.toString()).contains(message);
        assertThat(sent).isEmpty();
    }

    @Test
    void aNegativeTtl_isRefused() {
        assertThat(run("token", "generate", "-ttl", "-5")).isEqualTo(2);

        assertThat(err.toString()).contains("Invalid value for option '-ttl': invalid duration '-5'");
        assertThat(sent).isEmpty();
    }
}
