package io.meshca.server.attestation.node;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.files.TextFiles;
import io.meshca.common.pki.Pem;
import io.meshca.common.plugin.PluginConfig;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * The {@code x509pop} block: the CAs whose node certificates the server accepts, and how an agent's ID is
 * made from its certificate.
 * <pre>
 * x509pop:
 *   caBundlePath: /etc/meshca/node-ca.pem            # required: PEM, the CAs node certificates chain to
 *   agentPathTemplate: /x509pop/{{fingerprint}}      # the default; also {{subject.cn}}, {{serialnumber}}
 * </pre>
 *
 * @param caBundle the certificates of {@code caBundlePath}, read when the config is
 */
public record X509PopConfig(Path caBundlePath, List<X509Certificate> caBundle, AgentPathTemplate agentPathTemplate) {

    public static final String CA_BUNDLE_PATH = "caBundlePath";
    public static final String AGENT_PATH_TEMPLATE = "agentPathTemplate";

    public X509PopConfig {
        Objects.requireNonNull(caBundlePath, "caBundlePath");
        Objects.requireNonNull(agentPathTemplate, "agentPathTemplate");
        caBundle = List.copyOf(caBundle);
        if (caBundle.isEmpty()) {
            throw new IllegalArgumentException("caBundle is empty");
        }
    }

    /**
     * Reads and checks an {@code x509pop} block, and reads its CA bundle.
     *
     * @throws InvalidArgumentException naming the key (or the file) and what is wrong with it
     */
    public static X509PopConfig from(PluginConfig block) {
        block.allowOnly(CA_BUNDLE_PATH, AGENT_PATH_TEMPLATE);
        String where = block.path() + ".";
        Path bundlePath = block.path(CA_BUNDLE_PATH)
                .filter(p -> !p.toString().isBlank())
                .orElseThrow(() -> new InvalidArgumentException(where + CA_BUNDLE_PATH
                        + " is required: a PEM file of the CA certificates node certificates chain to"));
        String what = "x509pop CA bundle (" + where + CA_BUNDLE_PATH + ")";
        List<X509Certificate> bundle;
        try {
            bundle = Pem.decodeCertificates(TextFiles.readPem(bundlePath, what));
        } catch (InvalidArgumentException e) {
            if (e.getMessage().contains(bundlePath.toString())) {
                throw e;
            }
            throw new InvalidArgumentException(what + " " + bundlePath + ": " + e.getMessage());
        }
        AgentPathTemplate template = AgentPathTemplate.parse(
                where + AGENT_PATH_TEMPLATE, block.string(AGENT_PATH_TEMPLATE).orElse(AgentPathTemplate.DEFAULT));
        return new X509PopConfig(bundlePath, bundle, template);
    }
}
