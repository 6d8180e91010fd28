package io.meshca.server.ca.keys.pkcs11;

import io.meshca.common.error.InvalidArgumentException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Finds the slot of a token by its label. SunPKCS11 chooses tokens only by slot ID or slot-list index,
 * and its public API never shows a token's label, so this asks the module itself (C_GetSlotList,
 * C_GetTokenInfo) through the JDK's own PKCS#11 wrapper — the one SunPKCS11 runs on — reached by
 * reflection, which needs {@value #EXPORT_OPTION} (meshca-server.jar's manifest says so, as does the
 * test configuration). Going through the same wrapper matters: a module may be initialized once per
 * process, and the wrapper keeps that one instance for every provider that later opens the same path.
 */
final class TokenLabels {

    static final String WRAPPER_PACKAGE = "sun.security.pkcs11.wrapper";
    static final String EXPORT_OPTION = "--add-exports jdk.crypto.cryptoki/" + WRAPPER_PACKAGE + "=ALL-UNNAMED";

    private static final long CKF_OS_LOCKING_OK = 0x2L;
    private static final long CKF_TOKEN_INITIALIZED = 0x400L;
    /** What SunPKCS11 asks the module for, unless its config says otherwise. */
    private static final String FUNCTION_LIST = "C_GetFunctionList";

    private TokenLabels() {}

    /** A token the module reports: its slot and its label (blank padding removed). */
    record Token(long slotId, String label) {}

    /**
     * The slot ID of the one initialized token labelled {@code label}.
     *
     * @throws InvalidArgumentException under {@code key} if none or several match, naming the labels
     *     found, or if this JVM does not let meshca ask
     */
    static long slotOf(String key, Path library, String label) {
        List<Token> tokens = tokens(key, library);
        List<Long> matches = tokens.stream()
                .filter(t -> t.label().equals(label))
                .map(Token::slotId)
                .toList();
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            TreeSet<String> labels = new TreeSet<>();
            tokens.forEach(t -> labels.add("\"" + t.label() + "\""));
            throw new InvalidArgumentException(key + ": no initialized token labelled \"" + label + "\" in " + library
                    + " (tokens: " + (labels.isEmpty() ? "none" : String.join(", ", labels)) + ")");
        }
        throw new InvalidArgumentException(key + ": " + matches.size() + " tokens are labelled \"" + label
                + "\" (slots " + matches + "): choose one by slot instead");
    }

    /** Every initialized token of the module at {@code library}, in slot order. */
    static List<Token> tokens(String key, Path library) {
        Class<?> pkcs11 = wrapper(key);
        try {
            Object module = module(pkcs11, library);
            long[] slots =
                    (long[]) pkcs11.getMethod("C_GetSlotList", boolean.class).invoke(module, true);
            Method tokenInfo = pkcs11.getMethod("C_GetTokenInfo", long.class);
            List<Token> tokens = new ArrayList<>();
            for (long slot : slots) {
                Object info = tokenInfo.invoke(module, slot);
                long flags = info.getClass().getField("flags").getLong(info);
                if ((flags & CKF_TOKEN_INITIALIZED) != 0) {
                    char[] label = (char[]) info.getClass().getField("label").get(info);
                    tokens.add(new Token(slot, new String(label).stripTrailing()));
                }
            }
            return tokens;
        } catch (InvocationTargetException e) {
            throw new InvalidArgumentException(
                    key + ": cannot list the tokens of the PKCS#11 module " + library + ": " + reason(e.getCause()));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new InvalidArgumentException(
                    key + ": cannot read token labels in this JVM (" + e + "); choose the token by slot instead");
        }
    }

    private static Class<?> wrapper(String key) {
        Class<?> pkcs11;
        try {
            pkcs11 = Class.forName(WRAPPER_PACKAGE + ".PKCS11");
        } catch (ClassNotFoundException e) {
            throw new InvalidArgumentException(key + ": this Java runtime has no jdk.crypto.cryptoki module"
                    + " (SunPKCS11); use a full JDK or JRE");
        }
        if (!pkcs11.getModule().isExported(WRAPPER_PACKAGE, TokenLabels.class.getModule())) {
            throw new InvalidArgumentException(key + ": reading token labels needs the JVM option " + EXPORT_OPTION
                    + " (meshca-server.jar sets it when started with java -jar); or choose the token by slot");
        }
        return pkcs11;
    }

    /**
     * The module, initialized as SunPKCS11 initializes it: with OS locking (so calls run in parallel),
     * and without it only if the module refuses (the JDK's fallback for single-threaded modules). The
     * wrapper caches the instance by path, so the providers opened next share it.
     */
    private static Object module(Class<?> pkcs11, Path library) throws ReflectiveOperationException {
        Class<?> initArgsType = Class.forName(WRAPPER_PACKAGE + ".CK_C_INITIALIZE_ARGS");
        Method getInstance = pkcs11.getMethod("getInstance", String.class, String.class, initArgsType, boolean.class);
        Object initArgs = initArgsType.getConstructor().newInstance();
        initArgsType.getField("flags").setLong(initArgs, CKF_OS_LOCKING_OK);
        try {
            return getInstance.invoke(null, library.toString(), FUNCTION_LIST, initArgs, false);
        } catch (InvocationTargetException e) {
            if (!e.getCause().getClass().getName().equals(WRAPPER_PACKAGE + ".PKCS11Exception")) {
                throw e;
            }
            return getInstance.invoke(null, library.toString(), FUNCTION_LIST, null, false);
        }
    }

    /** A wrapper exception's message: a CKR_ code name, or the module loader's complaint; never a secret. */
    private static String reason(Throwable cause) {
        return cause == null ? "unknown error" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
