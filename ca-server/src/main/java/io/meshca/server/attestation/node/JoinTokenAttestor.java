package io.meshca.server.attestation.node;

import java.nio.charset.StandardCharsets;

/** Attests a node by a join token: payload = the token (UTF-8); the agent gets selector join_token:&lt;token id&gt;. */
public final class JoinTokenAttestor implements NodeAttestor {

    private final JoinTokens tokens;

    public JoinTokenAttestor(JoinTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public String type() {
        return JoinTokens.TYPE;
    }

    @Override
    public AttestStep attest(byte[] payload) {
        String tokenId = tokens.redeem(new String(payload, StandardCharsets.UTF_8).trim());
        return new AttestStep.Attested(new AttestResult(tokens.agentId(tokenId), JoinTokens.selectors(tokenId)));
    }
}
