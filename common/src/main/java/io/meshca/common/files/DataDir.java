package io.meshca.common.files;

import io.meshca.common.error.FailedPreconditionException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The data dir of one running server or agent: it holds keys and identities, so only its owner may
 * enter it (0700) and every file in it is 0600. {@link #open} checks all of that before the process
 * does anything else, and locks the dir so that a second process on it stops at once instead of
 * corrupting the first one's state. Each failure is one line naming the dir, the cause and the fix.
 */
public final class DataDir implements AutoCloseable {

    static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> SHARED = EnumSet.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE);

    private final Path path;
    private final DataDirLock lock;

    private DataDir(Path path, DataDirLock lock) {
        this.path = path;
        this.lock = lock;
    }

    /**
     * Creates the dir (0700) if missing, refuses one that other users may read or write, checks that
     * it is writable, and locks it for this process until {@link #close()}.
     *
     * @param owner who runs on it, for the message a second process gets ("server", "agent")
     * @param flag the flag that chooses another dir, for that message ("-dataDir")
     * @throws FailedPreconditionException if the dir cannot be created or written, is open to other
     *     users, or is in use by another process
     */
    public static DataDir open(Path dir, String owner, String flag) {
        Path path = dir.toAbsolutePath().normalize();
        if (Files.exists(path)) {
            checkPrivate(path);
        } else {
            create(path);
        }
        checkWritable(path);
        return new DataDir(path, DataDirLock.acquire(path, owner, flag));
    }

    public Path path() {
        return path;
    }

    /**
     * {@code name} in this dir, created empty with mode 0600 if missing and narrowed to 0600 if it
     * exists, so that whoever writes it next (SQLite, for one) starts from an owner-only file.
     */
    public Path ownerOnlyFile(String name) {
        Path file = path.resolve(name);
        try {
            createOwnerOnly(file);
        } catch (IOException e) {
            throw new FailedPreconditionException(
                    "cannot create " + file + " in the data dir: " + TextFiles.reason(e), e);
        }
        return file;
    }

    /**
     * Creates {@code file} with mode 0600 if it is missing, and narrows its mode to 0600 if it exists.
     * For files whose writer takes the mode it finds (SQLite gives its -wal, -shm and -journal files
     * the database file's mode).
     */
    public static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE_MODE));
        } catch (FileAlreadyExistsException e) {
            // kept as it is, but made private
        }
        Files.setPosixFilePermissions(file, FILE_MODE);
    }

    /** The file mode every file in a data dir has (0600), for files written through other means. */
    public static FileAttribute<Set<PosixFilePermission>> fileMode() {
        return PosixFilePermissions.asFileAttribute(FILE_MODE);
    }

    /** Releases the lock; the next process may start on this dir. */
    @Override
    public void close() {
        lock.close();
    }

    private static void create(Path path) {
        try {
            Files.createDirectories(path, PosixFilePermissions.asFileAttribute(DIR_MODE));
            // the attribute is filtered by the umask: set the mode explicitly
            Files.setPosixFilePermissions(path, DIR_MODE);
        } catch (IOException e) {
            throw new FailedPreconditionException("cannot create data dir " + path + ": " + TextFiles.reason(e), e);
        }
    }

    private static void checkPrivate(Path path) {
        if (!Files.isDirectory(path)) {
            throw new FailedPreconditionException("data dir " + path + " exists and is not a directory");
        }
        Set<PosixFilePermission> mode;
        try {
            mode = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new FailedPreconditionException("cannot read data dir " + path + ": " + TextFiles.reason(e), e);
        }
        if (mode.stream().anyMatch(SHARED::contains)) {
            throw new FailedPreconditionException("data dir " + path + " is open to other users ("
                    + PosixFilePermissions.toString(mode) + ") and holds private keys: run chmod 700 " + path);
        }
    }

    private static void checkWritable(Path path) {
        try {
            Path probe = Files.createTempFile(path, ".write-check", ".tmp", fileMode());
            Files.delete(probe);
        } catch (IOException e) {
            throw new FailedPreconditionException("cannot write to data dir " + path + ": " + TextFiles.reason(e), e);
        }
    }
}
