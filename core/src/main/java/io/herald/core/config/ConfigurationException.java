package io.herald.core.config;

/**
 * A setting is unknown, malformed or out of range, or the selected plugins do not fit together. The message
 * is one line naming the setting and how it was given, fit to print before refusing to start.
 */
public final class ConfigurationException extends IllegalStateException {

    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
