package io.meshca.server.attestation.node;

import io.meshca.common.spiffe.SpiffeId;
import io.meshca.server.model.RegistrationEntry;
import io.meshca.server.registration.EntryValidator;
import io.meshca.server.registration.Registrar;
import java.time.Duration;
import java.util.Optional;

/**
 * Generates join tokens for the admin, optionally with a node alias: an entry with the alias's SPIFFE
 * ID, parented by the server, selecting the agent that redeems this token ({@code join_token:<id>}),
 * so that entries can name the alias as their parent.
 */
public final class JoinTokenIssuer {

    /** A token ID of the right form, to validate the alias before the real token exists. */
    private static final String PLACEHOLDER_ID = "0".repeat(24);

    private final JoinTokens tokens;
    private final Registrar registrar;
    private final EntryValidator validator;
    private final SpiffeId serverId;
    private final Duration defaultTtl;

    public JoinTokenIssuer(
            JoinTokens tokens, Registrar registrar, EntryValidator validator, SpiffeId serverId, Duration defaultTtl) {
        this.tokens = tokens;
        this.registrar = registrar;
        this.validator = validator;
        this.serverId = serverId;
        this.defaultTtl = defaultTtl;
    }

    public JoinToken generate(Optional<Duration> ttl, Optional<SpiffeId> nodeAlias) {
        // Validate the alias before a token exists, so bad input changes nothing.
        nodeAlias.ifPresent(alias ->
                validator.validate(RegistrationEntry.draft(alias, serverId, JoinTokens.selectors(PLACEHOLDER_ID))));
        JoinToken token = tokens.generate(ttl.orElse(defaultTtl));
        nodeAlias.ifPresent(
                alias -> registrar.create(RegistrationEntry.draft(alias, serverId, JoinTokens.selectors(token.id()))));
        return token;
    }
}
