package io.meshca.common.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the current identity from a supplier at every handshake, so a rotated SVID is used without
 * rebuilding the SslContext. The JSSE asks for the alias, then separately for key and chain; the alias
 * names one snapshot (by the leaf's serial) so that a rotation between the two calls can never pair a
 * new key with an old chain.
 */
public final class SvidKeyManager extends X509ExtendedKeyManager {

    private static final int REMEMBERED_SNAPSHOTS = 4;

    private final Supplier<TlsIdentity> identity;
    /** The last few snapshots handed out, newest kept; an in-flight handshake finds its own. */
    private final Map<String, TlsIdentity> snapshots = Collections.synchronizedMap(new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TlsIdentity> eldest) {
            return size() > REMEMBERED_SNAPSHOTS;
        }
    });

    public SvidKeyManager(Supplier<TlsIdentity> identity) {
        this.identity = Objects.requireNonNull(identity, "identity");
    }

    private String currentAlias(String... keyTypes) {
        TlsIdentity current = identity.get();
        if (current == null || !matches(current.privateKey(), keyTypes)) {
            return null;
        }
        String alias = "svid-" + current.leaf().getSerialNumber().toString(16);
        snapshots.put(alias, current);
        return alias;
    }

    private static boolean matches(PrivateKey key, String... keyTypes) {
        if (keyTypes == null || keyTypes.length == 0) {
            return true;
        }
        String algorithm = key.getAlgorithm();
        for (String type : keyTypes) {
            if (type == null) {
                continue;
            }
            // TLS 1.3 asks for "EC" / "RSA" / "RSASSA-PSS"; TLS 1.2 for "EC_EC", "ECDHE_ECDSA" etc.
            if (type.equals(algorithm)
                    || type.startsWith(algorithm)
                    || type.endsWith(algorithm)
                    || ("EC".equals(algorithm) && type.contains("ECDSA"))
                    || ("RSA".equals(algorithm) && type.startsWith("RSASSA"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return currentAlias(keyTypes);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return currentAlias(keyType);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return currentAlias(keyTypes);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return currentAlias(keyType);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        String alias = currentAlias(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return getClientAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        TlsIdentity snapshot = alias == null ? null : snapshots.get(alias);
        return snapshot == null ? null : snapshot.chain().toArray(new X509Certificate[0]);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        TlsIdentity snapshot = alias == null ? null : snapshots.get(alias);
        return snapshot == null ? null : snapshot.privateKey();
    }
}
