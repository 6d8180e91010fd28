/**
 * The {@code pkcs11} key manager: CA keys generated and kept on a PKCS#11 token (an HSM, or SoftHSM2),
 * reached through the JDK's SunPKCS11 provider. Private keys never leave the token; the process only
 * holds handles to them and asks the token to sign.
 */
package io.meshca.server.ca.keys.pkcs11;
