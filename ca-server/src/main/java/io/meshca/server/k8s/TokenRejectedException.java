package io.meshca.server.k8s;

/**
 * Why a bearer token was not accepted, in words fit for the server log (never the token itself). The
 * caller is told only that it is unauthenticated.
 */
public final class TokenRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    public TokenRejectedException(String reason) {
        super(reason, null, false, false);
    }
}
