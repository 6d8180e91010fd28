package io.meshca.agent.sds;

import io.meshca.common.error.InvalidArgumentException;
import io.meshca.common.spiffe.SpiffeId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The agent's SDS switches, named like SPIRE agent's {@code sds} block. The three names are the
 * resource names under which Envoy asks for the default SVID, the own trust domain's bundle and all
 * bundles; they must differ from each other and from any SPIFFE ID, which are names of their own.
 *
 * @param defaultSvidName resource name of the caller's default (first) SVID
 * @param defaultBundleName resource name of the own trust domain's bundle, as {@code trusted_ca}
 * @param allBundlesName resource name of the own and all federated bundles together
 * @param disableSpiffeCertValidation render federated and "all" bundles as plain {@code trusted_ca}
 *     instead of the configuration of Envoy's SPIFFE certificate validator (for Envoy before 1.18)
 */
public record SdsSettings(
        String defaultSvidName, String defaultBundleName, String allBundlesName, boolean disableSpiffeCertValidation) {

    public static final String DEFAULT_SVID_NAME = "default";
    public static final String DEFAULT_BUNDLE_NAME = "ROOTCA";
    public static final String DEFAULT_ALL_BUNDLES_NAME = "ALL";

    public static final SdsSettings DEFAULTS =
            new SdsSettings(DEFAULT_SVID_NAME, DEFAULT_BUNDLE_NAME, DEFAULT_ALL_BUNDLES_NAME, false);

    /** @throws InvalidArgumentException naming the setting that is empty, a SPIFFE ID, or used twice */
    public SdsSettings {
        requireName("sdsDefaultSvidName", defaultSvidName);
        requireName("sdsDefaultBundleName", defaultBundleName);
        requireName("sdsDefaultAllBundlesName", allBundlesName);
        Set<String> distinct = new HashSet<>(List.of(defaultSvidName, defaultBundleName, allBundlesName));
        if (distinct.size() != 3) {
            throw new InvalidArgumentException("sdsDefaultSvidName, sdsDefaultBundleName and sdsDefaultAllBundlesName"
                    + " must differ, got \"" + defaultSvidName + "\", \"" + defaultBundleName + "\", \""
                    + allBundlesName + "\"");
        }
    }

    private static void requireName(String setting, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidArgumentException(setting + " is empty");
        }
        if (value.startsWith(SpiffeId.SCHEME_PREFIX)) {
            throw new InvalidArgumentException(
                    setting + " \"" + value + "\" must not be a SPIFFE ID: SPIFFE IDs already name SVIDs and bundles");
        }
    }
}
