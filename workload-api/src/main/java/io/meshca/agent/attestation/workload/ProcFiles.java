package io.meshca.agent.attestation.workload;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads the small {@code /proc/<pid>} files attestation needs ({@code stat}, {@code status},
 * {@code cmdline}) with as few system calls as Java allows: open, one read, close. The agent reads
 * four of them for every connection and call, and on a virtualised host each system call is a
 * visible share of the call's cost.
 *
 * <p>{@code Files.readAllBytes} also reads on until end of file, one more call each time. These files
 * do not need it: procfs generates them whole and hands over everything that fits in the caller's
 * buffer in one read, so a read that leaves the buffer part empty has returned the whole file. Only a
 * read that fills the buffer is followed by another.
 */
public final class ProcFiles {

    private static final int FIRST_READ = 4096;

    private ProcFiles() {}

    public static byte[] read(Path file) throws IOException {
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            byte[] buffer = new byte[FIRST_READ];
            int length = 0;
            while (true) {
                int n = in.read(buffer, length, buffer.length - length);
                if (n < 0) {
                    break;
                }
                length += n;
                if (length < buffer.length) {
                    break;
                }
                buffer = Arrays.copyOf(buffer, buffer.length * 2);
            }
            return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
        }
    }
}
