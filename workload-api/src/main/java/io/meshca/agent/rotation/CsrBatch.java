package io.meshca.agent.rotation;

import io.meshca.agent.cache.AuthorizedEntry;
import io.meshca.agent.cache.IssuedSvid;
import io.meshca.common.crypto.CryptoProvider;
import io.meshca.common.pki.Csrs;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One signing call for a batch of entries: a fresh EC P-256 key per entry, its CSR, and the SVIDs that
 * come back paired with their keys. Keys and CSRs are made by the process's {@link CryptoProvider}: an
 * agent re-issuing everything after a taint makes thousands at once.
 */
final class CsrBatch {

    private static final Logger log = LoggerFactory.getLogger(CsrBatch.class);

    /**
     * What one call brought: the SVIDs issued, and the entries that got none.
     *
     * @param callError why the call itself failed (then every entry failed), or empty; the caller
     *     reports it together with its retry
     */
    record Outcome(List<IssuedSvid> issued, List<AuthorizedEntry> failed, Optional<RuntimeException> callError) {
        Outcome {
            issued = List.copyOf(issued);
            failed = List.copyOf(failed);
            Objects.requireNonNull(callError, "callError");
        }
    }

    private CsrBatch() {}

    /**
     * Signs one batch. Never throws for the server's sake: a failed call fails every entry of the
     * batch, a refused entry fails alone.
     */
    static Outcome sign(SvidSigner signer, List<AuthorizedEntry> batch, CryptoProvider crypto) {
        Map<String, KeyPair> keys = new HashMap<>();
        List<SvidSigner.Request> requests = new ArrayList<>(batch.size());
        for (AuthorizedEntry entry : batch) {
            KeyPair key = crypto.generateEcP256();
            keys.put(entry.id(), key);
            requests.add(new SvidSigner.Request(entry.id(), Csrs.create(key, crypto)));
        }
        List<SvidSigner.Result> results;
        try {
            results = signer.sign(requests);
        } catch (RuntimeException e) {
            return new Outcome(List.of(), batch, Optional.of(e));
        }
        List<IssuedSvid> issued = new ArrayList<>(batch.size());
        List<AuthorizedEntry> failed = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            AuthorizedEntry entry = batch.get(i);
            SvidSigner.Result result = i < results.size() ? results.get(i) : null;
            if (result == null || !result.ok() || !result.entryId().equals(entry.id())) {
                failed.add(entry);
                log.warn(
                        "no SVID for entry {} ({}): {}",
                        entry.id(),
                        entry.spiffeId(),
                        result == null ? "missing from the server's answer" : result.error());
                continue;
            }
            issued.add(new IssuedSvid(
                    entry.id(),
                    entry.spiffeId(),
                    result.chain(),
                    keys.get(entry.id()).getPrivate(),
                    entry.hint()));
        }
        return new Outcome(issued, failed, Optional.empty());
    }
}
