package io.meshca.server.config;

import io.meshca.common.error.InvalidArgumentException;

/** A configuration value that is invalid; the message names the key and the problem. */
public final class ConfigException extends InvalidArgumentException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
