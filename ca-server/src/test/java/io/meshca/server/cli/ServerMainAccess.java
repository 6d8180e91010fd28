package io.meshca.server.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;

/** Runs the CLI against a server's admin socket from tests in other packages. */
public final class ServerMainAccess {

    private static final ThreadLocal<String> LAST_ERR = ThreadLocal.withInitial(() -> "");

    private ServerMainAccess() {}

    public static int run(Path adminSocket, String... args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "-socketPath";
        all[args.length + 1] = adminSocket.toString();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ServerMain.execute(all, new PrintWriter(out, true), new PrintWriter(err, true));
        LAST_ERR.set(err.toString());
        return code;
    }

    public static String lastErr() {
        return LAST_ERR.get();
    }
}
