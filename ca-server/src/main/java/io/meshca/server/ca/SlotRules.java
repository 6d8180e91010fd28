package io.meshca.server.ca;

import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.error.NotFoundException;
import io.meshca.server.model.AuthorityStatus;
import java.util.Optional;

/**
 * SPIRE's rules for operator actions on local authorities, shared by X.509 CAs and JWT keys: activate
 * needs the prepared authority; only an OLD authority can be tainted; only a tainted one can be revoked.
 * Each refusal names the rule and what to do, and is thrown before anything changes.
 */
public final class SlotRules {

    private SlotRules() {}

    public static void checkPrepare(String kind, Optional<String> prepared) {
        if (prepared.isPresent()) {
            throw new FailedPreconditionException(kind + " authority " + prepared.get()
                    + " is already prepared; activate it before preparing another");
        }
    }

    public static void checkActivate(String kind, String id, Optional<String> prepared) {
        if (prepared.isEmpty()) {
            throw new FailedPreconditionException(
                    "no " + kind + " authority is prepared; run prepare first, then activate the ID it prints");
        }
        if (!prepared.get().equals(id)) {
            throw new FailedPreconditionException("only the prepared " + kind + " authority can be activated: " + id
                    + " is not it (prepared: " + prepared.get() + ")");
        }
    }

    public static void checkTaint(String kind, String id, AuthorityStatus status, boolean tainted) {
        if (status != AuthorityStatus.OLD) {
            throw new FailedPreconditionException("only an OLD " + kind + " authority can be tainted: " + id
                    + " is " + status
                    + (status == AuthorityStatus.ACTIVE
                            ? "; prepare and activate a new authority first"
                            : "; activate it and another after it, or let it be"));
        }
        if (tainted) {
            throw new FailedPreconditionException(kind + " authority " + id + " is already tainted");
        }
    }

    public static void checkRevoke(String kind, String id, boolean tainted) {
        if (!tainted) {
            throw new FailedPreconditionException("only a tainted " + kind + " authority can be revoked: " + id
                    + " is not tainted; taint it first so that every SVID it signed is re-issued");
        }
    }

    public static NotFoundException unknown(String kind, String id) {
        return new NotFoundException("no " + kind + " authority " + id + " in the bundle (see localauthority "
                + (kind.equals("JWT") ? "jwt" : "x509") + " show)");
    }
}
