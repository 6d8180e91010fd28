package io.meshca.server.ca.signing;

/**
 * Just enough DER to find an element's bytes inside an encoding that Bouncy Castle has already parsed,
 * so that signed bytes can be checked as received instead of re-encoded.
 */
final class Der {

    private static final int SEQUENCE = 0x30;

    private Der() {}

    /**
     * {offset, length} of the whole first element (tag, length and content) inside the outer SEQUENCE
     * that spans all of {@code der}; null if the encoding is not plain definite-length DER.
     */
    static int[] firstElementOfSequence(byte[] der) {
        if (der.length < 2 || (der[0] & 0xff) != SEQUENCE) {
            return null;
        }
        long[] outer = length(der, 1);
        if (outer == null || outer[1] + outer[0] != der.length) {
            return null;
        }
        int start = (int) outer[1];
        if (start + 2 > der.length) {
            return null;
        }
        long[] inner = length(der, start + 1);
        if (inner == null || inner[1] + inner[0] > der.length) {
            return null;
        }
        return new int[] {start, (int) (inner[1] + inner[0] - start)};
    }

    /** {content length, offset of the content} for the length octets at {@code at}; null if indefinite or too long. */
    private static long[] length(byte[] der, int at) {
        if (at >= der.length) {
            return null;
        }
        int first = der[at] & 0xff;
        if (first < 0x80) {
            return new long[] {first, at + 1};
        }
        int octets = first & 0x7f;
        if (octets == 0 || octets > 3 || at + 1 + octets > der.length) {
            return null;
        }
        long value = 0;
        for (int i = 0; i < octets; i++) {
            value = (value << 8) | (der[at + 1 + i] & 0xff);
        }
        return new long[] {value, at + 1 + octets};
    }

    /**
     * A certificate's DER from its parts, as RFC 5280 lays it out: SEQUENCE { tbsCertificate,
     * signatureAlgorithm, BIT STRING signature } — the TBS bytes are the ones that were signed.
     */
    static byte[] certificate(byte[] tbs, byte[] algorithmIdentifier, byte[] signature) {
        int bitStringContent = signature.length + 1;
        int bitString = 1 + lengthOctets(bitStringContent) + bitStringContent;
        int content = tbs.length + algorithmIdentifier.length + bitString;
        byte[] out = new byte[1 + lengthOctets(content) + content];
        int at = 0;
        out[at++] = SEQUENCE;
        at = writeLength(out, at, content);
        System.arraycopy(tbs, 0, out, at, tbs.length);
        at += tbs.length;
        System.arraycopy(algorithmIdentifier, 0, out, at, algorithmIdentifier.length);
        at += algorithmIdentifier.length;
        out[at++] = 0x03;
        at = writeLength(out, at, bitStringContent);
        out[at++] = 0; // no unused bits
        System.arraycopy(signature, 0, out, at, signature.length);
        return out;
    }

    private static int lengthOctets(int length) {
        return length < 0x80 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 4;
    }

    private static int writeLength(byte[] out, int at, int length) {
        int octets = lengthOctets(length) - 1;
        if (octets == 0) {
            out[at++] = (byte) length;
            return at;
        }
        out[at++] = (byte) (0x80 | octets);
        for (int i = octets - 1; i >= 0; i--) {
            out[at++] = (byte) (length >>> (8 * i));
        }
        return at;
    }
}
