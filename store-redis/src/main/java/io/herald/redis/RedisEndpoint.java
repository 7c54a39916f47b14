package io.herald.redis;

import io.herald.core.config.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where Redis is and how to log in, parsed from {@code redis://[[user]:password@]host[:port][/db]} or
 * {@code rediss://...} (TLS). Immutable and thread-safe; {@link #toString()} masks the password.
 *
 * @param host the host name or address
 * @param port the port, 6379 unless given
 * @param user the ACL user, or {@code null} for the default user
 * @param password the password, or {@code null} for none
 * @param database the database index, 0 unless given
 * @param tls whether the URL was {@code rediss://}
 */
record RedisEndpoint(String host, int port, String user, String password, int database, boolean tls) {

    /**
     * Parses {@code url}.
     *
     * @throws ConfigurationException naming the URL (password masked) and what is wrong with it
     */
    static RedisEndpoint parse(String url) {
        if (url == null || url.isBlank()) {
            throw new ConfigurationException("redis.url is empty; expected redis://[:password@]host:port/db");
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new ConfigurationException("invalid Redis URL '" + mask(url) + "': " + e.getReason());
        }
        String scheme = uri.getScheme();
        if (!"redis".equalsIgnoreCase(scheme) && !"rediss".equalsIgnoreCase(scheme)) {
            throw invalid(url, "the scheme must be redis:// or rediss://");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw invalid(url, "it names no host (or the host or port is malformed)");
        }
        int port = uri.getPort() < 0 ? 6379 : uri.getPort();
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            String rawUser = colon < 0 ? "" : userInfo.substring(0, colon);
            String rawPassword = colon < 0 ? userInfo : userInfo.substring(colon + 1);
            user = rawUser.isEmpty() ? null : decode(rawUser);
            password = rawPassword.isEmpty() ? null : decode(rawPassword);
        }
        int database = 0;
        String path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            try {
                database = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                throw invalid(url, "the path must be a database number, got '" + path + "'");
            }
            if (database < 0) {
                throw invalid(url, "the database number is negative");
            }
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalid(url, "query parameters and fragments are not supported");
        }
        return new RedisEndpoint(host, port, user, password, database, "rediss".equalsIgnoreCase(scheme));
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(tls ? "rediss://" : "redis://");
        if (user != null || password != null) {
            s.append(user == null ? "" : user).append(password == null ? "" : ":***").append('@');
        }
        return s.append(host).append(':').append(port).append('/').append(database).toString();
    }

    private static ConfigurationException invalid(String url, String why) {
        return new ConfigurationException("invalid Redis URL '" + mask(url) + "': " + why);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** {@code url} with whatever follows the user name up to the {@code @} replaced by {@code ***}. */
    static String mask(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return url;
        }
        int colon = url.indexOf(':', scheme + 3);
        if (colon < 0 || colon > at) {
            return url.substring(0, scheme + 3) + "***" + url.substring(at);
        }
        return url.substring(0, colon + 1) + "***" + url.substring(at);
    }
}
