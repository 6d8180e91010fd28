package io.meshca.agent.rotation;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/** What the rotator needs from the server: CSRs signed for entries, many per call. */
@FunctionalInterface
public interface SvidSigner {

    /**
     * Signs one CSR per request; the identity comes from the entry, never from the CSR.
     *
     * @return one result per request, in the same order; a failure of one does not fail the others
     * @throws io.meshca.common.error.MeshcaException if the call as a whole failed (server unreachable)
     */
    List<Result> sign(List<Request> requests);

    /** @param csr PKCS#10 DER */
    record Request(String entryId, byte[] csr) {
        public Request {
            Objects.requireNonNull(entryId, "entryId");
            csr = csr.clone();
        }

        @Override
        public byte[] csr() {
            return csr.clone();
        }
    }

    /** Either {@code chain} (leaf first) or {@code error} is set. */
    record Result(String entryId, List<X509Certificate> chain, String error) {
        public Result {
            Objects.requireNonNull(entryId, "entryId");
            chain = chain == null ? List.of() : List.copyOf(chain);
            if (chain.isEmpty() == (error == null)) {
                throw new IllegalArgumentException("a signing result has either a chain or an error");
            }
        }

        public static Result success(String entryId, List<X509Certificate> chain) {
            return new Result(entryId, chain, null);
        }

        public static Result failure(String entryId, String error) {
            return new Result(entryId, List.of(), error);
        }

        public boolean ok() {
            return error == null;
        }
    }
}
