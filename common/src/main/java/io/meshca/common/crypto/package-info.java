/**
 * The JCA provider meshca signs and generates keys with, chosen once per process: Conscrypt where its
 * native library loads, else the JDK's own. TLS keeps the JDK's defaults.
 */
package io.meshca.common.crypto;
