package io.meshca.agent.testing;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.meshca.common.grpc.UnixSockets;
import io.meshca.common.pki.Certificates;
import io.meshca.proto.workload.SpiffeWorkloadAPIGrpc;
import io.meshca.proto.workload.X509SVIDRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The process of a workload in a pod, for end-to-end tests that move it into a pod's cgroup before it
 * starts: it asks the agent's socket for its X509-SVID twice, as an application would (Workload API) and
 * as Envoy in an Istio sidecar would (SDS {@code default}), and prints one line for each answer:
 * <pre>
 * workload-api: spiffe://example.org/ns/payments/sa/api     (or the status code, e.g. PERMISSION_DENIED)
 * sds: spiffe://example.org/ns/payments/sa/api              (or the status code)
 * </pre>
 * Arguments: the agent's socket path.
 */
public final class PodWorkload {

    public static final String WORKLOAD_API = "workload-api: ";
    public static final String SDS = "sds: ";

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SECRET_TYPE = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

    private PodWorkload() {}

    public static void main(String[] args) throws Exception {
        ManagedChannel channel = UnixSockets.channel(Path.of(args[0]));
        try {
            System.out.println(WORKLOAD_API + workloadApi(channel));
            System.out.println(SDS + sds(channel));
        } finally {
            UnixSockets.shutdown(channel);
        }
    }

    private static String workloadApi(ManagedChannel channel) {
        Metadata header = new Metadata();
        header.put(Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER), "true");
        try {
            var response = SpiffeWorkloadAPIGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header))
                    .withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .fetchX509SVID(X509SVIDRequest.getDefaultInstance())
                    .next();
            return FetchedX509Svid.first(response).spiffeId().toString();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode().name();
        }
    }

    private static String sds(ManagedChannel channel) throws InterruptedException {
        EnvoyLikeSdsClient envoy = EnvoyLikeSdsClient.open(channel, WAIT);
        try {
            envoy.send(DiscoveryRequest.newBuilder()
                    .setTypeUrl(SECRET_TYPE)
                    .addResourceNames("default")
                    .build());
            Object answer = envoy.poll(WAIT);
            if (answer instanceof DiscoveryResponse response) {
                return Certificates.spiffeId(SdsSecrets.leaf(response))
                        .map(Object::toString)
                        .orElse("no SPIFFE ID");
            }
            return answer instanceof Status status ? status.getCode().name() : "no answer";
        } finally {
            envoy.close();
        }
    }
}
