package io.herald.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Herald's version, as the build wrote it into {@code version.properties}. */
final class ServerVersion {

    /** The version, e.g. {@code 0.1.0}; {@code unknown} if the build did not record it. */
    static final String VALUE = read();

    private ServerVersion() {
    }

    private static String read() {
        try (InputStream in = ServerVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "unknown");
            return version.startsWith("${") ? "unknown" : version;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
