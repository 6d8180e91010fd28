package io.meshca.agent.sds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The xDS nonce/ACK/NACK rules as a table of scripts. Steps:
 * <ul>
 *   <li>{@code request <nonce|-> <names|*> [nack] -> KIND}: a request ({@code -} no nonce, {@code *}
 *       no names) and how it is classified;</li>
 *   <li>{@code render <content> -> v<version> <nonce> | none}: the subscription's secrets now hold
 *       {@code content}; the response that is due, or none.</li>
 * </ul>
 * Nonces are n1, n2, ... in the order responses are made.
 */
class XdsStreamStateTest {

    static Stream<Arguments> scripts() {
        return Stream.of(
                script(
                        "a first request is answered with version and nonce",
                        "request - default -> SUBSCRIBE",
                        "render A -> v1 n1"),
                script(
                        "an ACK sends nothing; unchanged content is not pushed",
                        "request - default -> SUBSCRIBE",
                        "render A -> v1 n1",
                        "request n1 default -> ACK",
                        "render A -> none"),
                script(
                        "changed content is pushed unsolicited with a new version and nonce",
                        "request - default -> SUBSCRIBE",
                        "render A -> v1 n1",
                        "request n1 default -> ACK",
                        "render B -> v2 n2",
                        "request n2 default -> ACK"),
                script(
                        "a NACK is not answered by re-sending; a later change is still pushed",
                        "request - default -> SUBSCRIBE",
                        "render A -> v1 n1",
                        "request n1 default nack -> NACK",
                        "render A -> none",
                        "render B -> v2 n2"),
                script(
                        "a NACK that names other resources does not subscribe to them",
                        "request - default -> SUBSCRIBE",
                        "render A -> v1 n1",
                        "request n1 default,ROOTCA nack -> NACK",
                        "request n1 default -> ACK"),
                script(
                        "a stale nonce is ignored, even with new names",
                        "request - default -> SUBSCRIBE",
                        "render A -> v1 n1",
                        "render B -> v2 n2",
                        "request n1 default,ROOTCA -> STALE",
                        "render B -> none",
                        "request n2 default -> ACK"),
                script(
                        "an unknown nonce is stale",
                        "request - default -> SUBSCRIBE",
                        "render A -> v1 n1",
                        "request bogus default -> STALE"),
                script(
                        "no nonce after a response is stale (Envoy echoes the last nonce on a stream)",
                        "request - default -> SUBSCRIBE",
                        "render A -> v1 n1",
                        "request - ROOTCA -> STALE"),
                script(
                        "the current nonce with other names subscribes and is answered, even if unchanged",
                        "request - default -> SUBSCRIBE",
                        "render A -> v1 n1",
                        "request n1 default,ROOTCA -> SUBSCRIBE",
                        "render A -> v2 n2"),
                script(
                        "the same names in another order are an ACK",
                        "request - default,ROOTCA -> SUBSCRIBE",
                        "render A -> v1 n1",
                        "request n1 ROOTCA,default -> ACK"),
                script(
                        "requests before the first response each subscribe; one answer covers them",
                        "request - default -> SUBSCRIBE",
                        "request - default,ROOTCA -> SUBSCRIBE",
                        "render A -> v1 n1",
                        "render A -> none"),
                script(
                        "no names (everything) is a subscription like any other",
                        "request - * -> SUBSCRIBE",
                        "render A -> v1 n1",
                        "request n1 * -> ACK",
                        "request n1 default -> SUBSCRIBE",
                        "render A -> v2 n2"));
    }

    private static Arguments script(String scenario, String... steps) {
        return Arguments.of(scenario, List.of(steps));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void followsTheXdsRules(String scenario, List<String> steps) {
        AtomicInteger nonces = new AtomicInteger();
        XdsStreamState state = new XdsStreamState(() -> "n" + nonces.incrementAndGet());
        for (String step : steps) {
            String[] sides = step.split(" -> ");
            String[] words = sides[0].split(" ");
            String expected = sides[1];
            if (words[0].equals("request")) {
                assertThat(state.onRequest(request(words))).as(step).hasToString(expected);
            } else {
                Optional<DiscoveryResponse> response = state.respond(List.of(secret(words[1])));
                assertThat(response.map(r -> "v" + r.getVersionInfo() + " " + r.getNonce())
                                .orElse("none"))
                        .as(step)
                        .isEqualTo(expected);
                response.ifPresent(r -> assertThat(r.getTypeUrl()).isEqualTo(XdsStreamState.SECRET_TYPE_URL));
                response.ifPresent(r -> assertThat(state.lastNonce()).contains(r.getNonce()));
            }
        }
    }

    private static DiscoveryRequest request(String[] words) {
        DiscoveryRequest.Builder request = DiscoveryRequest.newBuilder()
                .setTypeUrl(XdsStreamState.SECRET_TYPE_URL)
                .setResponseNonce(words[1].equals("-") ? "" : words[1]);
        if (!words[2].equals("*")) {
            request.addAllResourceNames(Arrays.asList(words[2].split(",")));
        }
        if (words.length > 3 && words[3].equals("nack")) {
            request.setErrorDetail(Status.newBuilder().setCode(3).setMessage("bad certificate"));
        }
        return request.build();
    }

    private static Secret secret(String content) {
        return Secret.newBuilder()
                .setName("default")
                .setValidationContext(CertificateValidationContext.newBuilder()
                        .setTrustedCa(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(content))))
                .build();
    }
}
