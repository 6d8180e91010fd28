package io.meshca.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What ./meshca says while it builds: one line per module from Maven's output, Maven's errors if the
 * build fails. Run on a copy of the launcher next to a stand-in {@code mvnw} that prints what Maven
 * prints.
 */
class LauncherBuildTest {

    private static final String MAVEN_OUTPUT = String.join(
            "\n",
            "[INFO] Scanning for projects...",
            "[INFO] Downloading from central: https://repo.maven.apache.org/maven2/x/y/1/y-1.pom",
            "[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/x/y/1/y-1.pom",
            "[INFO] ----------------------< io.meshca:meshca-parent >-----------------------",
            "[INFO] Building meshca 0.1.0-SNAPSHOT                                     [1/6]",
            "[INFO] Downloading from central: https://repo.maven.apache.org/maven2/x/z/1/z-1.jar",
            "[INFO] -----------------------< io.meshca:meshca-proto >-----------------------",
            "[INFO] Building meshca proto 0.1.0-SNAPSHOT                               [2/6]",
            "[INFO] --- compiler:3.13.0:compile (default-compile) @ meshca-proto ---",
            "[INFO] Building meshca workload-api (node agent) 0.1.0-SNAPSHOT           [5/6]",
            "[INFO] BUILD SUCCESS");

    @TempDir
    Path home;

    private Path launcher() throws IOException {
        Path copy = home.resolve("meshca");
        Files.copy(Path.of("..", "meshca"), copy, StandardCopyOption.COPY_ATTRIBUTES);
        return copy;
    }

    private void fakeMaven(String output, int exitCode) throws IOException {
        Path canned = home.resolve("maven-output.txt");
        Files.writeString(canned, output + "\n");
        Path mvnw = home.resolve("mvnw");
        Files.writeString(mvnw, "#!/bin/sh\ncat \"" + canned + "\"\nexit " + exitCode + "\n");
        Files.setPosixFilePermissions(mvnw, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Run(int exitCode, String stderr) {}

    private Run run(Path launcher, String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = launcher.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Path err = home.resolve("stderr.txt");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile());
        // the log of a failed build stays in the test's directory
        builder.environment().put("TMPDIR", home.toString());
        Process process = builder.start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void build_saysWhatItDoes_onceAModule() throws Exception {
        Path launcher = launcher();
        fakeMaven(MAVEN_OUTPUT, 0);

        Run run = run(launcher, "build");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stderr().lines().toList()).first().asString().startsWith("meshca: building meshca (");
        assertThat(run.stderr())
                .contains("meshca:   downloading Maven and the dependencies (first run only)\n"
                        + "meshca:   [1/6] meshca\n"
                        + "meshca:   [2/6] meshca proto\n"
                        + "meshca:   [5/6] meshca workload-api (node agent)\n"
                        + "meshca: built in ")
                .doesNotContain("[INFO]")
                .containsOnlyOnce("downloading");
    }

    @Test
    void failedBuild_showsMavensErrors_andExits1() throws Exception {
        Path launcher = launcher();
        fakeMaven(
                "[INFO] Building meshca proto 0.1.0-SNAPSHOT                               [2/6]\n"
                        + "[INFO] noise\n"
                        + "[ERROR] COMPILATION ERROR: Foo.java:[3,1] class, interface, enum, or record expected",
                1);

        Run run = run(launcher, "build");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr())
                .contains("meshca: build failed; Maven's errors:\n[ERROR] COMPILATION ERROR: Foo.java")
                .contains("meshca: the whole build log: ")
                .doesNotContain("[INFO] noise");
    }

    @Test
    void firstRun_saysSo() throws Exception {
        Path launcher = launcher();
        fakeMaven(MAVEN_OUTPUT, 0);

        // no jars: the first command builds, then fails to find its jar (the stand-in built nothing)
        Run run = run(launcher, "server", "-h");

        assertThat(run.stderr()).startsWith("meshca: building meshca (first run, 2-3 minutes)");
    }
}
