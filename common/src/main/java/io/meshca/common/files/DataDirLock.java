package io.meshca.common.files;

import io.meshca.common.error.FailedPreconditionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An exclusive OS lock on {@value #FILE} in a data dir, whose content names the holder ("1234
 * server"). The OS drops the lock when its process dies, so a lock file left by a killed process
 * never blocks the next start: only a live holder does.
 */
final class DataDirLock implements AutoCloseable {

    static final String FILE = "meshca.lock";

    /**
     * The dirs this JVM holds. POSIX locks belong to the process: a second channel on the same file
     * would neither see the lock as taken nor (when closed) leave it in place, so the JVM's own
     * holdings are checked here before any channel is opened.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DataDirLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirLock acquire(Path dir, String owner, String flag) {
        Path key = realPath(dir);
        if (!HELD.add(key)) {
            throw inUse(dir, holder(dir.resolve(FILE)) + " (this process)", flag);
        }
        try {
            return lock(dir, key, owner, flag);
        } catch (RuntimeException e) {
            HELD.remove(key);
            throw e;
        }
    }

    private static DataDirLock lock(Path dir, Path key, String owner, String flag) {
        Path file = dir.resolve(FILE);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(
                    file,
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
                    DataDir.fileMode());
            Files.setPosixFilePermissions(file, DataDir.FILE_MODE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this JVM through a path HELD did not know (a hard link, say)
            }
            if (lock == null) {
                channel.close();
                throw inUse(dir, holder(file), flag);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(
                    (ProcessHandle.current().pid() + " " + owner + "\n").getBytes(StandardCharsets.US_ASCII)));
            channel.force(false);
            return new DataDirLock(key, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new FailedPreconditionException(
                    "cannot lock data dir " + dir + " (" + file.getFileName() + "): " + TextFiles.reason(e), e);
        }
    }

    /** "meshca server pid 1234" from the lock file, or a vaguer phrase if it cannot be read. */
    private static String holder(Path file) {
        try {
            String[] fields =
                    Files.readString(file, StandardCharsets.US_ASCII).strip().split(" ");
            if (fields.length == 2 && fields[0].matches("[0-9]+")) {
                return "meshca " + fields[1] + " pid " + fields[0];
            }
        } catch (IOException e) {
            // fall through: the holder is still there, only unnamed
        }
        return "another meshca process";
    }

    private static FailedPreconditionException inUse(Path dir, String holder, String flag) {
        return new FailedPreconditionException(
                "data dir " + dir + " is in use by " + holder + "; stop it or use another " + flag);
    }

    private static Path realPath(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    /** Releases the lock; the file stays (removing it would let two processes lock two different files). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // closing the channel releases the lock in any case
        } finally {
            HELD.remove(dir);
        }
    }
}
