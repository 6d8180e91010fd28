/**
 * The keyManager plugin kind: where the CA's private keys live (disk: PKCS#8 files, 0600; memory:
 * lost at exit; pkcs11, on a token, in the subpackage). Callers sign with a key; they never read it.
 */
package io.meshca.server.ca.keys;
