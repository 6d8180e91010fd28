package io.meshca.common.files;

import java.io.IOException;
import java.nio.file.Path;

/** A second process for {@link DataDirTest}: holds the data dir in args[0] until its stdin closes. */
public final class DataDirHolder {

    private DataDirHolder() {}

    public static void main(String[] args) throws IOException {
        try (DataDir dir = DataDir.open(Path.of(args[0]), "test", "-dataDir")) {
            System.out.println("locked " + dir.path());
            System.out.flush();
            while (System.in.read() != -1) {
                // hold the lock until the parent closes our stdin or kills us
            }
        }
    }
}
