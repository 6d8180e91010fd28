package io.meshca.server.aws;

/**
 * Why an instance identity document was not accepted, in words fit for the server log (never the
 * signature). The agent is told only that its attestation was refused.
 */
public final class DocumentRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    public DocumentRejectedException(String reason) {
        super(reason, null, false, false);
    }
}
