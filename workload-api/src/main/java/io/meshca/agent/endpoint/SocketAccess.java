package io.meshca.agent.endpoint;

import io.meshca.common.error.InvalidArgumentException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may connect to the agent's socket: its file mode and group ({@code socketMode}, {@code
 * socketGroup}), set explicitly after the bind rather than left to the umask. Connecting to a unix
 * socket needs write permission on it, so {@code 0770} with a group admits the owner and that group's
 * members only.
 *
 * <p>The default, {@code 0777} and the agent's own group, admits every local user: the agent decides
 * per call, by attesting the caller, what it gets, so a caller no entry selects gets nothing. Narrow it
 * where only some users should even reach the agent (e.g. the proxies' group on an Istio node).
 *
 * @param group empty: the group the agent's process creates files with
 */
public record SocketAccess(Set<PosixFilePermission> mode, Optional<String> group) {

    // before DEFAULT, which is parsed with it
    private static final Pattern OCTAL = Pattern.compile("0?[0-7]{3}");

    public static final String DEFAULT_MODE = "0777";
    public static final SocketAccess DEFAULT = new SocketAccess(parseMode(DEFAULT_MODE), Optional.empty());

    public static final String BAD_MODE =
            "must be an octal file mode of the permission bits only, like 0770 or 660 (no setuid, setgid or sticky"
                    + " bit)";
    public static final String NO_WRITE = "gives no one write permission, so no process could connect";
    public static final String NO_SUCH_GROUP = "names no group of this host";

    public SocketAccess {
        mode = Set.copyOf(mode);
        Objects.requireNonNull(group, "group");
    }

    /**
     * Reads the settings as written in the config or on the command line.
     *
     * @param modeText the {@code socketMode} setting, or null for {@link #DEFAULT_MODE}
     * @param groupText the {@code socketGroup} setting (a group name or numeric gid), or null
     * @throws InvalidArgumentException naming the setting and what is wrong with it
     */
    public static SocketAccess parse(String modeText, String groupText) {
        Set<PosixFilePermission> mode = modeText == null ? parseMode(DEFAULT_MODE) : parseMode(modeText);
        if (!mode.contains(PosixFilePermission.OWNER_WRITE)
                && !mode.contains(PosixFilePermission.GROUP_WRITE)
                && !mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new InvalidArgumentException("socketMode " + modeText + " " + NO_WRITE);
        }
        Optional<String> group = Optional.ofNullable(groupText).map(String::strip);
        if (group.isPresent()) {
            if (group.get().isEmpty()) {
                throw new InvalidArgumentException("socketGroup must not be empty");
            }
            lookup(group.get());
        }
        return new SocketAccess(mode, group);
    }

    /**
     * Gives {@code socket} this mode and group.
     *
     * @throws IOException if the file system refuses (the agent is not a member of the group and not root)
     */
    public void apply(Path socket) throws IOException {
        if (group.isPresent()) {
            Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(lookup(group.get()));
        }
        Files.setPosixFilePermissions(socket, mode);
    }

    private static Set<PosixFilePermission> parseMode(String text) {
        String digits = text.strip();
        if (!OCTAL.matcher(digits).matches()) {
            throw new InvalidArgumentException("socketMode \"" + text + "\" " + BAD_MODE);
        }
        int bits = Integer.parseInt(digits, 8);
        Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
        };
        for (int i = 0; i < order.length; i++) {
            if ((bits & (1 << i)) != 0) {
                mode.add(order[i]);
            }
        }
        return mode;
    }

    private static GroupPrincipal lookup(String group) {
        try {
            return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (UserPrincipalNotFoundException e) {
            throw new InvalidArgumentException("socketGroup \"" + group + "\" " + NO_SUCH_GROUP);
        } catch (IOException e) {
            throw new InvalidArgumentException("socketGroup \"" + group + "\" cannot be looked up: " + e.getMessage());
        }
    }
}
