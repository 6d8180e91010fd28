package io.meshca.samples.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1ServiceAccountTokenProjection;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.meshca.agent.AgentPlugins;
import io.meshca.agent.attestation.node.K8sPsatAttestor;
import io.meshca.agent.attestation.workload.k8s.K8sWorkloadAttestor;
import io.meshca.agent.config.AgentConfig;
import io.meshca.common.pki.Pem;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.common.testing.TestPki;
import io.meshca.server.attestation.node.K8sPsatConfig;
import io.meshca.server.config.ServerConfig;
import io.meshca.server.config.ServerConfigLoader;
import io.meshca.server.k8s.KubernetesApiSettings;
import io.meshca.server.plugin.ServerCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart in {@code deploy/helm/meshca}, rendered by the real {@code helm} for the value sets an
 * operator uses, every object read into the official Kubernetes models (which refuse unknown fields),
 * and the server's and agent's config files read by meshca's own config loaders. Skipped, saying why,
 * where there is no helm binary; CI installs one.
 */
class HelmChartTest {

    /** Where the agent image's socket volume is, and so where the chart puts the socket. */
    private static final Path AGENT_SOCKET = Path.of("/run/meshca/sockets/api.sock");

    private static final String RELEASE = "meshca";
    private static final String NAMESPACE = "meshca-system";
    private static final String SERVER = "meshca-server";
    private static final String AGENT = "meshca-agent";
    private static final String POSTGRES_URL = "jdbc:postgresql://db.example:5432/meshca?user=meshca";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Path helmBinary;

    @TempDir
    Path temp;

    /** Per test, not per class: a class-level skip shows as no test at all in Surefire's report. */
    @BeforeEach
    void findHelm() {
        Optional<Path> found = Helm.locate();
        assumeTrue(found.isPresent(), Helm.NOT_FOUND);
        helmBinary = found.get();
    }

    private Helm helm() throws IOException {
        return new Helm(helmBinary, Files.createDirectories(temp.resolve("helm-home")));
    }

    /** helm template with these values (a YAML document), which must succeed. */
    private KubernetesObjects render(String values, String... extraArgs) throws Exception {
        Helm.Result result = template(values, extraArgs);
        assertThat(result.exitCode())
                .as("helm template failed:\n%s", result.stderr())
                .isZero();
        return KubernetesObjects.parse(result.stdout());
    }

    private Helm.Result template(String values, String... extraArgs) throws Exception {
        Path valuesFile = Files.createTempFile(temp, "values", ".yaml");
        Files.writeString(valuesFile, values);
        List<String> args = new ArrayList<>(List.of(
                "template",
                RELEASE,
                Helm.chart().toString(),
                "--namespace",
                NAMESPACE,
                "--values",
                valuesFile.toString()));
        args.addAll(List.of(extraArgs));
        return helm().run(args);
    }

    @Test
    void lint_passesWithTheDefaultsAndWithPostgres() throws Exception {
        Helm.Result defaults =
                helm().run(List.of("lint", "--strict", Helm.chart().toString()));
        assertThat(defaults.exitCode())
                .as(defaults.stdout() + defaults.stderr())
                .isZero();
        Helm.Result postgres = helm().run(List.of(
                "lint",
                "--strict",
                Helm.chart().toString(),
                "--set",
                "server.mode=postgres",
                "--set",
                "server.postgres.databaseUrl=" + POSTGRES_URL));
        assertThat(postgres.exitCode())
                .as(postgres.stdout() + postgres.stderr())
                .isZero();
    }

    @Test
    void theModelsRefuseAFieldKubernetesDoesNotDefine() {
        // the check every rendered object passes: a typo in a template would fail the same way
        String typo = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: x}\n"
                + "spec: {replicaz: 1, selector: {}, serviceName: x, template: {}}\n";
        assertThatThrownBy(() -> KubernetesObjects.parse(typo))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("replicaz");
    }

    @Test
    void defaults_renderOneSqliteServerAndAnAgentOnEveryNode() throws Exception {
        KubernetesObjects objects = render("{}");

        assertThat(objects.all().stream().map(o -> o.getClass().getSimpleName()))
                .containsExactlyInAnyOrder(
                        "V1ServiceAccount",
                        "V1ServiceAccount",
                        "V1ConfigMap",
                        "V1ConfigMap",
                        "V1Service",
                        "V1Service",
                        "V1StatefulSet",
                        "V1DaemonSet",
                        "V1ClusterRole",
                        "V1ClusterRoleBinding");
        V1StatefulSet server = objects.one(V1StatefulSet.class);
        assertThat(server.getSpec().getReplicas()).isEqualTo(1);
        V1Container container = onlyContainer(server.getSpec().getTemplate().getSpec());
        assertThat(container.getImage()).isEqualTo("meshca/server:" + projectVersion());
        assertThat(container.getArgs()).containsExactly("run", "-config", "/etc/meshca/server.yaml");
        assertThat(server.getSpec().getVolumeClaimTemplates())
                .singleElement()
                .satisfies(claim -> assertThat(claim.getMetadata().getName()).isEqualTo("data"));
        assertThat(mountPath(container, "data")).isEqualTo("/var/lib/meshca");
        assertThat(mountPath(container, "config")).isEqualTo("/etc/meshca/server.yaml");

        ServerConfig config = serverConfig(objects);
        assertThat(config.databaseUrl()).isEmpty();
        assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/meshca/data"));
        assertThat(config.trustDomain()).isEqualTo(TrustDomain.parse("example.org"));
        assertThat(config.plugins().plugins("nodeAttestor").keySet()).containsExactly("k8s_psat");
        assertThat(config.keyManager()).isEqualTo("disk");

        K8sPsatConfig psat =
                K8sPsatConfig.from(config.plugins().plugins("nodeAttestor").get("k8s_psat"));
        assertThat(psat.cluster()).isEqualTo("kubernetes");
        assertThat(psat.issuer()).isEqualTo("https://kubernetes.default.svc.cluster.local");
        assertThat(psat.audience()).isEqualTo(K8sPsatConfig.DEFAULT_AUDIENCE);
        assertThat(psat.serviceAccountAllowList()).containsExactly(NAMESPACE + ":" + AGENT);
        // the JWKS file is where the StatefulSet mounts the issuer's keys
        assertThat(psat.jwksFilePath()).contains(Path.of(mountPath(container, "k8s-jwks"), "jwks.json"));
        assertThat(volume(server.getSpec().getTemplate().getSpec(), "k8s-jwks")
                        .getConfigMap()
                        .getName())
                .isEqualTo("meshca-k8s-jwks");

        // the agents attest as the service account the server allows
        V1DaemonSet agent = objects.one(V1DaemonSet.class);
        assertThat(agent.getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(AGENT);
        assertThat(objects.all(V1ServiceAccount.class).stream()
                        .map(sa -> sa.getMetadata().getName()))
                .containsExactlyInAnyOrder(SERVER, AGENT);
    }

    @Test
    void server_runsAsNonRootWithNothingToEscalate() throws Exception {
        V1StatefulSet server = render("{}").one(V1StatefulSet.class);
        V1PodSpec pod = server.getSpec().getTemplate().getSpec();

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
        assertLockedDown(onlyContainer(pod).getSecurityContext());
        assertThat(onlyContainer(pod).getSecurityContext().getCapabilities().getAdd())
                .isNullOrEmpty();
        assertThat(onlyContainer(pod)
                        .getLivenessProbe()
                        .getTcpSocket()
                        .getPort()
                        .getStrValue())
                .isEqualTo("agent-api");
    }

    @Test
    void agent_hasTheProjectedTokenForTheServersAudienceAndTheSocketOnTheHost() throws Exception {
        KubernetesObjects objects = render("{}");
        V1DaemonSet daemonSet = objects.one(V1DaemonSet.class);
        V1PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();
        V1Container agent = onlyContainer(pod);

        assertThat(pod.getHostPID()).isTrue();
        assertThat(agent.getImage()).isEqualTo("meshca/agent:" + projectVersion());
        assertLockedDown(agent.getSecurityContext());
        assertThat(agent.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

        V1ServiceAccountTokenProjection token =
                volume(pod, "agent-token").getProjected().getSources().get(0).getServiceAccountToken();
        assertThat(token.getAudience()).isEqualTo(K8sPsatConfig.DEFAULT_AUDIENCE);
        assertThat(token.getExpirationSeconds()).isEqualTo(3600L);

        V1Volume socketDir = volume(pod, "agent-socket-dir");
        assertThat(socketDir.getHostPath().getPath()).isEqualTo("/run/meshca/sockets");
        assertThat(socketDir.getHostPath().getType()).isEqualTo("DirectoryOrCreate");
        assertThat(volume(pod, "agent-data").getHostPath().getType()).isEqualTo("DirectoryOrCreate");
        assertThat(volume(pod, "trust-bundle").getConfigMap().getName()).isEqualTo("meshca-bundle");

        V1EnvVar nodeIp = agent.getEnv().stream()
                .filter(e -> e.getName().equals("MESHCA_NODE_IP"))
                .findFirst()
                .orElseThrow();
        assertThat(nodeIp.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.hostIP");

        AgentFile file = agentConfig(objects);
        // the socket lies in the agent's default socket directory, which the host directory is mounted over
        assertThat(file.config().socketPath()).isEqualTo(AGENT_SOCKET);
        assertThat(mountPath(agent, "agent-socket-dir"))
                .isEqualTo(AGENT_SOCKET.getParent().toString());
        // k8s_psat reads the projected token where it is mounted
        assertThat(Path.of(file.nodeAttestor().get("tokenPath").toString()))
                .isEqualTo(Path.of(mountPath(agent, "agent-token"), token.getPath()));
        assertThat(file.config().trustBundle()).contains(Path.of(mountPath(agent, "trust-bundle"), "bundle.pem"));
        assertThat(file.config().dataDir()).startsWithRaw(Path.of(mountPath(agent, "agent-data")));
        assertThat(file.config().serverAddress()).isEqualTo("meshca-server-headless.meshca-system.svc");
        assertThat(file.config().plugins().plugins("workloadAttestor").keySet()).containsExactly("k8s");
        assertThat(objects.named(
                                V1Service.class,
                                "meshca-server-headless",
                                s -> s.getMetadata().getName())
                        .getSpec()
                        .getClusterIP())
                .isEqualTo("None");
    }

    @Test
    void rbac_grantsTheAgentGetOnTheKubeletsPodListAndNothingElse() throws Exception {
        KubernetesObjects current = render("{}", "--kube-version", "1.33.0");
        assertThat(current.all(V1Role.class)).isEmpty();
        assertThat(current.one(V1ClusterRole.class).getRules())
                .singleElement()
                .satisfies(rule -> assertRule(rule, "nodes/pods"));
        V1ClusterRoleBinding binding = current.one(V1ClusterRoleBinding.class);
        assertThat(binding.getRoleRef().getName())
                .isEqualTo(current.one(V1ClusterRole.class).getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getKind()).isEqualTo("ServiceAccount");
            assertThat(subject.getName()).isEqualTo(AGENT);
            assertThat(subject.getNamespace()).isEqualTo(NAMESPACE);
        });

        // before fine-grained kubelet authorization, GET /pods is authorized as nodes/proxy
        KubernetesObjects older = render("{}", "--kube-version", "1.32.0");
        assertThat(older.one(V1ClusterRole.class).getRules())
                .singleElement()
                .satisfies(rule -> assertRule(rule, "nodes/proxy"));
    }

    @Test
    void defaults_giveTheServerNoTokenAndNoPermission() throws Exception {
        KubernetesObjects objects = render("{}");

        V1PodSpec pod = objects.one(V1StatefulSet.class).getSpec().getTemplate().getSpec();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(objects.named(
                                V1ServiceAccount.class,
                                SERVER,
                                sa -> sa.getMetadata().getName())
                        .getAutomountServiceAccountToken())
                .isFalse();
        assertThat(objects.all(V1Role.class)).isEmpty();
        assertThat(objects.all(V1RoleBinding.class)).isEmpty();
        assertThat(objects.all(V1ClusterRole.class))
                .noneMatch(role -> role.getMetadata().getName().startsWith(SERVER));
        assertThat(objects.all(V1ClusterRoleBinding.class))
                .flatMap(V1ClusterRoleBinding::getSubjects)
                .noneMatch(subject -> subject.getName().equals(SERVER));
        assertThat(serverYaml(objects)
                        .path("plugins")
                        .path("nodeAttestor")
                        .path("k8s_psat")
                        .fieldNames())
                .toIterable()
                .doesNotContain(
                        K8sPsatConfig.USE_TOKEN_REVIEW,
                        K8sPsatConfig.ALLOWED_NODE_LABEL_KEYS,
                        K8sPsatConfig.ALLOWED_POD_LABEL_KEYS,
                        KubernetesApiSettings.API_SERVER_URL,
                        KubernetesApiSettings.API_SERVER_CA_FILE,
                        KubernetesApiSettings.API_SERVER_TOKEN_FILE);
    }

    @Test
    void apiServerLookups_withLabelKeys_mountTheTokenAndGrantGetOnPodsAndNodesOnly() throws Exception {
        KubernetesObjects objects = render(String.join(
                "\n",
                "k8sPsat:",
                "  apiServerLookups: true",
                "  allowedNodeLabelKeys: [topology.kubernetes.io/zone]",
                "  allowedPodLabelKeys: [app.kubernetes.io/name, pod-template-generation]",
                ""));

        V1PodSpec pod = objects.one(V1StatefulSet.class).getSpec().getTemplate().getSpec();
        assertThat(pod.getAutomountServiceAccountToken()).isTrue();
        assertThat(pod.getServiceAccountName()).isEqualTo(SERVER);
        assertThat(serverClusterRole(objects).getRules()).singleElement().satisfies(rule -> assertRule(rule, "nodes"));
        V1Role pods = serverRole(objects);
        assertThat(pods.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        assertThat(pods.getRules()).singleElement().satisfies(rule -> assertRule(rule, "pods"));

        K8sPsatConfig psat = serverPsat(objects);
        assertThat(psat.useTokenReview()).isFalse();
        assertThat(psat.allowedNodeLabelKeys()).containsExactly("topology.kubernetes.io/zone");
        assertThat(psat.allowedPodLabelKeys())
                .containsExactlyInAnyOrder("app.kubernetes.io/name", "pod-template-generation");
        assertThat(psat.apiServerSettings()).isPresent();
        // the issuer's keys still check the tokens
        assertThat(psat.issuer()).isEqualTo("https://kubernetes.default.svc.cluster.local");
        assertThat(psat.jwksFilePath()).contains(Path.of("/etc/meshca/k8s-jwks/jwks.json"));
    }

    @Test
    void useTokenReview_grantsTokenReviewsAndLeavesTheIssuersKeysOut() throws Exception {
        KubernetesObjects objects = render(
                String.join("\n", "k8sPsat:", "  useTokenReview: true", "  jwks: {content: '{\"keys\": []}'}", ""));

        V1PodSpec pod = objects.one(V1StatefulSet.class).getSpec().getTemplate().getSpec();
        assertThat(pod.getAutomountServiceAccountToken()).isTrue();
        assertThat(pod.getVolumes()).noneMatch(v -> v.getName().equals("k8s-jwks"));
        assertThat(onlyContainer(pod).getVolumeMounts())
                .noneMatch(m -> m.getName().equals("k8s-jwks"));
        assertThat(objects.all(V1ConfigMap.class))
                .noneMatch(map -> map.getMetadata().getName().equals("meshca-k8s-jwks"));
        assertThat(serverClusterRole(objects).getRules())
                .satisfiesExactlyInAnyOrder(rule -> assertRule(rule, "nodes"), rule -> {
                    assertThat(rule.getApiGroups()).containsExactly("authentication.k8s.io");
                    assertThat(rule.getResources()).containsExactly("tokenreviews");
                    assertThat(rule.getVerbs()).containsExactly("create");
                });
        assertThat(serverRole(objects).getRules()).singleElement().satisfies(rule -> assertRule(rule, "pods"));

        JsonNode block =
                serverYaml(objects).path("plugins").path("nodeAttestor").path("k8s_psat");
        assertThat(block.has(K8sPsatConfig.JWKS_FILE)).isFalse();
        assertThat(block.has(K8sPsatConfig.ISSUER)).isFalse();
        K8sPsatConfig psat = serverPsat(objects);
        assertThat(psat.useTokenReview()).isTrue();
        assertThat(psat.jwksFilePath()).isEmpty();
        assertThat(psat.issuer()).isNull();
        assertThat(psat.allowedNodeLabelKeys()).isEmpty();
    }

    static Stream<String> eachLookupSwitch() {
        return Stream.of(
                "apiServerLookups: true",
                "useTokenReview: true",
                "allowedNodeLabelKeys: [kubernetes.io/os]",
                "allowedPodLabelKeys: [app]");
    }

    @ParameterizedTest
    @MethodSource("eachLookupSwitch")
    void eachLookupSwitch_aloneTurnsOnTheServersPodAndNodeLookups(String value) throws Exception {
        KubernetesObjects objects = render("k8sPsat:\n  " + value + "\n");

        assertThat(objects.one(V1StatefulSet.class)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getAutomountServiceAccountToken())
                .isTrue();
        assertThat(serverClusterRole(objects).getRules()).anySatisfy(rule -> assertRule(rule, "nodes"));
        assertThat(serverRole(objects).getRules()).singleElement().satisfies(rule -> assertRule(rule, "pods"));
        assertThat(serverPsat(objects).apiServerSettings()).isPresent();
    }

    @Test
    void postgres_runsThreeReplicasOnTheDatabaseWithTheirOwnKeyVolumes() throws Exception {
        KubernetesObjects objects = render(String.join(
                "\n",
                "server:",
                "  mode: postgres",
                "  replicas: 3",
                "  postgres:",
                "    databaseUrl: \"" + POSTGRES_URL + "\"",
                "    pgpassSecret: {name: meshca-db}",
                "k8sPsat:",
                "  cluster: prod-eu",
                "  issuer: https://oidc.example.com/id/1234",
                "  jwks: {discovery: true}",
                ""));

        V1StatefulSet server = objects.one(V1StatefulSet.class);
        assertThat(server.getSpec().getReplicas()).isEqualTo(3);
        assertThat(server.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
        V1PodDisruptionBudget budget = objects.one(V1PodDisruptionBudget.class);
        assertThat(budget.getSpec().getMaxUnavailable().getIntValue()).isEqualTo(1);
        assertThat(budget.getSpec().getSelector().getMatchLabels())
                .isEqualTo(server.getSpec().getSelector().getMatchLabels());
        // each replica keeps its CA keys and audit spool (docs/ha.md)
        assertThat(server.getSpec().getVolumeClaimTemplates()).hasSize(1);
        V1PodSpec pod = server.getSpec().getTemplate().getSpec();
        V1Container container = onlyContainer(pod);
        assertThat(container.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("PGPASSFILE");
            assertThat(env.getValue()).isEqualTo(mountPath(container, "pgpass") + "/pgpass");
        });
        assertThat(volume(pod, "pgpass").getSecret().getSecretName()).isEqualTo("meshca-db");
        assertThat(pod.getVolumes()).noneMatch(v -> v.getName().equals("k8s-jwks"));

        ServerConfig config = serverConfig(objects);
        assertThat(config.databaseUrl()).contains(POSTGRES_URL);
        // the whole plugin check of `server validate`: with discovery there is no file to read
        ServerCatalog.validate(config.plugins(), Clock.systemUTC());
        K8sPsatConfig psat =
                K8sPsatConfig.from(config.plugins().plugins("nodeAttestor").get("k8s_psat"));
        assertThat(psat.cluster()).isEqualTo("prod-eu");
        assertThat(psat.jwksFilePath()).isEmpty();
        assertThat(psat.issuer()).isEqualTo("https://oidc.example.com/id/1234");

        // the agents are given the headless Service: it resolves to every replica
        assertThat(agentConfig(objects).config().serverAddress()).isEqualTo("meshca-server-headless.meshca-system.svc");
    }

    @Test
    void istio_namesTheSocketAsIstioAgentLooksForIt() throws Exception {
        KubernetesObjects objects = render(String.join(
                "\n",
                "trustDomain: cluster.local",
                "agent:",
                "  istio: {enabled: true}",
                "  unixAttestor: true",
                "trustBundle:",
                "  pem: |",
                indent(
                        Pem.encodeCertificates(List.of(
                                TestPki.root(TrustDomain.parse("cluster.local")).certificate())),
                        "    "),
                ""));

        AgentFile file = agentConfig(objects);
        assertThat(file.config().socketPath()).isEqualTo(AGENT_SOCKET.resolveSibling("socket"));
        assertThat(file.config().trustDomain()).isEqualTo(TrustDomain.parse("cluster.local"));
        assertThat(file.config().plugins().plugins("workloadAttestor").keySet())
                .containsExactlyInAnyOrder("k8s", "unix");

        V1Container agent = onlyContainer(
                objects.one(V1DaemonSet.class).getSpec().getTemplate().getSpec());
        // the unix attestor reads /proc/<pid>/exe of other users' processes: that one capability, no more
        assertThat(agent.getSecurityContext().getCapabilities().getAdd()).containsExactly("SYS_PTRACE");
        assertThat(agent.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(agent.getLivenessProbe().getExec().getCommand())
                .endsWith(
                        "healthcheck", "-socketPath", file.config().socketPath().toString());

        V1ConfigMap bundle = objects.named(
                V1ConfigMap.class, "meshca-bundle", c -> c.getMetadata().getName());
        assertThat(Pem.decodeCertificates(bundle.getData().get("bundle.pem"))).hasSize(1);
    }

    @Test
    void upstreamAuthority_readsTheMountedSecret() throws Exception {
        KubernetesObjects objects = render("server:\n  upstreamAuthority: {secretName: corporate-ca}\n");

        ServerConfig config = serverConfig(objects);
        assertThat(config.plugins().plugins("upstreamAuthority").keySet()).containsExactly("disk");
        String upstream = serverYaml(objects)
                .path("plugins")
                .path("upstreamAuthority")
                .path("disk")
                .toString();
        V1PodSpec pod = objects.one(V1StatefulSet.class).getSpec().getTemplate().getSpec();
        String dir = mountPath(onlyContainer(pod), "upstream");
        assertThat(volume(pod, "upstream").getSecret().getSecretName()).isEqualTo("corporate-ca");
        for (String file : List.of("cert.pem", "key.pem", "bundle.pem")) {
            assertThat(upstream).contains("\"" + dir + "/" + file + "\"");
            assertThat(volume(pod, "upstream").getSecret().getItems())
                    .anyMatch(item -> item.getPath().equals(file));
        }
    }

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                Arguments.of("server:\n  mode: mysql\n", List.of("/server/mode", "sqlite", "postgres")),
                Arguments.of("server:\n  replica: 3\n", List.of("/server", "replica")),
                Arguments.of("k8sPsat:\n  tokenExpirationSeconds: 60\n", List.of("/k8sPsat/tokenExpirationSeconds")),
                Arguments.of("agent:\n  kubelet: {url: \"http://10.0.0.1:10255\"}\n", List.of("/agent/kubelet/url")),
                Arguments.of("server:\n  caTtl: 1h30m\n", List.of("/server/caTtl")),
                Arguments.of(
                        "k8sPsat:\n  allowedNodeLabelKeys: [\"zone name\"]\n",
                        List.of("/k8sPsat/allowedNodeLabelKeys/0")),
                Arguments.of(
                        "server:\n  mode: postgres\n",
                        List.of("server.mode postgres needs server.postgres.databaseUrl")));
    }

    @ParameterizedTest
    @MethodSource("invalidValues")
    void invalidValues_areRefusedNamingTheValue(String values, List<String> named) throws Exception {
        Helm.Result result = template(values);
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains(named);
    }

    // --- helpers ---

    private static void assertLockedDown(V1SecurityContext context) {
        assertThat(context.getPrivileged()).isFalse();
        assertThat(context.getAllowPrivilegeEscalation()).isFalse();
        assertThat(context.getReadOnlyRootFilesystem()).isTrue();
        assertThat(context.getCapabilities().getDrop()).containsExactly("ALL");
    }

    private static V1ClusterRole serverClusterRole(KubernetesObjects objects) {
        V1ClusterRole role = objects.named(
                V1ClusterRole.class, SERVER + "-k8s-psat", r -> r.getMetadata().getName());
        V1ClusterRoleBinding binding = objects.named(
                V1ClusterRoleBinding.class,
                SERVER + "-k8s-psat",
                b -> b.getMetadata().getName());
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertBoundToTheServer(binding.getSubjects());
        return role;
    }

    private static V1Role serverRole(KubernetesObjects objects) {
        V1Role role = objects.one(V1Role.class);
        V1RoleBinding binding = objects.one(V1RoleBinding.class);
        assertThat(binding.getMetadata().getNamespace())
                .isEqualTo(role.getMetadata().getNamespace());
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertBoundToTheServer(binding.getSubjects());
        return role;
    }

    private static void assertBoundToTheServer(List<RbacV1Subject> subjects) {
        assertThat(subjects).singleElement().satisfies(subject -> {
            assertThat(subject.getKind()).isEqualTo("ServiceAccount");
            assertThat(subject.getName()).isEqualTo(SERVER);
            assertThat(subject.getNamespace()).isEqualTo(NAMESPACE);
        });
    }

    /**
     * The rendered k8s_psat block, read as the server reads it. The whole server.yaml goes through the
     * server's loader first. The API server settings are read at parse time from the pod's
     * service-account files and KUBERNETES_SERVICE_HOST/_PORT: after checking that the block names the
     * token the pod mounts (and the CA beside it, by default), the two files are swapped for stand-ins
     * and the environment is a pod's.
     */
    @SuppressWarnings("unchecked")
    private K8sPsatConfig serverPsat(KubernetesObjects objects) throws IOException {
        serverConfig(objects);
        Map<String, Object> block = new LinkedHashMap<>(YAML.convertValue(
                serverYaml(objects).path("plugins").path("nodeAttestor").path("k8s_psat"), Map.class));
        assertThat(block)
                .containsEntry(
                        KubernetesApiSettings.API_SERVER_TOKEN_FILE,
                        "/var/run/secrets/kubernetes.io/serviceaccount/token")
                .doesNotContainKeys(KubernetesApiSettings.API_SERVER_URL, KubernetesApiSettings.API_SERVER_CA_FILE);
        Path ca = temp.resolve("api-server-ca.crt");
        Files.writeString(
                ca,
                Pem.encodeCertificates(
                        List.of(TestPki.root(TrustDomain.parse("example.org")).certificate())));
        Path token = Files.writeString(temp.resolve("server-token"), "stand-in");
        block.put(KubernetesApiSettings.API_SERVER_CA_FILE, ca.toString());
        block.put(KubernetesApiSettings.API_SERVER_TOKEN_FILE, token.toString());
        Map<String, String> pod = Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443");
        K8sPsatConfig psat = K8sPsatConfig.from(new PluginConfig("plugins.nodeAttestor.k8s_psat", block), pod);
        assertThat(psat.apiServerSettings())
                .hasValueSatisfying(api -> assertThat(api.url().toString()).isEqualTo("https://10.96.0.1:443"));
        return psat;
    }

    private static void assertRule(V1PolicyRule rule, String resource) {
        assertThat(rule.getApiGroups()).containsExactly("");
        assertThat(rule.getResources()).containsExactly(resource);
        assertThat(rule.getVerbs()).containsExactly("get");
        assertThat(rule.getResourceNames()).isNullOrEmpty();
        assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
    }

    private static V1Container onlyContainer(V1PodSpec pod) {
        assertThat(pod.getContainers()).hasSize(1);
        assertThat(pod.getInitContainers()).isNullOrEmpty();
        return pod.getContainers().get(0);
    }

    private static V1Volume volume(V1PodSpec pod, String name) {
        return pod.getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static String mountPath(V1Container container, String volume) {
        return container.getVolumeMounts().stream()
                .filter(m -> m.getName().equals(volume))
                .map(V1VolumeMount::getMountPath)
                .findFirst()
                .orElseThrow(() -> new AssertionError("volume " + volume + " is not mounted"));
    }

    /** The rendered server.yaml, read by the server's own loader and checked by its builder. */
    private ServerConfig serverConfig(KubernetesObjects objects) throws IOException {
        V1ConfigMap map =
                objects.named(V1ConfigMap.class, SERVER, c -> c.getMetadata().getName());
        Path file = temp.resolve("server.yaml");
        Files.writeString(file, map.getData().get("server.yaml"));
        return ServerConfigLoader.apply(file, ServerConfig.builder()).build();
    }

    private static JsonNode serverYaml(KubernetesObjects objects) throws IOException {
        V1ConfigMap map =
                objects.named(V1ConfigMap.class, SERVER, c -> c.getMetadata().getName());
        return YAML.readTree(map.getData().get("server.yaml"));
    }

    /** The rendered agent.yaml as the agent reads it, and its node attestor block as written. */
    private record AgentFile(AgentConfig config, Map<String, Object> nodeAttestor) {}

    /**
     * The rendered agent.yaml, read by the agent's own loader, its plugins checked against the agent's
     * catalog and each plugin created from its block (which refuses unknown keys). The k8s workload
     * attestor reads its two files at creation: they are the pod's service-account files, so here they
     * are swapped for stand-ins after checking that the config names those paths.
     */
    @SuppressWarnings("unchecked")
    private AgentFile agentConfig(KubernetesObjects objects) throws Exception {
        V1ConfigMap map =
                objects.named(V1ConfigMap.class, AGENT, c -> c.getMetadata().getName());
        String text = map.getData().get("agent.yaml");
        Path file = temp.resolve("agent.yaml");
        Files.writeString(file, text);
        AgentConfig config = AgentConfig.builder().file(file).build();
        AgentPlugins.chosen(config);

        Map<String, Object> raw = YAML.readValue(text, Map.class);
        Map<String, Object> plugins = (Map<String, Object>) raw.get("plugins");
        Map<String, Object> psat =
                (Map<String, Object>) ((Map<String, Object>) plugins.get("nodeAttestor")).get(K8sPsatAttestor.TYPE);
        K8sPsatAttestor.create(new PluginConfig("plugins.nodeAttestor.k8s_psat", psat));

        Map<String, Object> k8s = new LinkedHashMap<>((Map<String, Object>)
                ((Map<String, Object>) plugins.get("workloadAttestor")).get(K8sWorkloadAttestor.TYPE));
        String serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount/";
        assertThat(k8s.get("kubeletCaFile")).isEqualTo(serviceAccountDir + "ca.crt");
        assertThat(k8s.get("tokenFile")).isEqualTo(serviceAccountDir + "token");
        assertThat(k8s).doesNotContainKey("kubeletUrl"); // https://$MESHCA_NODE_IP:10250
        Path ca = temp.resolve("ca.crt");
        Files.writeString(
                ca,
                Pem.encodeCertificates(
                        List.of(TestPki.root(TrustDomain.parse("example.org")).certificate())));
        Path token = Files.writeString(temp.resolve("token"), "stand-in");
        k8s.put("kubeletCaFile", ca.toString());
        k8s.put("tokenFile", token.toString());
        K8sWorkloadAttestor.create(new PluginConfig("plugins.workloadAttestor.k8s", k8s));
        assertThat(k8s.get("podCacheTtl")).isEqualTo("5s");
        return new AgentFile(config, psat);
    }

    private static String indent(String text, String prefix) {
        return text.strip()
                .lines()
                .map(line -> prefix + line)
                .reduce((a, b) -> a + "\n" + b)
                .orElse("");
    }

    /** The Maven project version, which the chart's appVersion (and so the default image tag) must be. */
    private static String projectVersion() throws IOException {
        Path pom = Helm.chart().resolve("../../../pom.xml").normalize();
        Matcher m = Pattern.compile("<artifactId>meshca-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(pom));
        assertThat(m.find()).as("the parent version in %s", pom).isTrue();
        return m.group(1);
    }
}
