package io.meshca.server.api.admin;

import io.grpc.ManagedChannel;
import io.grpc.stub.AbstractStub;
import io.meshca.common.bundle.SpiffeBundle;
import io.meshca.common.grpc.UnixSockets;
import io.meshca.common.pki.Pem;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.proto.server.v1.AgentsGrpc;
import io.meshca.proto.server.v1.BanAgentRequest;
import io.meshca.proto.server.v1.Bundle;
import io.meshca.proto.server.v1.BundlesGrpc;
import io.meshca.proto.server.v1.CreateEntryRequest;
import io.meshca.proto.server.v1.DeleteEntryRequest;
import io.meshca.proto.server.v1.DeleteFederatedBundleRequest;
import io.meshca.proto.server.v1.EntriesGrpc;
import io.meshca.proto.server.v1.Entry;
import io.meshca.proto.server.v1.FederationGrpc;
import io.meshca.proto.server.v1.GenerateJoinTokenRequest;
import io.meshca.proto.server.v1.GetBundleRequest;
import io.meshca.proto.server.v1.GetEntryRequest;
import io.meshca.proto.server.v1.GetLocalAuthorityStateRequest;
import io.meshca.proto.server.v1.JoinTokensGrpc;
import io.meshca.proto.server.v1.ListFederatedBundlesRequest;
import io.meshca.proto.server.v1.ListFederationRelationshipsRequest;
import io.meshca.proto.server.v1.LocalAuthorityGrpc;
import io.meshca.proto.server.v1.LocalAuthorityRequest;
import io.meshca.proto.server.v1.PrepareLocalAuthorityRequest;
import io.meshca.proto.server.v1.SetFederatedBundleRequest;
import io.meshca.proto.server.v1.UpdateEntryRequest;
import io.meshca.proto.server.v1.UpstreamAuthorityGrpc;
import io.meshca.proto.server.v1.UpstreamAuthorityRequest;
import io.meshca.server.api.convert.AuthorityProtos;
import io.meshca.server.api.convert.BundleProtos;
import io.meshca.server.api.convert.EntryProtos;
import io.meshca.server.api.convert.FederationRelationshipProtos;
import io.meshca.server.model.FederationRelationship;
import io.meshca.server.model.LocalX509Authority;
import io.meshca.server.model.RegistrationEntry;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The admin API of a running server, over its unix socket, in domain values: what the CLI does with
 * the same generated stubs, for programs that drive a server (the benches, the test fixtures). Each
 * call has a deadline of {@link #DEADLINE}; a refusal surfaces as the server's
 * {@link io.grpc.StatusRuntimeException}. Thread-safe; {@link #close()} shuts the channel.
 */
public final class AdminClient implements AutoCloseable {

    /** The deadline of every call: a hung server must not hang its caller. */
    public static final Duration DEADLINE = Duration.ofSeconds(30);

    private final ManagedChannel channel;

    private AdminClient(ManagedChannel channel) {
        this.channel = channel;
    }

    /** A client of the server whose admin socket is {@code socket}; it connects at the first call. */
    public static AdminClient connect(Path socket) {
        return new AdminClient(UnixSockets.channel(socket));
    }

    /** Creates an entry from a draft (no id, revision 0); returns it as stored. */
    public RegistrationEntry createEntry(RegistrationEntry draft) {
        return entry(withDeadline(EntriesGrpc.newBlockingStub(channel))
                .createEntry(CreateEntryRequest.newBuilder()
                        .setEntry(EntryProtos.toProto(draft))
                        .build()));
    }

    /** Shorthand: an entry with a TTL (zero = server default) and no DNS names. */
    public RegistrationEntry createEntry(
            SpiffeId spiffeId, SpiffeId parentId, SelectorSet selectors, Duration x509SvidTtl) {
        return createEntry(
                RegistrationEntry.draft(spiffeId, parentId, selectors).withX509SvidTtl(x509SvidTtl));
    }

    public RegistrationEntry getEntry(String id) {
        return entry(withDeadline(EntriesGrpc.newBlockingStub(channel))
                .getEntry(GetEntryRequest.newBuilder().setId(id).build()));
    }

    /** Replaces the stored entry with the same id; returns it with its new revision. */
    public RegistrationEntry updateEntry(RegistrationEntry entry) {
        return entry(withDeadline(EntriesGrpc.newBlockingStub(channel))
                .updateEntry(UpdateEntryRequest.newBuilder()
                        .setEntry(EntryProtos.toProto(entry))
                        .build()));
    }

    public void deleteEntry(String id) {
        withDeadline(EntriesGrpc.newBlockingStub(channel))
                .deleteEntry(DeleteEntryRequest.newBuilder().setId(id).build());
    }

    /**
     * A join token (the secret) valid for {@code ttl} (whole seconds); with a node alias, the server
     * also creates the alias entry selecting the agent that redeems it.
     */
    public String generateJoinToken(Duration ttl, Optional<SpiffeId> nodeAlias) {
        GenerateJoinTokenRequest.Builder request =
                GenerateJoinTokenRequest.newBuilder().setTtlSeconds(Math.toIntExact(ttl.toSeconds()));
        nodeAlias.ifPresent(id -> request.setSpiffeId(id.toString()));
        return withDeadline(JoinTokensGrpc.newBlockingStub(channel))
                .generateJoinToken(request.build())
                .getToken();
    }

    /** The server's own bundle: its X.509 authorities and the JWT signing keys it publishes. */
    public SpiffeBundle bundle() {
        return bundle(
                withDeadline(BundlesGrpc.newBlockingStub(channel)).getBundle(GetBundleRequest.getDefaultInstance()));
    }

    /** The X.509 authorities of the server's bundle, in the server's order. */
    public List<X509Certificate> trustBundle() {
        return bundle().x509Authorities();
    }

    /** The PEM of the X.509 authorities: what an agent takes as {@code -trustBundle}. */
    public String trustBundlePem() {
        return Pem.encodeCertificates(trustBundle());
    }

    /** Refuses the agent any further SVID, renewal or attestation until it is evicted. */
    public void banAgent(SpiffeId agentId) {
        withDeadline(AgentsGrpc.newBlockingStub(channel))
                .banAgent(BanAgentRequest.newBuilder()
                        .setSpiffeId(agentId.toString())
                        .build());
    }

    /** The bundles of other trust domains the server holds. */
    public List<SpiffeBundle> federatedBundles() {
        return withDeadline(BundlesGrpc.newBlockingStub(channel))
                .listFederatedBundles(ListFederatedBundlesRequest.getDefaultInstance())
                .getBundlesList()
                .stream()
                .map(AdminClient::bundle)
                .toList();
    }

    public Optional<SpiffeBundle> federatedBundle(TrustDomain trustDomain) {
        return federatedBundles().stream()
                .filter(b -> b.trustDomain().equals(trustDomain))
                .findFirst();
    }

    /** Creates or replaces the bundle of {@code bundle.trustDomain()}, held to the server's rules. */
    public void setFederatedBundle(SpiffeBundle bundle) {
        withDeadline(BundlesGrpc.newBlockingStub(channel))
                .setFederatedBundle(SetFederatedBundleRequest.newBuilder()
                        .setBundle(BundleProtos.toProto(bundle))
                        .build());
    }

    public void deleteFederatedBundle(TrustDomain trustDomain) {
        withDeadline(BundlesGrpc.newBlockingStub(channel))
                .deleteFederatedBundle(DeleteFederatedBundleRequest.newBuilder()
                        .setTrustDomain(trustDomain.name())
                        .build());
    }

    /**
     * Creates a relationship; {@code bootstrap} is the foreign bundle to start from (an
     * {@code https_spiffe} endpoint is authenticated with it).
     */
    public FederationRelationship createFederationRelationship(
            FederationRelationship relationship, Optional<SpiffeBundle> bootstrap) {
        var request = FederationRelationshipProtos.toProto(relationship).toBuilder();
        bootstrap.ifPresent(b -> request.setTrustDomainBundle(BundleProtos.toProto(b)));
        return FederationRelationshipProtos.fromProto(
                withDeadline(FederationGrpc.newBlockingStub(channel)).createFederationRelationship(request.build()));
    }

    public List<FederationRelationship> federationRelationships() {
        return withDeadline(FederationGrpc.newBlockingStub(channel))
                .listFederationRelationships(ListFederationRelationshipsRequest.getDefaultInstance())
                .getRelationshipsList()
                .stream()
                .map(FederationRelationshipProtos::fromProto)
                .toList();
    }

    public Optional<FederationRelationship> federationRelationship(TrustDomain trustDomain) {
        return federationRelationships().stream()
                .filter(r -> r.trustDomain().equals(trustDomain))
                .findFirst();
    }

    /** The server's X.509 CAs still valid: PREPARED, ACTIVE, then OLD ones newest first. */
    public List<LocalX509Authority> x509Authorities() {
        return withDeadline(LocalAuthorityGrpc.newBlockingStub(channel))
                .getX509AuthorityState(GetLocalAuthorityStateRequest.getDefaultInstance())
                .getAuthoritiesList()
                .stream()
                .map(AuthorityProtos::x509FromProto)
                .toList();
    }

    /** Creates a CA and publishes it as PREPARED; refused while another is prepared. */
    public LocalX509Authority prepareX509Authority() {
        return AuthorityProtos.x509FromProto(withDeadline(LocalAuthorityGrpc.newBlockingStub(channel))
                .prepareX509Authority(PrepareLocalAuthorityRequest.getDefaultInstance()));
    }

    /** Makes the prepared CA active (the active one becomes OLD); refused for any other CA. */
    public LocalX509Authority activateX509Authority(String authorityId) {
        return AuthorityProtos.x509FromProto(
                withDeadline(LocalAuthorityGrpc.newBlockingStub(channel)).activateX509Authority(local(authorityId)));
    }

    /** Taints an OLD CA: agents re-issue every SVID it signed. */
    public LocalX509Authority taintX509Authority(String authorityId) {
        return AuthorityProtos.x509FromProto(
                withDeadline(LocalAuthorityGrpc.newBlockingStub(channel)).taintX509Authority(local(authorityId)));
    }

    /** Removes a tainted CA from the bundle. */
    public LocalX509Authority revokeX509Authority(String authorityId) {
        return AuthorityProtos.x509FromProto(
                withDeadline(LocalAuthorityGrpc.newBlockingStub(channel)).revokeX509Authority(local(authorityId)));
    }

    /** Taints an upstream root (by its subject key identifier): agents re-issue every SVID chained to it. */
    public void taintUpstreamAuthority(String subjectKeyId) {
        withDeadline(UpstreamAuthorityGrpc.newBlockingStub(channel)).taintUpstreamAuthority(upstream(subjectKeyId));
    }

    /** Removes a tainted upstream root from the bundle for good. */
    public void revokeUpstreamAuthority(String subjectKeyId) {
        withDeadline(UpstreamAuthorityGrpc.newBlockingStub(channel)).revokeUpstreamAuthority(upstream(subjectKeyId));
    }

    @Override
    public void close() {
        UnixSockets.shutdown(channel);
    }

    private static <S extends AbstractStub<S>> S withDeadline(S stub) {
        return stub.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static LocalAuthorityRequest local(String authorityId) {
        return LocalAuthorityRequest.newBuilder().setAuthorityId(authorityId).build();
    }

    private static UpstreamAuthorityRequest upstream(String subjectKeyId) {
        return UpstreamAuthorityRequest.newBuilder()
                .setSubjectKeyId(subjectKeyId)
                .build();
    }

    /** An entry as the server returned it, with its id, revision and creation time. */
    private static RegistrationEntry entry(Entry proto) {
        return EntryProtos.fromProto(proto)
                .withIdentity(proto.getId(), proto.getRevision(), Instant.ofEpochSecond(proto.getCreatedAt()));
    }

    /** A bundle as the server sent it (no re-validation: it is the server's own view). */
    private static SpiffeBundle bundle(Bundle proto) {
        return new SpiffeBundle(
                TrustDomain.parse(proto.getTrustDomain()),
                BundleProtos.certificates(proto),
                BundleProtos.jwtAuthorities(proto),
                proto.getSequence(),
                Duration.ofSeconds(proto.getRefreshHintSeconds()));
    }
}
