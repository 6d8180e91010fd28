package io.meshca.server.ca.keys.pkcs11;

import java.nio.file.Path;

/**
 * The SunPKCS11 configuration of one key manager, passed inline ({@code Provider.configure("--...")}),
 * so no file with the module's path and slot is left lying around.
 *
 * <p>The {@code attributes} lines are the point: they are the template of every key pair this provider
 * generates. Private keys are token objects (they outlive the process), private to a logged-in user,
 * sensitive and never extractable (the token refuses to reveal or export them, even wrapped), and may
 * sign but not decrypt, unwrap or derive (a CA key has one job). Public keys stay session objects: the
 * public key is kept in the placeholder certificate stored beside the private key.
 */
final class SunPkcs11Config {

    private SunPkcs11Config() {}

    /**
     * @param name the provider's name suffix (SunPKCS11-{@code name}), unique in the process
     * @param library the module, an absolute path already checked for line breaks and {@code ${}
     * @param slotId the token's slot
     */
    static String inline(String name, Path library, long slotId) {
        return "--" + """
                name = %s
                library = %s
                slot = %d
                attributes(generate, CKO_PRIVATE_KEY, *) = {
                  CKA_TOKEN = true
                  CKA_PRIVATE = true
                  CKA_SENSITIVE = true
                  CKA_EXTRACTABLE = false
                  CKA_SIGN = true
                }
                attributes(generate, CKO_PRIVATE_KEY, CKK_EC) = {
                  CKA_DERIVE = false
                }
                attributes(generate, CKO_PRIVATE_KEY, CKK_RSA) = {
                  CKA_DECRYPT = false
                  CKA_UNWRAP = false
                  CKA_SIGN_RECOVER = false
                }
                attributes(generate, CKO_PUBLIC_KEY, *) = {
                  CKA_TOKEN = false
                }
                """.formatted(name, library, slotId);
    }
}
