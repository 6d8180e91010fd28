package io.meshca.server.audit;

import io.meshca.common.error.FailedPreconditionException;
import io.meshca.common.files.DataDir;
import io.meshca.common.files.TextFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audit rows the store could not take, kept in a file in the data dir (0600) until it can: appended and
 * synced to disk before the writer moves on, read back oldest first, and marked stored batch by batch. A
 * spool that a stopped or crashed server left behind is read at the next start.
 *
 * <p>Rows are spooled unchained: the store chains them when it takes them, in the transaction that holds
 * the chain's head, so replaying them later keeps the chain valid. They keep the time they happened.
 *
 * <p>Files: {@value #FILE} holds one row per line ({@code v1 <atMillis> <actor> <action> <subject>
 * <detail>}, the text fields in Base64, so a line is ASCII); {@value #STORED_FILE} holds the byte offset
 * of the first row not yet stored, replaced atomically after each stored batch. A crash between a
 * batch's commit and that replacement stores the batch again at the next start: a duplicate in the chain,
 * never a gap.
 *
 * <p>Not thread-safe: only the audit writer thread uses it.
 */
public final class AuditSpool implements AutoCloseable {

    public static final String FILE = "audit-spool.log";
    static final String STORED_FILE = "audit-spool.stored";

    private static final Logger log = LoggerFactory.getLogger(AuditSpool.class);
    private static final String VERSION = "v1";
    private static final Base64.Encoder ENCODER = Base64.getEncoder();
    private static final Base64.Decoder DECODER = Base64.getDecoder();

    /** Rows read back at once, and the byte offset just past the last of them. */
    record Batch(List<TimedAuditEvent> events, long end) {}

    private final Path file;
    private final Path storedFile;
    /** Where the first row not yet stored starts. */
    private long storedUpTo;
    /** Rows not yet stored. */
    private long pending;

    private FileChannel appending;

    private AuditSpool(Path dir) {
        this.file = dir.resolve(FILE);
        this.storedFile = dir.resolve(STORED_FILE);
    }

    /**
     * The spool in {@code dir} (the server's data dir), with whatever an earlier run left in it.
     *
     * @throws FailedPreconditionException if a spool is there but cannot be read
     */
    public static AuditSpool in(Path dir) {
        AuditSpool spool = new AuditSpool(dir);
        try {
            spool.recover();
        } catch (IOException e) {
            throw new FailedPreconditionException(
                    "cannot read the audit spool " + spool.file + ": " + TextFiles.reason(e), e);
        }
        return spool;
    }

    public Path file() {
        return file;
    }

    /** Rows waiting for the store. */
    public long pending() {
        return pending;
    }

    public boolean isEmpty() {
        return pending == 0;
    }

    /** Adds the rows after those already spooled; they are on disk when this returns. */
    void append(List<TimedAuditEvent> events) throws IOException {
        if (events.isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        for (TimedAuditEvent e : events) {
            AuditEvent event = e.event();
            lines.append(VERSION)
                    .append(' ')
                    .append(e.atMillis())
                    .append(' ')
                    .append(encode(event.actor()))
                    .append(' ')
                    .append(encode(event.action()))
                    .append(' ')
                    .append(encode(event.subject()))
                    .append(' ')
                    .append(encode(event.detail()))
                    .append('\n');
        }
        FileChannel channel = appendChannel();
        ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        channel.force(false);
        pending += events.size();
    }

    /** The oldest rows not yet stored, at most {@code max}. */
    Batch peek(int max) throws IOException {
        List<TimedAuditEvent> events = new ArrayList<>();
        long offset = storedUpTo;
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(storedUpTo);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            String line;
            while (events.size() < max && (line = reader.readLine()) != null) {
                offset += line.length() + 1;
                TimedAuditEvent event = parse(line);
                if (event == null) {
                    // Only a damaged disk writes such a line; keeping the rest matters more than stopping.
                    log.error("audit spool {}: unreadable row at byte {} skipped", file, offset - line.length() - 1);
                    pending--;
                    continue;
                }
                events.add(event);
            }
        }
        return new Batch(events, offset);
    }

    /** Marks {@code batch} (the last {@link #peek}) as stored; deletes the spool once all of it is. */
    void stored(Batch batch) throws IOException {
        storedUpTo = batch.end();
        pending = Math.max(0, pending - batch.events().size());
        if (pending == 0) {
            clear();
            return;
        }
        Path temp = storedFile.resolveSibling(STORED_FILE + ".tmp");
        Files.deleteIfExists(temp);
        try (FileChannel c = FileChannel.open(
                temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), DataDir.fileMode())) {
            c.write(ByteBuffer.wrap(Long.toString(storedUpTo).getBytes(StandardCharsets.US_ASCII)));
            c.force(false);
        }
        Files.move(temp, storedFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() throws IOException {
        if (appending != null) {
            appending.close();
            appending = null;
        }
    }

    /** Reads what an earlier run left: cuts a row torn by a crash, and finds where storing stopped. */
    private void recover() throws IOException {
        if (!Files.exists(file)) {
            Files.deleteIfExists(storedFile);
            return;
        }
        long complete = completeLength();
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            if (c.size() > complete) {
                log.warn("audit spool {}: a row torn by a crash was cut (never acknowledged)", file);
                c.truncate(complete);
                c.force(false);
            }
        }
        storedUpTo = Math.min(readStoredOffset(), complete);
        pending = countLines(storedUpTo);
        if (pending == 0) {
            clear();
        }
    }

    /** Where storing stopped; the start if unknown (a duplicate in the chain is better than a gap). */
    private long readStoredOffset() throws IOException {
        if (!Files.exists(storedFile)) {
            return 0;
        }
        String text = Files.readString(storedFile, StandardCharsets.US_ASCII).trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            log.warn("audit spool {}: unreadable offset in {}; every spooled row is written again", file, storedFile);
            return 0;
        }
    }

    /** The length of the file up to the end of its last complete line. */
    private long completeLength() throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = c.size();
            ByteBuffer one = ByteBuffer.allocate(1);
            for (long at = size - 1; at >= 0; at--) {
                one.clear();
                c.read(one, at);
                if (one.get(0) == '\n') {
                    return at + 1;
                }
            }
            return 0;
        }
    }

    private long countLines(long from) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(from);
            long lines = 0;
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
            return lines;
        }
    }

    private FileChannel appendChannel() throws IOException {
        if (appending == null) {
            boolean created = !Files.exists(file);
            appending = FileChannel.open(
                    file,
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                    DataDir.fileMode());
            if (created) {
                DataDir.createOwnerOnly(file); // the mode given at creation is filtered by the umask
                syncDirectory();
            }
        }
        return appending;
    }

    /** The spool's directory entry is on disk too, or a crash could lose the file with its rows. */
    private void syncDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** Every row is stored: the files go; the next outage starts a new spool. */
    private void clear() throws IOException {
        close();
        // The spool before its offset: a crash in between leaves an offset without rows, which is nothing.
        Files.deleteIfExists(file);
        Files.deleteIfExists(storedFile);
        storedUpTo = 0;
        pending = 0;
    }

    private static String encode(String text) {
        return ENCODER.encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String base64) {
        return new String(DECODER.decode(base64), StandardCharsets.UTF_8);
    }

    /** The row of a line, or null if the line is damaged. */
    private static TimedAuditEvent parse(String line) {
        String[] f = line.split(" ", -1);
        if (f.length != 6 || !VERSION.equals(f[0])) {
            return null;
        }
        try {
            return new TimedAuditEvent(
                    new AuditEvent(decode(f[2]), decode(f[3]), decode(f[4]), decode(f[5])), Long.parseLong(f[1]));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
