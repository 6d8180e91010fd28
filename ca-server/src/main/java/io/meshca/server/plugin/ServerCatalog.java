package io.meshca.server.plugin;

import io.meshca.common.plugin.Cardinality;
import io.meshca.common.plugin.PluginCatalog;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.plugin.PluginKind;
import io.meshca.common.plugin.PluginsConfig;
import io.meshca.server.attestation.node.AwsIidAttestor;
import io.meshca.server.attestation.node.AwsIidConfig;
import io.meshca.server.attestation.node.AzureMsiAttestor;
import io.meshca.server.attestation.node.AzureMsiConfig;
import io.meshca.server.attestation.node.JoinTokenAttestor;
import io.meshca.server.attestation.node.JoinTokens;
import io.meshca.server.attestation.node.K8sPsatAttestor;
import io.meshca.server.attestation.node.K8sPsatConfig;
import io.meshca.server.attestation.node.NodeAttestor;
import io.meshca.server.attestation.node.X509PopAttestor;
import io.meshca.server.attestation.node.X509PopConfig;
import io.meshca.server.ca.keys.DiskKeyManager;
import io.meshca.server.ca.keys.KeyManager;
import io.meshca.server.ca.keys.MemoryKeyManager;
import io.meshca.server.ca.keys.pkcs11.Pkcs11KeyManager;
import io.meshca.server.ca.upstream.DiskUpstreamAuthority;
import io.meshca.server.ca.upstream.SelfSignedAuthority;
import io.meshca.server.ca.upstream.UpstreamAuthority;
import io.meshca.server.k8s.JwksSources;
import java.time.Clock;
import java.util.List;

/**
 * The server's built-in plugins by kind and name, each created from its own block of the config:
 * <pre>
 * plugins:
 *   keyManager:        { disk: { directory: /var/lib/meshca/keys } }   # or memory: {}, pkcs11: {...}; exactly one
 *   nodeAttestor:      { join_token: {} }                              # one or more
 *   # and/or: { k8s_psat: { cluster: prod, issuer: https://..., serviceAccountAllowList: [ns:sa] } }
 *   # and/or: { x509pop: { caBundlePath: /etc/meshca/node-ca.pem, agentPathTemplate: /x509pop/{{fingerprint}} } }
 *   #         { aws_iid: { awsCertificatePath: aws.pem } }, { azure_msi: { tenants: { <tenant id>: {} } } }
 *   upstreamAuthority: { none: {} }                                    # exactly one
 *   # or: { disk: { certFile: upstream.pem, keyFile: upstream.key, bundleFile: roots.pem } }
 * </pre>
 * A kind left out runs its default ({@code disk}, {@code join_token}, {@code none}): today's server.
 */
public final class ServerCatalog {

    public static final PluginKind<KeyManager> KEY_MANAGER =
            new PluginKind<>("keyManager", KeyManager.class, Cardinality.EXACTLY_ONE);
    public static final PluginKind<NodeAttestor> NODE_ATTESTOR =
            new PluginKind<>("nodeAttestor", NodeAttestor.class, Cardinality.ONE_OR_MORE);
    public static final PluginKind<UpstreamAuthority> UPSTREAM_AUTHORITY =
            new PluginKind<>("upstreamAuthority", UpstreamAuthority.class, Cardinality.EXACTLY_ONE);

    /**
     * keyManager: PKCS#8 files, 0600, in {@code directory} (default: {@code <dataDir>/keys}).
     * upstreamAuthority: the CA is an intermediate under an upstream CA whose certificate and key are
     * PEM files ({@code certFile}, {@code keyFile}, optional {@code bundleFile} of roots).
     */
    public static final String DISK = "disk";
    /** The disk key manager's one key: where its key files are. */
    static final String DISK_DIRECTORY = "directory";
    /** Keys in memory only, lost at exit: tests and throwaway servers. */
    public static final String MEMORY = "memory";
    /** Keys generated and kept on a PKCS#11 token (an HSM), reached through SunPKCS11. */
    public static final String PKCS11 = "pkcs11";
    /** Single-use join tokens. */
    public static final String JOIN_TOKEN = JoinTokens.TYPE;
    /** Projected Kubernetes service-account tokens of one cluster (see {@link K8sPsatConfig}). */
    public static final String K8S_PSAT = K8sPsatAttestor.TYPE;
    /** Node certificates from CAs of a bundle, and proof of their keys (see {@link X509PopConfig}). */
    public static final String X509POP = X509PopAttestor.TYPE;
    /** EC2 instance identity documents signed by AWS (see {@link AwsIidConfig}). */
    public static final String AWS_IID = AwsIidAttestor.TYPE;
    /** Managed-identity tokens of Azure VMs (see {@link AzureMsiConfig}). */
    public static final String AZURE_MSI = AzureMsiAttestor.TYPE;
    /** No upstream: the CA is a self-signed root. */
    public static final String NONE = "none";

    private static final PluginCatalog<ServerPluginContext> CATALOG = PluginCatalog.<ServerPluginContext>builder()
            .register(KEY_MANAGER, DISK, ServerCatalog::disk)
            .register(KEY_MANAGER, MEMORY, (config, context) -> {
                config.allowOnly();
                return new MemoryKeyManager();
            })
            .register(KEY_MANAGER, PKCS11, (config, context) -> Pkcs11KeyManager.open(config))
            .register(NODE_ATTESTOR, JOIN_TOKEN, (config, context) -> {
                config.allowOnly();
                return new JoinTokenAttestor(context.joinTokens());
            })
            .register(
                    NODE_ATTESTOR,
                    K8S_PSAT,
                    (config, context) ->
                            K8sPsatAttestor.create(context.trustDomain(), K8sPsatConfig.from(config), context.clock()))
            .register(
                    NODE_ATTESTOR,
                    X509POP,
                    (config, context) ->
                            new X509PopAttestor(context.trustDomain(), X509PopConfig.from(config), context.clock()))
            .register(
                    NODE_ATTESTOR,
                    AWS_IID,
                    (config, context) -> AwsIidAttestor.create(
                            context.trustDomain(),
                            AwsIidConfig.from(config),
                            context.attestedAgents(),
                            context.clock()))
            .register(
                    NODE_ATTESTOR,
                    AZURE_MSI,
                    (config, context) -> AzureMsiAttestor.create(
                            context.trustDomain(),
                            AzureMsiConfig.from(config),
                            context.attestedAgents(),
                            context.clock()))
            .register(UPSTREAM_AUTHORITY, NONE, (config, context) -> {
                config.allowOnly();
                return new SelfSignedAuthority(context.clock());
            })
            .register(
                    UPSTREAM_AUTHORITY,
                    DISK,
                    (config, context) -> DiskUpstreamAuthority.create(config, context.clock()))
            .build();

    private ServerCatalog() {}

    /** The catalog itself: kinds, and the names of the built-ins of each. */
    public static PluginCatalog<ServerPluginContext> catalog() {
        return CATALOG;
    }

    /** {@code config} with each kind it leaves out running its default (disk, join_token, none). */
    public static PluginsConfig withDefaults(PluginsConfig config) {
        return config.withDefault(KEY_MANAGER.name(), DISK)
                .withDefault(NODE_ATTESTOR.name(), JOIN_TOKEN)
                .withDefault(UPSTREAM_AUTHORITY.name(), NONE);
    }

    /**
     * Checks kinds, names and how many of each, creating nothing.
     *
     * @throws io.meshca.common.error.InvalidArgumentException naming the kind and its known plugins
     */
    public static void check(PluginsConfig config) {
        CATALOG.check(config);
    }

    /**
     * Creates the plugins {@code config} chooses (after {@link #check}); each plugin validates its block.
     *
     * @throws io.meshca.common.error.InvalidArgumentException as {@link #check}, or naming a key a plugin
     *     does not know
     */
    public static ServerPlugins load(PluginsConfig config, ServerPluginContext context) {
        // The key manager last: it is the one plugin that writes to the disk when created, so a bad block
        // of another plugin leaves nothing behind.
        UpstreamAuthority upstreamAuthority = CATALOG.loadOne(UPSTREAM_AUTHORITY, config, context);
        List<NodeAttestor> nodeAttestors = CATALOG.load(NODE_ATTESTOR, config, context);
        return new ServerPlugins(CATALOG.loadOne(KEY_MANAGER, config, context), nodeAttestors, upstreamAuthority);
    }

    private static KeyManager disk(PluginConfig config, ServerPluginContext context) {
        config.allowOnly(DISK_DIRECTORY);
        return new DiskKeyManager(
                config.path(DISK_DIRECTORY).orElse(context.dataDir().resolve("keys")));
    }

    /**
     * Checks {@code config} as {@link #load} would, block by block, creating nothing that writes or
     * connects: the key manager's block is read but no key directory is created and no token opened;
     * an upstream authority's files, a k8s_psat JWKS file and an x509pop CA bundle are read and
     * checked. For {@code meshca server validate}.
     *
     * @throws io.meshca.common.error.InvalidArgumentException as {@link #load}
     */
    public static void validate(PluginsConfig config, Clock clock) {
        check(config);
        config.plugins(KEY_MANAGER.name()).forEach((name, block) -> {
            switch (name) {
                case DISK -> block.allowOnly(DISK_DIRECTORY).path(DISK_DIRECTORY);
                case PKCS11 -> Pkcs11KeyManager.checkConfig(block);
                default -> block.allowOnly();
            }
        });
        config.plugins(NODE_ATTESTOR.name()).forEach((name, block) -> {
            switch (name) {
                case K8S_PSAT -> K8sPsatConfig.from(block).jwksFilePath().ifPresent(JwksSources::fromFile);
                case X509POP -> X509PopConfig.from(block);
                case AWS_IID -> AwsIidConfig.from(block).certificates();
                case AZURE_MSI ->
                    AzureMsiConfig.from(block)
                            .tenants()
                            .values()
                            .forEach(t -> t.jwksFilePath().ifPresent(JwksSources::fromFile));
                default -> block.allowOnly();
            }
        });
        config.plugins(UPSTREAM_AUTHORITY.name()).forEach((name, block) -> {
            if (DISK.equals(name)) {
                DiskUpstreamAuthority.create(block, clock);
            } else {
                block.allowOnly();
            }
        });
    }
}
