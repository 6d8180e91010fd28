package io.meshca.agent.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/** The uid this CLI runs as: the one the agent sees on the socket and matches unix:uid selectors against. */
final class CallerUid {

    private CallerUid() {}

    /** The owner of /proc/self is the process's uid (Linux, where the agent runs); empty elsewhere. */
    static OptionalInt current() {
        try {
            return OptionalInt.of((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | ClassCastException e) {
            return OptionalInt.empty();
        }
    }

    /** What to run on the server to see whether any entry selects this caller. */
    static String entryShowHint() {
        OptionalInt uid = current();
        return "check that an entry selects this workload: meshca server entry show -selector unix:uid:"
                + (uid.isPresent() ? Integer.toString(uid.getAsInt()) : "<your uid>");
    }
}
