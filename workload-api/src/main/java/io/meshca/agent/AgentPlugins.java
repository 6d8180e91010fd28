package io.meshca.agent;

import io.meshca.agent.attestation.node.AwsIidAttestor;
import io.meshca.agent.attestation.node.AzureMsiAttestor;
import io.meshca.agent.attestation.node.JoinTokenAttestor;
import io.meshca.agent.attestation.node.K8sPsatAttestor;
import io.meshca.agent.attestation.node.NodeAttestor;
import io.meshca.agent.attestation.node.X509PopAttestor;
import io.meshca.agent.attestation.workload.UnixWorkloadAttestor;
import io.meshca.agent.attestation.workload.WorkloadAttestor;
import io.meshca.agent.attestation.workload.k8s.K8sWorkloadAttestor;
import io.meshca.agent.config.AgentConfig;
import io.meshca.common.plugin.Cardinality;
import io.meshca.common.plugin.PluginCatalog;
import io.meshca.common.plugin.PluginKind;
import io.meshca.common.plugin.PluginsConfig;

/**
 * The agent's plugin kinds and their built-in plugins, by the names the config's {@code plugins:}
 * block uses. Every plugin is created with its own block and the agent's config; a kind the block
 * leaves out runs its default, which is how an agent configured before plugins existed keeps working.
 */
public final class AgentPlugins {

    /** Attest the callers of the Workload API and SDS; each adds its selectors. */
    public static final PluginKind<WorkloadAttestor> WORKLOAD_ATTESTOR =
            new PluginKind<>("workloadAttestor", WorkloadAttestor.class, Cardinality.ONE_OR_MORE);

    /** The evidence this node presents to the server, when it has no valid stored SVID. */
    public static final PluginKind<NodeAttestor> NODE_ATTESTOR =
            new PluginKind<>("nodeAttestor", NodeAttestor.class, Cardinality.EXACTLY_ONE);

    public static final String DEFAULT_WORKLOAD_ATTESTOR = "unix";
    public static final String DEFAULT_NODE_ATTESTOR = JoinTokenAttestor.TYPE;

    public static final PluginCatalog<AgentConfig> CATALOG = PluginCatalog.<AgentConfig>builder()
            .register(WORKLOAD_ATTESTOR, "unix", (block, config) -> UnixWorkloadAttestor.create(block))
            .register(WORKLOAD_ATTESTOR, K8sWorkloadAttestor.TYPE, (block, config) -> K8sWorkloadAttestor.create(block))
            .register(NODE_ATTESTOR, JoinTokenAttestor.TYPE, JoinTokenAttestor::create)
            .register(NODE_ATTESTOR, K8sPsatAttestor.TYPE, (block, config) -> K8sPsatAttestor.create(block))
            .register(NODE_ATTESTOR, X509PopAttestor.TYPE, (block, config) -> X509PopAttestor.create(block))
            .register(NODE_ATTESTOR, AwsIidAttestor.TYPE, (block, config) -> AwsIidAttestor.create(block))
            .register(NODE_ATTESTOR, AzureMsiAttestor.TYPE, (block, config) -> AzureMsiAttestor.create(block))
            .build();

    private AgentPlugins() {}

    /**
     * The plugins {@code config} runs: its {@code plugins:} block, with the default of every kind it
     * leaves out ({@code unix} workload attestor, {@code join_token} node attestor, whose token is the
     * {@code joinToken} setting). Checked against the catalog before anything is created.
     *
     * @throws io.meshca.common.error.InvalidArgumentException with the catalog's message naming the
     *     kind, the plugin and the known names
     */
    public static PluginsConfig chosen(AgentConfig config) {
        PluginsConfig plugins = config.plugins()
                .withDefault(WORKLOAD_ATTESTOR.name(), DEFAULT_WORKLOAD_ATTESTOR)
                .withDefault(NODE_ATTESTOR.name(), DEFAULT_NODE_ATTESTOR);
        CATALOG.check(plugins);
        return plugins;
    }
}
