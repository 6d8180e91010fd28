package io.meshca.server.ca.upstream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * What tells a changed file from an unchanged one without reading it: its modification time and size.
 * A file that cannot be looked at has neither (so its disappearing, too, counts as a change).
 */
record FileStamp(Path path, FileTime modified, long size) {

    static FileStamp of(Path path) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return new FileStamp(path, attributes.lastModifiedTime(), attributes.size());
        } catch (IOException e) {
            return new FileStamp(path, null, -1);
        }
    }

    static List<FileStamp> of(List<Path> paths) {
        List<FileStamp> stamps = new ArrayList<>(paths.size());
        for (Path path : paths) {
            stamps.add(of(path));
        }
        return List.copyOf(stamps);
    }
}
