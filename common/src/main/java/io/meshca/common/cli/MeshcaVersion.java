package io.meshca.common.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The project version, as the build wrote it into {@code meshca-version.properties}. */
public final class MeshcaVersion {

    static final String RESOURCE = "meshca-version.properties";

    private static final String VERSION = read();

    private MeshcaVersion() {}

    /** The version, e.g. {@code 0.1.0-SNAPSHOT}; {@code unknown} when the classes were not built by Maven. */
    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = MeshcaVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            // An unfiltered copy (an IDE build that skipped Maven's resource filtering) says nothing true.
            return v.isBlank() || v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
