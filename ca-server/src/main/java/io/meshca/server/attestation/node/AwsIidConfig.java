package io.meshca.server.attestation.node;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.pki.Pem;
import io.meshca.common.plugin.PluginConfig;
import io.meshca.common.selector.AwsIidSelectors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code aws_iid} block.
 * <pre>
 * aws_iid:
 *   awsCertificatePath: /etc/meshca/aws-rsa2048.pem   # AWS's certificate(s) for the rsa2048 signature
 *   accountAllowList: ["123456789012"]                # optional; without it, any account
 *   allowReattestation: false                         # the default: an instance attests once (TOFU)
 *   maxDocumentAge: 10m                               # optional: refuse instances launched longer ago
 * </pre>
 *
 * @param accountAllowList the accounts whose instances may attest; empty: any
 * @param maxDocumentAge null: no limit
 */
public record AwsIidConfig(
        Path awsCertificatePath, Set<String> accountAllowList, boolean allowReattestation, Duration maxDocumentAge) {

    public static final String AWS_CERTIFICATE_PATH = "awsCertificatePath";
    public static final String ACCOUNT_ALLOW_LIST = "accountAllowList";
    public static final String ALLOW_REATTESTATION = "allowReattestation";
    public static final String MAX_DOCUMENT_AGE = "maxDocumentAge";

    public AwsIidConfig {
        Objects.requireNonNull(awsCertificatePath, "awsCertificatePath");
        accountAllowList = Set.copyOf(accountAllowList);
    }

    /**
     * Reads and checks an {@code aws_iid} block (the certificate file is read by {@link #certificates}).
     *
     * @throws InvalidArgumentException naming the key and what is wrong with it
     */
    public static AwsIidConfig from(PluginConfig block) {
        block.allowOnly(AWS_CERTIFICATE_PATH, ACCOUNT_ALLOW_LIST, ALLOW_REATTESTATION, MAX_DOCUMENT_AGE);
        String where = block.path() + ".";
        Path certificates = block.path(AWS_CERTIFICATE_PATH)
                .filter(p -> !p.toString().isBlank())
                .orElseThrow(() -> new InvalidArgumentException(where + AWS_CERTIFICATE_PATH
                        + " is required: a PEM file of AWS's public certificate(s) for the rsa2048 signature of"
                        + " instance identity documents"));
        List<String> accounts = block.strings(ACCOUNT_ALLOW_LIST);
        for (String account : accounts) {
            if (!AwsIidSelectors.ACCOUNT.matcher(account).matches()) {
                throw new InvalidArgumentException(
                        where + ACCOUNT_ALLOW_LIST + " entries are 12-digit AWS account IDs, got \"" + account + "\"");
            }
        }
        Duration maxAge = block.duration(MAX_DOCUMENT_AGE, null);
        if (maxAge != null && (maxAge.isZero() || maxAge.isNegative())) {
            throw new InvalidArgumentException(where + MAX_DOCUMENT_AGE + " must be positive");
        }
        return new AwsIidConfig(
                certificates, new LinkedHashSet<>(accounts), block.bool(ALLOW_REATTESTATION, false), maxAge);
    }

    /** The limit on the time since the instance was launched, if any. */
    public Optional<Duration> maxDocumentAgeLimit() {
        return Optional.ofNullable(maxDocumentAge);
    }

    /**
     * The certificates in {@link #awsCertificatePath}.
     *
     * @throws InvalidArgumentException naming the key and the file if it cannot be read or holds none
     */
    public List<X509Certificate> certificates() {
        String key = "plugins.nodeAttestor.aws_iid." + AWS_CERTIFICATE_PATH;
        List<X509Certificate> certificates;
        try {
            certificates = Pem.decodeCertificates(Files.readString(awsCertificatePath));
        } catch (IOException e) {
            throw new InvalidArgumentException(
                    "cannot read " + key + " " + awsCertificatePath + " ("
                            + e.getClass().getSimpleName() + ")",
                    e);
        } catch (RuntimeException e) {
            throw new InvalidArgumentException(
                    key + " " + awsCertificatePath + " is not a PEM file of certificates: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new InvalidArgumentException(key + " " + awsCertificatePath + " holds no certificate");
        }
        return certificates;
    }
}
