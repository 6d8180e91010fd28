package io.meshca.agent.attestation.workload;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a {@code java} command line launches: a main class ({@code java [options] Main args}) or a jar
 * ({@code java [options] -jar app.jar args}). Two JVMs run by one user share uid, path and sha256; the
 * launched program is what tells them apart.
 *
 * @param mainClass the main class (or source file), if launched that way
 * @param jarFileName the file name (no directory) of the {@code -jar} argument, if launched that way
 */
public record JavaCommandLine(Optional<String> mainClass, Optional<String> jarFileName) {

    /** Launcher options whose value is the next argument (the {@code --opt=value} forms need no entry). */
    private static final Set<String> OPTIONS_WITH_VALUE = Set.of(
            "-cp",
            "-classpath",
            "--class-path",
            "-p",
            "--module-path",
            "--upgrade-module-path",
            "--add-modules",
            "--add-opens",
            "--add-exports",
            "--add-reads",
            "--patch-module",
            "--limit-modules",
            "--enable-native-access",
            "--source",
            "-d",
            "--describe-module");

    /** Options after which the rest is a module launch, not a class or jar. */
    private static final Set<String> MODULE_LAUNCH = Set.of("-m", "--module");

    private static final JavaCommandLine NEITHER = new JavaCommandLine(Optional.empty(), Optional.empty());

    public JavaCommandLine {
        mainClass = mainClass.filter(s -> !s.isEmpty());
        jarFileName = jarFileName.filter(s -> !s.isEmpty());
    }

    /**
     * Parses a process's arguments ({@code argv[0]} included). Returns neither for a process that is
     * not a {@code java} launcher, a module launch or a command line without a main class.
     */
    public static JavaCommandLine parse(List<String> argv) {
        if (argv.isEmpty() || !isJavaLauncher(argv.get(0))) {
            return NEITHER;
        }
        for (int i = 1; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (arg.equals("-jar")) {
                return i + 1 < argv.size() ? ofJar(argv.get(i + 1)) : NEITHER;
            }
            if (MODULE_LAUNCH.contains(arg) || arg.startsWith("--module=")) {
                return NEITHER;
            }
            if (OPTIONS_WITH_VALUE.contains(arg)) {
                i++;
                continue;
            }
            if (arg.startsWith("-") || arg.startsWith("@")) {
                // -Dk=v, -Xmx1g, --add-opens=..., @argfiles: none names the program
                continue;
            }
            return new JavaCommandLine(Optional.of(arg), Optional.empty());
        }
        return NEITHER;
    }

    private static JavaCommandLine ofJar(String jar) {
        Path fileName = Path.of(jar).getFileName();
        return new JavaCommandLine(
                Optional.empty(), Optional.ofNullable(fileName).map(Path::toString));
    }

    private static boolean isJavaLauncher(String argv0) {
        Path fileName = Path.of(argv0).getFileName();
        return fileName != null && fileName.toString().equals("java");
    }
}
