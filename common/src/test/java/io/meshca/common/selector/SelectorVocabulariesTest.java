package io.meshca.common.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.Selector;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SelectorVocabulariesTest {

    private static final String UNIX_KEYS =
            "gid, group, java-jar, java-main, path, sha256, supplementary_gid, supplementary_group, uid, user";

    private static final String K8S_KEYS =
            "container-image, container-name, node-name, ns, pod-label, pod-name, pod-uid, sa";

    @ParameterizedTest
    @ValueSource(
            strings = {
                "unix:uid:0",
                "unix:uid:1000",
                "unix:uid:2147483647",
                "unix:gid:10",
                "unix:supplementary_gid:27",
                "unix:user:alice",
                "unix:group:svc",
                "unix:supplementary_group:sudo",
                "unix:path:/usr/bin/java",
                "unix:sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "unix:java-main:io.demo.Orders",
                "unix:java-jar:orders.jar",
                "join_token:0123456789abcdef01234567",
                "k8s_psat:cluster:prod-eu_1",
                "k8s_psat:agent_ns:meshca-system",
                "k8s_psat:agent_sa:meshca-agent",
                "k8s_psat:agent_pod_name:meshca-agent-x7k2p",
                "k8s_psat:agent_pod_uid:3c1f4a0e-9b2d-4e6f-8a7b-1c2d3e4f5a6b",
                "k8s_psat:agent_node_name:ip-10-0-1-17.eu-west-1.compute.internal",
                "k8s_psat:agent_node_uid:0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b",
                "k8s:ns:shop",
                "k8s:sa:orders-api",
                "k8s:pod-name:orders-7d4b9c-x2x8q",
                "k8s:pod-uid:0f6e2c1a-8c2b-4f4e-9a34-2b1f5c3d7e90",
                "k8s:pod-label:app.kubernetes.io/name:orders",
                "k8s:pod-label:canary:",
                "k8s:container-name:app",
                "k8s:container-image:registry.example/orders:1.4",
                "k8s:container-image:docker.io/library/nginx@sha256:0123456789abcdef",
                "k8s:node-name:node-1.example.internal",
                "x509pop:subject:cn:node-1.example.org",
                "x509pop:subject:cn:Build Host 7",
                "x509pop:ca:fingerprint:0123456789abcdef0123456789abcdef01234567",
                "x509pop:serialnumber:3e8",
                "x509pop:serialnumber:0",
                "aws_iid:account_id:123456789012",
                "aws_iid:region:us-gov-west-1",
                "aws_iid:az:us-west-2b",
                "aws_iid:az:us-west-2-lax-1a",
                "aws_iid:image:id:ami-5fb8c835",
                "aws_iid:instance:id:i-0b22a22eec53b9321",
                "azure_msi:subscription-id:d5b40d61-272e-48da-beb9-05f295c42bd6",
                "azure_msi:resource-group:Front_End(1).eu",
                "azure_msi:vm-name:frontend:blog-01",
                "azure_msi:principal-id:0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b"
            })
    void selectorsAnAttestorProduces_pass(String selector) {
        assertThatCode(() -> SelectorVocabularies.BUILT_IN.check(Selector.parse(selector)))
                .doesNotThrowAnyException();
    }

    static Stream<Arguments> neverMatching() {
        return Stream.of(
                Arguments.of(
                        "uid:0",
                        "unknown selector type \"uid\"; known types are aws_iid, azure_msi, join_token, k8s, k8s_psat, unix,"
                                + " x509pop"),
                Arguments.of("unix:uid:abc", "uid " + UnixSelectors.BAD_ID),
                Arguments.of("unix:uid:-1", "uid " + UnixSelectors.BAD_ID),
                Arguments.of("unix:uid:007", "uid " + UnixSelectors.BAD_ID),
                Arguments.of("unix:gid:2147483648", "gid " + UnixSelectors.BAD_ID),
                Arguments.of("unix:supplementary_gid:", "supplementary_gid " + UnixSelectors.BAD_ID),
                Arguments.of("unix:foo:1", "unknown unix key \"foo\"; known keys are " + UNIX_KEYS),
                Arguments.of(
                        "unix:1000", "unix selectors have the form unix:<key>:<value>; known keys are " + UNIX_KEYS),
                Arguments.of("unix:sha256:ABCDEF", "sha256 " + UnixSelectors.BAD_SHA256),
                Arguments.of(
                        "unix:sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
                        "sha256 " + UnixSelectors.BAD_SHA256),
                Arguments.of("unix:path:bin/java", "path " + UnixSelectors.BAD_PATH),
                Arguments.of("unix:java-jar:/opt/orders.jar", "java-jar " + UnixSelectors.BAD_JAR),
                Arguments.of("unix:user:", "user " + UnixSelectors.EMPTY),
                Arguments.of("join_token:a1", JoinTokenSelectors.BAD_TOKEN_ID),
                Arguments.of("k8s_psat:cluster:prod/eu", "cluster " + K8sPsatSelectors.BAD_CLUSTER),
                Arguments.of("k8s_psat:agent_ns:Meshca", "agent_ns " + K8sPsatSelectors.BAD_LABEL),
                Arguments.of("k8s_psat:agent_sa:", "agent_sa " + K8sPsatSelectors.BAD_SUBDOMAIN),
                Arguments.of("k8s_psat:agent_node_uid:NODE-1", "agent_node_uid " + K8sPsatSelectors.BAD_UID),
                Arguments.of(
                        "k8s_psat:pod:x",
                        "unknown k8s_psat key \"pod\"; known keys are agent_node_label, agent_node_name, "
                                + "agent_node_uid, agent_ns, agent_pod_label, agent_pod_name, agent_pod_uid, agent_sa,"
                                + " cluster"),
                Arguments.of("k8s_psat:agent_node_label::x", "agent_node_label " + K8sPsatSelectors.BAD_LABEL_SELECTOR),
                Arguments.of("k8s:ns:Shop", "ns " + K8sSelectors.BAD_LABEL_NAME),
                Arguments.of("k8s:ns:shop-", "ns " + K8sSelectors.BAD_LABEL_NAME),
                Arguments.of("k8s:container-name:" + "a".repeat(64), "container-name " + K8sSelectors.BAD_LABEL_NAME),
                Arguments.of("k8s:sa:orders_api", "sa " + K8sSelectors.BAD_SUBDOMAIN),
                Arguments.of("k8s:node-name:" + "a".repeat(254), "node-name " + K8sSelectors.BAD_SUBDOMAIN),
                Arguments.of("k8s:pod-uid:0F6E2C1A-8C2B-4F4E-9A34-2B1F5C3D7E90", "pod-uid " + K8sSelectors.BAD_UID),
                Arguments.of("k8s:pod-uid:0f6e2c1a_8c2b_4f4e_9a34_2b1f5c3d7e90", "pod-uid " + K8sSelectors.BAD_UID),
                Arguments.of("k8s:pod-label:app", "pod-label " + K8sSelectors.BAD_POD_LABEL),
                Arguments.of("k8s:pod-label::orders", "pod-label " + K8sSelectors.BAD_POD_LABEL),
                Arguments.of("k8s:container-image:", "container-image " + K8sSelectors.EMPTY),
                Arguments.of("k8s:namespace:shop", "unknown k8s key \"namespace\"; known keys are " + K8S_KEYS),
                Arguments.of("x509pop:subject:node-1", "subject " + X509PopSelectors.BAD_SUBJECT),
                Arguments.of("x509pop:subject:cn:", "subject " + X509PopSelectors.BAD_SUBJECT),
                Arguments.of("x509pop:ca:fingerprint:ABCDEF", "ca " + X509PopSelectors.BAD_FINGERPRINT),
                Arguments.of(
                        "x509pop:ca:0123456789abcdef0123456789abcdef01234567",
                        "ca " + X509PopSelectors.BAD_FINGERPRINT),
                Arguments.of("x509pop:serialnumber:03e8", "serialnumber " + X509PopSelectors.BAD_SERIAL),
                Arguments.of("x509pop:serialnumber:3E8", "serialnumber " + X509PopSelectors.BAD_SERIAL),
                Arguments.of(
                        "x509pop:san:dns:node-1",
                        "unknown x509pop key \"san\"; known keys are ca, serialnumber, subject"),
                Arguments.of("aws_iid:account_id:12345", "account_id " + AwsIidSelectors.BAD_ACCOUNT_ID),
                Arguments.of("aws_iid:region:US-WEST-2", "region " + AwsIidSelectors.BAD_ZONE),
                Arguments.of("aws_iid:image:ami-5fb8c835", "image " + AwsIidSelectors.BAD_IMAGE_ID),
                Arguments.of("aws_iid:instance:id:0b22a22eec53b9321", "instance " + AwsIidSelectors.BAD_INSTANCE_ID),
                Arguments.of(
                        "aws_iid:tag:name:blog",
                        "unknown aws_iid key \"tag\"; known keys are account_id, az, image, instance, region"),
                Arguments.of(
                        "azure_msi:subscription-id:D5B40D61-272E-48DA-BEB9-05F295C42BD6",
                        "subscription-id " + AzureMsiSelectors.BAD_ID),
                Arguments.of(
                        "azure_msi:resource-group:frontend.", "resource-group " + AzureMsiSelectors.BAD_RESOURCE_GROUP),
                Arguments.of("azure_msi:vm-name:blog", "vm-name " + AzureMsiSelectors.BAD_VM_NAME),
                Arguments.of(
                        "azure_msi:virtual-network:frontend:vnet",
                        "unknown azure_msi key \"virtual-network\"; known keys are principal-id, resource-group,"
                                + " subscription-id, vm-name"),
                Arguments.of("k8s:shop", "k8s selectors have the form k8s:<key>:<value>; known keys are " + K8S_KEYS));
    }

    @ParameterizedTest
    @MethodSource("neverMatching")
    void selectorsNoAttestorProduces_areRefusedWithTheRule(String selector, String rule) {
        assertThatThrownBy(() -> SelectorVocabularies.BUILT_IN.check(Selector.parse(selector)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("invalid selector \"" + selector + "\": " + rule);
    }

    @Test
    void aNewAttestor_addsItsTypeByRegisteringOneVocabulary() {
        SelectorVocabulary k8s = new SelectorVocabulary() {
            @Override
            public String type() {
                return "k8s";
            }

            @Override
            public Optional<String> problem(String value) {
                return value.startsWith("ns:") ? Optional.empty() : Optional.of("only ns: is known");
            }
        };
        SelectorVocabularies withK8s = SelectorVocabularies.of(UnixSelectors.VOCABULARY, k8s);

        assertThat(withK8s.types()).containsExactly("k8s", "unix");
        assertThatCode(() -> withK8s.check(Selector.parse("k8s:ns:shop"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> withK8s.check(Selector.parse("k8s:sa:web"))).hasMessageEndingWith("only ns: is known");
        assertThatThrownBy(() -> SelectorVocabularies.of(k8s, k8s)).isInstanceOf(IllegalArgumentException.class);
    }
}
