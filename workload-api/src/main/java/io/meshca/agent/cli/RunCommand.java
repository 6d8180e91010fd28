package io.meshca.agent.cli;

import io.meshca.agent.NodeAgent;
import io.meshca.agent.config.AgentConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code agent run}: starts the agent and blocks until SIGTERM or SIGINT, then shuts down cleanly
 * (the Workload API and SDS socket file is removed). Every flag overrides the config file's key of the same name.
 */
@Command(
        name = "run",
        description = "Runs the node agent",
        footer = "meshca agent run -config agent.yaml -joinToken <token>")
public final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = "-config", paramLabel = "file", description = "YAML config file")
    Path config;

    @Option(names = "-trustDomain", paramLabel = "td", description = "Trust domain (default example.org)")
    String trustDomain;

    @Option(
            names = "-serverAddress",
            paramLabel = "a",
            description = "ca-server replicas: host or host:port, comma-separated; a host name stands for every"
                    + " address it resolves to (default 127.0.0.1)")
    String serverAddress;

    @Option(
            names = "-serverPort",
            paramLabel = "p",
            description = "ca-server port of -serverAddress entries that name none (default 8081)")
    Integer serverPort;

    @Option(
            names = "-socketPath",
            paramLabel = "s",
            description = "Workload API socket (default /tmp/meshca-agent/public/api.sock)")
    Path socketPath;

    @Option(
            names = "-socketMode",
            paramLabel = "octal",
            description = "The socket's file mode, e.g. 0770 (default 0777: every local user may connect and is"
                    + " then attested)")
    String socketMode;

    @Option(
            names = "-socketGroup",
            paramLabel = "group",
            description = "The socket's group, a name or gid (default the agent's own)")
    String socketGroup;

    @Option(names = "-trustBundle", paramLabel = "pem", description = "The server's CA certificates (PEM), to attest")
    Path trustBundle;

    @Option(
            names = "-joinToken",
            paramLabel = "t",
            description = "Join token, needed when no agent SVID is stored; visible to every local user in the"
                    + " process list: prefer -joinTokenFile")
    String joinToken;

    @Option(
            names = "-joinTokenFile",
            paramLabel = "file",
            description = "File holding the join token (surrounding whitespace ignored)")
    Path joinTokenFile;

    @Option(
            names = "-rebootstrap",
            description = "Attest with the join token even though an agent SVID is stored, and replace it")
    boolean rebootstrap;

    @Option(names = "-dataDir", paramLabel = "d", description = "Data directory (default ./.data/agent)")
    Path dataDir;

    @Option(
            names = "-sdsDefaultSvidName",
            paramLabel = "name",
            description = "SDS resource name of the default SVID (default default)")
    String sdsDefaultSvidName;

    @Option(
            names = "-sdsDefaultBundleName",
            paramLabel = "name",
            description = "SDS resource name of the own trust domain's bundle (default ROOTCA)")
    String sdsDefaultBundleName;

    @Option(
            names = "-sdsDefaultAllBundlesName",
            paramLabel = "name",
            description = "SDS resource name of all bundles, own and federated (default ALL)")
    String sdsDefaultAllBundlesName;

    @Option(
            names = "-sdsDisableSpiffeCertValidation",
            paramLabel = "true|false",
            arity = "0..1",
            fallbackValue = "true",
            description =
                    "Send SDS bundles as plain trusted_ca, not as Envoy's SPIFFE validator config (default false)")
    Boolean sdsDisableSpiffeCertValidation;

    @Override
    public Integer call() throws InterruptedException {
        if (joinToken != null) {
            log.warn("the join token given with -joinToken is visible to every local user in the process list"
                    + " (/proc/<pid>/cmdline) while the agent runs; use -joinTokenFile <file> instead");
        }
        AgentConfig.Builder builder = AgentConfig.builder();
        if (config != null) {
            builder.file(config);
        }
        AgentConfig settings = builder.trustDomain(trustDomain)
                .serverAddress(serverAddress)
                .serverPort(serverPort)
                .socketPath(socketPath)
                .socketMode(socketMode)
                .socketGroup(socketGroup)
                .trustBundle(trustBundle)
                .joinToken(joinToken)
                .joinTokenFile(joinTokenFile)
                .rebootstrap(rebootstrap)
                .dataDir(dataDir)
                .sdsDefaultSvidName(sdsDefaultSvidName)
                .sdsDefaultBundleName(sdsDefaultBundleName)
                .sdsDefaultAllBundlesName(sdsDefaultAllBundlesName)
                .sdsDisableSpiffeCertValidation(sdsDisableSpiffeCertValidation)
                .build();
        NodeAgent agent = NodeAgent.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    agent.close();
                    stopped.countDown();
                },
                "meshca-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return 0;
    }
}
