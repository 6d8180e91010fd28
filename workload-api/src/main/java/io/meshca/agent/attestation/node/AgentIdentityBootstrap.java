package io.meshca.agent.attestation.node;

import io.grpc.ManagedChannel;
import io.meshca.agent.client.ServerChannels;
import io.meshca.agent.client.ServerClient;
import io.meshca.agent.client.TlsFailures;
import io.meshca.agent.config.AgentConfig;
import io.meshca.agent.identity.AgentCredentials;
import io.meshca.agent.storage.AgentSvidStore;
import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.error.UnavailableException;
import io.meshca.common.files.TextFiles;
import io.meshca.common.pki.Keys;
import io.meshca.common.pki.Pem;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the agent gets its own identity at start: the SVID stored by a previous run if it is still
 * valid, otherwise node attestation with the evidence of its {@link NodeAttestor} (which also answers
 * the server's challenges, if it asks any). The outcome is persisted before it is used.
 */
public final class AgentIdentityBootstrap {

    private static final Logger log = LoggerFactory.getLogger(AgentIdentityBootstrap.class);

    static final String EXPIRED =
            "the stored agent SVID %s expired at %s: a new join token is needed (-joinTokenFile or -joinToken)";
    static final String NO_TOKEN = "no agent SVID is stored in %s and no join token was given: "
            + "attest this agent with -joinTokenFile (or -joinToken), from `server token generate`";
    static final String CANNOT_REATTEST = "the %s node attestor cannot attest a running agent again: restart"
            + " the agent with new evidence (for join_token, a new join token is needed: -joinTokenFile)";
    static final String REBOOTSTRAP_WITHOUT_EVIDENCE = "-rebootstrap attests again and needs a join token"
            + " (-joinTokenFile or -joinToken, from `server token generate`); none was given";
    static final String WRONG_TRUST_BUNDLE = "the server's certificate does not chain to -trustBundle %s:"
            + " give the agent the server's bundle (`server bundle show` on the server's host)";
    static final String NO_TRUST_BUNDLE =
            "a join token needs -trustBundle (the server's CA certificates, PEM) " + "to verify the server";

    private AgentIdentityBootstrap() {}

    /**
     * Refuses {@code -rebootstrap} without evidence to attest with: checked before anything else, since
     * the agent would otherwise quietly resume the identity it was told to replace.
     *
     * @throws FailedPreconditionException if {@link AgentConfig#rebootstrap()} is set and the attestor has no evidence
     */
    public static void checkRebootstrap(AgentConfig config, NodeAttestor attestor) {
        if (config.rebootstrap() && attestor.payload().isEmpty()) {
            throw new FailedPreconditionException(REBOOTSTRAP_WITHOUT_EVIDENCE);
        }
    }

    /**
     * The stored identity, or a new one from node attestation.
     *
     * @throws FailedPreconditionException if nothing valid is stored and the attestor has no evidence
     * @throws InvalidArgumentException if attesting needs a trust bundle that is missing or unreadable
     * @throws io.meshca.common.error.MeshcaException with the server's reason if it refuses the evidence
     */
    public static AgentCredentials obtain(
            AgentConfig config, NodeAttestor attestor, AgentSvidStore store, Clock clock, Duration callTimeout) {
        Optional<byte[]> evidence = attestor.payload();
        if (config.rebootstrap()) {
            return rebootstrap(config, attestor, evidence, store, clock, callTimeout);
        }
        var stored = store.load();
        if (stored.isPresent() && !stored.get().svid().isExpiredAt(clock.instant())) {
            var svid = stored.get().svid();
            log.info(
                    "resuming the stored agent identity {} (serial {}, expires {}) from {}",
                    svid.spiffeId(),
                    svid.serial(),
                    svid.notAfter(),
                    store.dir());
            if (evidence.isPresent() && !attestor.canReattest()) {
                // The operator may believe the token re-attested this agent; it did not, and it stays
                // usable on the server until it expires. (Evidence the node has at every start, such
                // as a service-account token, is simply kept for later.)
                log.warn(
                        "the {} was NOT used: agent {} (expires {}) resumes its stored identity;"
                                + " to attest again with it, restart with -rebootstrap",
                        evidenceName(attestor),
                        svid.spiffeId(),
                        svid.notAfter());
            }
            return new AgentCredentials(svid, stored.get().bundle(), clock);
        }
        if (stored.isPresent()) {
            var svid = stored.get().svid();
            if (evidence.isEmpty()) {
                throw new FailedPreconditionException(String.format(EXPIRED, svid.spiffeId(), svid.notAfter()));
            }
            log.warn(
                    "the stored agent SVID {} expired at {}; attesting again with {}",
                    svid.spiffeId(),
                    svid.notAfter(),
                    attestor.type());
        }
        byte[] payload =
                evidence.orElseThrow(() -> new FailedPreconditionException(String.format(NO_TOKEN, store.dir())));
        return attestAndStore(config, attestor, payload, store, clock, callTimeout);
    }

    /** {@code agent run -rebootstrap}: attest even though an identity is stored; it is replaced on success only. */
    private static AgentCredentials rebootstrap(
            AgentConfig config,
            NodeAttestor attestor,
            Optional<byte[]> evidence,
            AgentSvidStore store,
            Clock clock,
            Duration callTimeout) {
        byte[] payload = evidence.orElseThrow(() -> new FailedPreconditionException(REBOOTSTRAP_WITHOUT_EVIDENCE));
        Optional<AgentSvidStore.Stored> stored;
        try {
            stored = store.load();
        } catch (RuntimeException e) {
            stored = Optional.empty(); // an unreadable identity is what -rebootstrap is there to replace
        }
        stored.ifPresentOrElse(
                s -> log.info(
                        "-rebootstrap: attesting with {} to replace the stored agent identity {} (expires {})",
                        attestor.type(),
                        s.svid().spiffeId(),
                        s.svid().notAfter()),
                () -> log.info("-rebootstrap: no usable agent identity is stored; attesting with {}", attestor.type()));
        return attestAndStore(config, attestor, payload, store, clock, callTimeout);
    }

    private static AgentCredentials attestAndStore(
            AgentConfig config,
            NodeAttestor attestor,
            byte[] payload,
            AgentSvidStore store,
            Clock clock,
            Duration callTimeout) {
        Path bundleFile = config.trustBundle().orElseThrow(() -> new InvalidArgumentException(NO_TRUST_BUNDLE));
        List<X509Certificate> anchors = readTrustBundle(bundleFile);
        ServerClient.Attested attested;
        try {
            attested = attest(config, attestor, payload, () -> anchors, callTimeout);
        } catch (UnavailableException e) {
            if (TlsFailures.certificatePathRejected(e)) {
                throw new InvalidArgumentException(String.format(WRONG_TRUST_BUNDLE, bundleFile), e);
            }
            throw e;
        }
        store.save(attested.svid(), attested.bundle());
        log.info(
                "node attestation done: agent ID {} (serial {}, expires {})",
                attested.svid().spiffeId(),
                attested.svid().serial(),
                attested.svid().notAfter());
        return new AgentCredentials(attested.svid(), attested.bundle(), clock);
    }

    /**
     * Attests a running agent again, once its SVID expired, with fresh evidence from its node attestor;
     * the server is verified with {@code authorities}, the bundle the agent holds now. The caller
     * stores and uses the result.
     *
     * @throws FailedPreconditionException if the attestor cannot attest again ({@link NodeAttestor#canReattest})
     *     or has no evidence
     * @throws io.meshca.common.error.MeshcaException with the server's reason if it refuses the evidence
     */
    public static ServerClient.Attested reattest(
            AgentConfig config,
            NodeAttestor attestor,
            Supplier<List<X509Certificate>> authorities,
            Duration callTimeout) {
        if (!attestor.canReattest()) {
            throw new FailedPreconditionException(String.format(CANNOT_REATTEST, attestor.type()));
        }
        byte[] payload = attestor.payload()
                .orElseThrow(() -> new FailedPreconditionException(String.format(CANNOT_REATTEST, attestor.type())));
        return attest(config, attestor, payload, authorities, callTimeout);
    }

    private static ServerClient.Attested attest(
            AgentConfig config,
            NodeAttestor attestor,
            byte[] payload,
            Supplier<List<X509Certificate>> authorities,
            Duration callTimeout) {
        ManagedChannel channel = ServerChannels.attestation(config.servers(), config.trustDomain(), authorities);
        try {
            KeyPair key = Keys.generateEcP256();
            ServerClient.Attested attested = new ServerClient(channel, channel, callTimeout)
                    .attest(attestor.type(), payload, key, attestor::respond);
            if (!attested.bundle().trustDomain().equals(config.trustDomain())) {
                throw new InvalidArgumentException(
                        "the server sent the bundle of " + attested.bundle().trustDomain()
                                + ", but this agent is configured for " + config.trustDomain());
            }
            return attested;
        } finally {
            ServerChannels.shutdown(channel);
        }
    }

    /** "join token" for join_token, else "{type} evidence": what the operator handed in. */
    private static String evidenceName(NodeAttestor attestor) {
        return JoinTokenAttestor.TYPE.equals(attestor.type()) ? "join token" : attestor.type() + " evidence";
    }

    private static List<X509Certificate> readTrustBundle(Path file) {
        String text = TextFiles.readPem(file, "trust bundle");
        try {
            return Pem.decodeCertificates(text);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException(
                    "the trust bundle " + file + " is not PEM certificates: " + e.getMessage());
        }
    }
}
