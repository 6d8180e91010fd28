package io.meshca.agent.client;

import io.meshca.common.error.InvalidArgumentException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One ca-server replica as the operator names it: a host name or IP literal and a TCP port. A host
 * name may resolve to several replicas; the channel connects to every address it resolves to.
 */
public record ServerAddress(String host, int port) {

    public ServerAddress {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new InvalidArgumentException("server host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new InvalidArgumentException("server port " + port + " is not a TCP port (0-65535)");
        }
    }

    /**
     * Parses {@code -serverAddress}: comma-separated entries, each {@code host}, {@code host:port},
     * {@code [ipv6]}, {@code [ipv6]:port} or a bare IPv6 literal; an entry without a port gets {@code
     * defaultPort}. Surrounding spaces are ignored.
     *
     * @throws InvalidArgumentException naming the bad entry: empty, a port that is not 0-65535, or an
     *     unclosed bracket
     */
    public static List<ServerAddress> parseList(String list, int defaultPort) {
        Objects.requireNonNull(list, "list");
        if (list.isBlank()) {
            throw new InvalidArgumentException("serverAddress is empty: give host or host:port, comma-separated");
        }
        String[] entries = list.split(",", -1);
        List<ServerAddress> addresses = new ArrayList<>(entries.length);
        for (int i = 0; i < entries.length; i++) {
            addresses.add(parseEntry(entries[i].strip(), i + 1, list, defaultPort));
        }
        return List.copyOf(addresses);
    }

    private static ServerAddress parseEntry(String entry, int position, String list, int defaultPort) {
        if (entry.isEmpty()) {
            throw new InvalidArgumentException("serverAddress \"" + list + "\": entry " + position
                    + " is empty: separate host or host:port entries with single commas");
        }
        String host;
        String port;
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 0 || (close + 1 < entry.length() && entry.charAt(close + 1) != ':')) {
                throw bad(entry, "write an IPv6 address as [address] or [address]:port");
            }
            host = entry.substring(1, close);
            port = close + 1 < entry.length() ? entry.substring(close + 2) : null;
        } else if (entry.indexOf(':') != entry.lastIndexOf(':')) {
            host = entry; // a bare IPv6 literal: several colons, no port
            port = null;
        } else {
            int colon = entry.indexOf(':');
            host = colon < 0 ? entry : entry.substring(0, colon);
            port = colon < 0 ? null : entry.substring(colon + 1);
        }
        if (host.isBlank()) {
            throw bad(entry, "the host is empty");
        }
        return new ServerAddress(host, port == null ? defaultPort : parsePort(entry, port));
    }

    private static int parsePort(String entry, String port) {
        int value;
        try {
            value = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 0 || value > 65535 || !port.chars().allMatch(Character::isDigit)) {
            throw bad(entry, "port \"" + port + "\" is not a TCP port (0-65535)");
        }
        return value;
    }

    private static InvalidArgumentException bad(String entry, String why) {
        return new InvalidArgumentException("serverAddress entry \"" + entry + "\" is invalid: " + why);
    }

    /** {@code host:port}, with an IPv6 literal in brackets: the form a gRPC target or a log takes. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
