package io.meshca.server.cli;

import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * One line saying why the admin socket could not be reached, and what to do. gRPC only says
 * "io exception"; the kernel's answer is in the cause (connect: Permission denied) or in the file
 * system (no such file, or a directory on the way the caller may not enter).
 */
final class AdminSocketErrors {

    private AdminSocketErrors() {}

    static String permissionDenied(String socket) {
        return "permission denied on the admin socket " + socket + ": run this as the server's user or root";
    }

    static String missing(String socket) {
        return "the admin socket " + socket
                + " does not exist (is the server running? start it with `meshca server run`)";
    }

    /** For an UNAVAILABLE call on {@code socket}. */
    static String describe(Path socket, StatusRuntimeException error) {
        if (deniedByKernel(error)) {
            return permissionDenied(socket.toString());
        }
        try {
            Files.readAttributes(socket, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return missing(socket.toString());
        } catch (AccessDeniedException e) {
            // The socket sits in a directory only the server's user may enter.
            return permissionDenied(socket.toString());
        } catch (IOException e) {
            // fall through: the file system does not say more than gRPC
        }
        String description = error.getStatus().getDescription();
        return "cannot reach the server's admin socket " + socket + ": "
                + (description == null ? "unavailable" : description) + " (is the server running?)";
    }

    private static boolean deniedByKernel(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof AccessDeniedException
                    || (t.getMessage() != null
                            && t.getMessage().toLowerCase(Locale.ROOT).contains("permission denied"))) {
                return true;
            }
        }
        return false;
    }
}
