package io.meshca.server.attestation.node;

import io.meshca.common.config.Durations;
import io.meshca.common.error.PermissionDeniedException;
import io.meshca.common.logging.LogSafe;
import io.meshca.common.selector.AwsIidSelectors;
import io.meshca.common.spiffe.Selector;
import io.meshca.common.spiffe.SelectorSet;
import io.meshca.common.spiffe.SpiffeId;
import io.meshca.common.spiffe.TrustDomain;
import io.meshca.server.aws.DocumentRejectedException;
import io.meshca.server.aws.InstanceIdentityDocument;
import io.meshca.server.aws.InstanceIdentityVerifier;
import io.meshca.server.aws.SignedIdentityDocument;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attests an EC2 instance by its instance identity document and the PKCS#7 signature AWS made of it
 * (SPIRE's {@code aws_iid}); the payload is {@link SignedIdentityDocument}. The agent ID names the
 * instance, {@code spiffe://<td>/meshca/agent/aws_iid/<account>/<region>/<instance>}, and the selectors
 * are what the document says (account, region, zone, image, instance).
 *
 * <p>Trust on first use, as SPIRE: any process on the instance can read the document, and the document
 * never changes while the instance runs, so it is not a secret and cannot be made single-use. What stops
 * a second party is that an instance attests once: evidence for an agent ID already on record (not
 * evicted) is refused, unless {@code allowReattestation}. An agent that lost its identity is evicted by
 * an operator, who should ask why. {@code maxDocumentAge} narrows the window further: the document is
 * dated by the instance's launch ({@code pendingTime}), so a limit lets only newly launched instances
 * attest.
 *
 * <p>Why evidence is refused is logged here; the agent is told only {@link #REFUSED}.
 */
public final class AwsIidAttestor implements NodeAttestor {

    public static final String TYPE = AwsIidSelectors.TYPE;
    public static final String REFUSED = "aws_iid attestation refused";

    private static final Logger log = LoggerFactory.getLogger(AwsIidAttestor.class);

    private final TrustDomain trustDomain;
    private final AwsIidConfig config;
    private final InstanceIdentityVerifier verifier;
    private final AttestedAgents attested;
    private final Clock clock;

    public AwsIidAttestor(
            TrustDomain trustDomain,
            AwsIidConfig config,
            InstanceIdentityVerifier verifier,
            AttestedAgents attested,
            Clock clock) {
        this.trustDomain = trustDomain;
        this.config = config;
        this.verifier = verifier;
        this.attested = attested;
        this.clock = clock;
    }

    /** The attestor of {@code config}; the certificate file is read now, so that a broken one stops the start. */
    public static AwsIidAttestor create(
            TrustDomain trustDomain, AwsIidConfig config, AttestedAgents attested, Clock clock) {
        return new AwsIidAttestor(
                trustDomain, config, new InstanceIdentityVerifier(config.certificates()), attested, clock);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public AttestStep attest(byte[] payload) {
        SignedIdentityDocument evidence = SignedIdentityDocument.parse(payload);
        InstanceIdentityDocument document = InstanceIdentityDocument.parse(evidence.document());
        try {
            verifier.verify(evidence);
            check(document);
            SpiffeId agentId = agentId(document);
            if (!config.allowReattestation() && attested.isAttested(agentId)) {
                throw new DocumentRejectedException("instance already attested as " + agentId
                        + " (trust on first use: evict the agent to let it attest again)");
            }
            return new AttestStep.Attested(new AttestResult(agentId, selectors(document)));
        } catch (DocumentRejectedException e) {
            log.warn(
                    "aws_iid attestation refused for instance {} of account {} in {}: {}",
                    LogSafe.of(document.instanceId()),
                    LogSafe.of(document.accountId()),
                    LogSafe.of(document.region()),
                    e.getMessage());
            throw new PermissionDeniedException(REFUSED);
        }
    }

    private void check(InstanceIdentityDocument document) throws DocumentRejectedException {
        if (!config.accountAllowList().isEmpty() && !config.accountAllowList().contains(document.accountId())) {
            throw new DocumentRejectedException(
                    "account " + document.accountId() + " is not in " + AwsIidConfig.ACCOUNT_ALLOW_LIST);
        }
        if (config.maxDocumentAgeLimit().isPresent()) {
            Duration limit = config.maxDocumentAgeLimit().get();
            Instant now = clock.instant();
            if (document.pendingTime().plus(limit).isBefore(now)) {
                throw new DocumentRejectedException("the document is from " + document.pendingTime() + ", older than "
                        + AwsIidConfig.MAX_DOCUMENT_AGE + " " + Durations.format(limit));
            }
        }
    }

    private SpiffeId agentId(InstanceIdentityDocument d) {
        return trustDomain.withPath(
                "/meshca/agent/" + TYPE + "/" + d.accountId() + "/" + d.region() + "/" + d.instanceId());
    }

    private static SelectorSet selectors(InstanceIdentityDocument d) {
        return SelectorSet.of(
                selector(AwsIidSelectors.ACCOUNT_ID, d.accountId()),
                selector(AwsIidSelectors.REGION, d.region()),
                selector(AwsIidSelectors.AZ, d.availabilityZone()),
                selector(AwsIidSelectors.IMAGE_ID, d.imageId()),
                selector(AwsIidSelectors.INSTANCE_ID, d.instanceId()));
    }

    private static Selector selector(String key, String value) {
        return new Selector(TYPE, AwsIidSelectors.value(key, value));
    }
}
