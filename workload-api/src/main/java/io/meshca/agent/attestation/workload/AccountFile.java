package io.meshca.agent.attestation.workload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One of {@code /etc/passwd} or {@code /etc/group} (lines {@code name:password:id:...}), parsed once
 * into an id → name map and parsed again only when the file changes. Every workload call looks names
 * up, and reading and splitting the whole file each time was a visible share of the agent's CPU.
 *
 * <p>A change is seen by the file's identity (device and inode), size and modification time, checked
 * with one {@code stat} on every lookup: tools that edit these files ({@code useradd}, {@code vipw},
 * {@code sed -i}) write a new file and rename it over the old one, which changes the inode, and an
 * edit in place changes the modification time. The attributes are read before the content, so a
 * change that races the read is seen on the next lookup at the latest.
 */
final class AccountFile {

    private record Version(Object fileKey, long size, FileTime modified) {}

    private record Parsed(Version version, Map<Integer, String> names) {}

    /** The parse of a file that is missing or unreadable: no names, and looked at again next time. */
    private static final Parsed NONE = new Parsed(null, Map.of());

    private final Path file;
    private volatile Parsed parsed = NONE;

    AccountFile(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    /** The name of the first entry with {@code id}; empty if there is none or the file cannot be read. */
    Optional<String> nameOf(int id) {
        return Optional.ofNullable(current().names().get(id));
    }

    private Parsed current() {
        Version version;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            version = new Version(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime());
        } catch (IOException e) {
            // no such file (minimal containers) or unreadable: names are optional selectors
            parsed = NONE;
            return NONE;
        }
        Parsed seen = parsed;
        if (version.equals(seen.version())) {
            return seen;
        }
        return reload(version);
    }

    private synchronized Parsed reload(Version version) {
        Parsed seen = parsed;
        if (version.equals(seen.version())) {
            return seen; // another thread re-read it meanwhile
        }
        Parsed fresh;
        try {
            fresh = new Parsed(version, parse(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            fresh = NONE;
        }
        parsed = fresh;
        return fresh;
    }

    /**
     * Lines whose id is not a number in its plain decimal form, or whose name is empty, name nobody (as
     * before the cache, when ids were compared as text); the first line of an id wins.
     */
    static Map<Integer, String> parse(String content) {
        Map<Integer, String> names = new HashMap<>();
        for (String line : content.split("\n")) {
            String[] fields = line.split(":", -1);
            if (fields.length < 3 || fields[0].isEmpty()) {
                continue;
            }
            try {
                int id = Integer.parseInt(fields[2]);
                if (Integer.toString(id).equals(fields[2])) {
                    names.putIfAbsent(id, fields[0]);
                }
            } catch (NumberFormatException e) {
                // a comment or a broken line: it names nobody
            }
        }
        return Map.copyOf(names);
    }
}
