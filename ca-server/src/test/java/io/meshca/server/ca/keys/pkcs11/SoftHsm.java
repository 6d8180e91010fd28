package io.meshca.server.ca.keys.pkcs11;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshca.common.plugin.PluginConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Throwaway SoftHSM2 tokens for the PKCS#11 tests, one per purpose, in a token directory under target/.
 *
 * <p>SoftHSM reads its configuration (SOFTHSM2_CONF) and scans its tokens once, when the process first
 * loads it: a token created afterwards by softhsm2-util is invisible to this JVM, and a JVM cannot
 * change its own environment. So ca-server's surefire configuration starts the test JVM with
 * SOFTHSM2_CONF pointing to target/softhsm/softhsm2.conf, and the first test that needs a token writes
 * that file and creates every token (with softhsm2-util, given the same SOFTHSM2_CONF) before anything
 * loads the library. Tests share a token by purpose and {@link #wipe} it before each test.
 *
 * <p>Without SoftHSM2 (or outside Maven, where SOFTHSM2_CONF is not this build's) the tests skip, with
 * the reason, through a JUnit assumption: {@code ./mvnw verify} passes on a machine with only a JDK.
 */
final class SoftHsm {

    /** The user PIN of every test token (a test value: no real token ever sees it). */
    static final String PIN = "test-pin-4711";

    private static final String SO_PIN = "test-so-pin-0815";
    private static final String CONF_PROPERTY = "meshca.test.softhsm.conf";
    private static final List<Path> LIBRARIES = Stream.of(
                    "/usr/lib/softhsm/libsofthsm2.so",
                    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
                    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
                    "/usr/lib64/pkcs11/libsofthsm2.so",
                    "/usr/local/lib/softhsm/libsofthsm2.so",
                    "/opt/homebrew/lib/softhsm/libsofthsm2.so")
            .map(Path::of)
            .toList();
    private static final Pattern REASSIGNED = Pattern.compile("reassigned to slot (\\d+)");
    private static final AtomicInteger WIPERS = new AtomicInteger();

    /** The test tokens, one per purpose; each test class uses its own. */
    enum Token {
        CONTRACT,
        RESTART,
        X509,
        CONFIG,
        /** Never logged in with the right PIN: a token logged in once stays so for the whole process. */
        WRONG_PIN;

        String label() {
            return "meshca-" + name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private static SoftHsm instance;
    private static RuntimeException failure;

    private final Path library;
    private final Map<Token, Long> slots;

    private SoftHsm(Path library, Map<Token, Long> slots) {
        this.library = library;
        this.slots = slots;
    }

    /**
     * The tokens, created on first use. Skips the calling test (assumption) if SoftHSM2 is missing or
     * this JVM's SOFTHSM2_CONF is not the build's; fails it if SoftHSM2 is there but will not work.
     */
    static synchronized SoftHsm get() {
        Optional<Path> library = LIBRARIES.stream().filter(Files::isRegularFile).findFirst();
        assumeTrue(
                library.isPresent(),
                "SoftHSM2 is not installed (no libsofthsm2.so in " + LIBRARIES
                        + "): PKCS#11 tests skipped; apt-get install softhsm2 to run them");
        Optional<Path> util = onPath("softhsm2-util");
        assumeTrue(util.isPresent(), "softhsm2-util is not on the PATH: PKCS#11 tests skipped");
        String conf = System.getenv("SOFTHSM2_CONF");
        assumeTrue(
                conf != null && conf.equals(System.getProperty(CONF_PROPERTY)),
                "SOFTHSM2_CONF is not this build's test configuration (run the tests through Maven, whose"
                        + " ca-server surefire configuration sets it): PKCS#11 tests skipped");
        if (failure != null) {
            throw failure;
        }
        if (instance == null) {
            try {
                instance = new SoftHsm(library.get(), createTokens(util.get(), Path.of(conf)));
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
        return instance;
    }

    Path library() {
        return library;
    }

    long slot(Token token) {
        return slots.get(token);
    }

    /** A {@code plugins.keyManager.pkcs11} block choosing {@code token} by label, the PIN in {@code pinFile}. */
    PluginConfig config(Token token, Path pinFile) {
        return new PluginConfig(
                "plugins.keyManager.pkcs11",
                Map.of("library", library.toString(), "tokenLabel", token.label(), "pinFile", pinFile.toString()));
    }

    /** Writes {@code pin} and a line break, as an operator's editor would, to {@code dir}/pin. */
    static Path pinFile(Path dir, String pin) {
        try {
            return Files.writeString(dir.resolve("pin"), pin + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A KeyStore on {@code token} through a provider of its own: what a test uses to look behind a manager. */
    KeyStore keyStore(Token token) {
        try {
            Provider provider = Security.getProvider("SunPKCS11")
                    .configure("--name = test-" + WIPERS.incrementAndGet() + "\nlibrary = " + library + "\nslot = "
                            + slot(token) + "\n");
            KeyStore keyStore = KeyStore.getInstance("PKCS11", provider);
            keyStore.load(null, PIN.toCharArray());
            return keyStore;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot open the test token " + token.label(), e);
        }
    }

    /** Deletes every entry (private key and certificate) on {@code token}. */
    void wipe(Token token) {
        KeyStore keyStore = keyStore(token);
        try {
            for (String alias : Collections.list(keyStore.aliases())) {
                keyStore.deleteEntry(alias);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot wipe the test token " + token.label(), e);
        }
    }

    private static Map<Token, Long> createTokens(Path util, Path conf) {
        Path tokens = conf.resolveSibling("tokens");
        try {
            deleteRecursively(tokens);
            Files.createDirectories(tokens);
            Files.writeString(
                    conf,
                    "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n"
                            + "slots.removable = false\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the SoftHSM2 test directory " + tokens, e);
        }
        Map<Token, Long> slots = new EnumMap<>(Token.class);
        for (Token token : Token.values()) {
            slots.put(token, initToken(util, conf, token.label()));
        }
        return slots;
    }

    private static long initToken(Path util, Path conf, String label) {
        ProcessBuilder builder = new ProcessBuilder(
                        util.toString(), "--init-token", "--free", "--label", label, "--pin", PIN, "--so-pin", SO_PIN)
                .redirectErrorStream(true);
        builder.environment().put("SOFTHSM2_CONF", conf.toString());
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("softhsm2-util --init-token " + label + " failed: " + output);
            }
            Matcher slot = REASSIGNED.matcher(output);
            if (!slot.find()) {
                throw new IllegalStateException("softhsm2-util did not say the slot of " + label + ": " + output);
            }
            return Long.parseLong(slot.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + util, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the test token " + label, e);
        }
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        return Stream.of(path.split(":"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
