package io.meshca.common.files;

import io.meshca.common.error.InvalidArgumentException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Reads files an operator names (config, certificates, keys, tokens). Every failure is one line that
 * names the file and the cause: a binary file is "not UTF-8 text" (or "not a PEM file"), never the
 * decoder's "Input length = 1".
 */
public final class TextFiles {

    private TextFiles() {}

    /**
     * The file's text, decoded as UTF-8.
     *
     * @param what what the file is, for messages ("config file", "trust bundle")
     * @throws InvalidArgumentException if the file is missing, unreadable or not UTF-8 text
     */
    public static String readUtf8(Path file, String what) {
        try {
            return Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new InvalidArgumentException(what + " " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw unreadable(file, what, e);
        }
    }

    /**
     * The text of a PEM file. A binary file is most likely DER: the message says how to convert it.
     *
     * @throws InvalidArgumentException if the file is missing, unreadable or binary
     */
    public static String readPem(Path file, String what) {
        try {
            return Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new InvalidArgumentException(what + " " + file
                    + " is not a PEM file (it is binary; for a DER certificate: openssl x509 -inform der -in " + file
                    + ")");
        } catch (IOException e) {
            throw unreadable(file, what, e);
        }
    }

    private static InvalidArgumentException unreadable(Path file, String what, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new InvalidArgumentException(what + " " + file + " does not exist");
        }
        return new InvalidArgumentException("cannot read " + what + " " + file + ": " + reason(e));
    }

    /** The cause of an I/O failure in words, without repeating the path the caller already names. */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file is in the way";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        return String.valueOf(e.getMessage());
    }
}
