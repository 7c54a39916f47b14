package io.herald.redis;

import io.herald.core.config.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.HostAndPort;

/**
 * Where Redis is and how to log in, parsed from {@code redis://[[user]:password@]host[:port][/db]} or
 * {@code rediss://...} (TLS), or for a Redis Cluster from {@code redis-cluster://[[user]:password@]host:port,host:port}
 * (or {@code rediss-cluster://}): some of its nodes, from which the others are discovered. Immutable and
 * thread-safe; {@link #toString()} masks the password.
 *
 * @param host the host name or address
 * @param port the port, 6379 unless given
 * @param user the ACL user, or {@code null} for the default user
 * @param password the password, or {@code null} for none
 * @param database the database index, 0 unless given
 * @param tls whether the URL was {@code rediss://}
 * @param cluster the seed nodes of a Redis Cluster (the first is {@code host:port}), or an empty list for one Redis
 */
record RedisEndpoint(String host, int port, String user, String password, int database, boolean tls, List<HostAndPort> cluster) {

    RedisEndpoint {
        cluster = List.copyOf(cluster);
    }

    /** One Redis, not a cluster. */
    RedisEndpoint(String host, int port, String user, String password, int database, boolean tls) {
        this(host, port, user, password, database, tls, List.of());
    }

    /** Whether this is a Redis Cluster ({@code redis-cluster://}). */
    boolean isCluster() {
        return !cluster.isEmpty();
    }

    /**
     * Parses {@code url}.
     *
     * @throws ConfigurationException naming the URL (password masked) and what is wrong with it
     */
    static RedisEndpoint parse(String url) {
        if (url == null || url.isBlank()) {
            throw new ConfigurationException("redis.url is empty; expected redis://[:password@]host:port/db");
        }
        String lower = url.trim().toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("redis-cluster://") || lower.startsWith("rediss-cluster://")) {
            return parseCluster(url.trim(), lower.startsWith("rediss-cluster://"));
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
        String[] login = login(uri.getRawUserInfo());
        String user = login[0];
        String password = login[1];
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

    /**
     * {@code redis-cluster://[[user]:password@]host:port[,host:port...][/0]}: {@link URI} does not take a list
     * of hosts, so it is split here. A cluster has one database, 0.
     */
    private static RedisEndpoint parseCluster(String url, boolean tls) {
        String rest = url.substring(url.indexOf("://") + 3);
        if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
            throw invalid(url, "query parameters and fragments are not supported");
        }
        int slash = rest.indexOf('/');
        String path = slash < 0 ? "" : rest.substring(slash);
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        if (!path.isEmpty() && !path.equals("/") && !path.equals("/0")) {
            throw invalid(url, "a Redis Cluster has only database 0, got the path '" + path + "'");
        }
        int at = authority.lastIndexOf('@');
        String[] login = login(at < 0 ? null : authority.substring(0, at));
        String hosts = authority.substring(at + 1);
        List<HostAndPort> nodes = new ArrayList<>();
        for (String node : hosts.split(",", -1)) {
            int colon = node.lastIndexOf(':');
            String host = colon < 0 ? node : node.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty()) {
                throw invalid(url, "it names an empty host in its node list '" + hosts + "'");
            }
            int port = 6379;
            if (colon >= 0) {
                try {
                    port = Integer.parseInt(node.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
                if (port < 1 || port > 65535) {
                    throw invalid(url, "the port of node '" + node + "' is not a number from 1 to 65535");
                }
            }
            nodes.add(new HostAndPort(host, port));
        }
        HostAndPort first = nodes.get(0);
        return new RedisEndpoint(first.getHost(), first.getPort(), login[0], login[1], 0, tls, nodes);
    }

    /** The user and password of a URL's raw user information, decoded; either may be {@code null}. */
    private static String[] login(String userInfo) {
        if (userInfo == null) {
            return new String[2];
        }
        int colon = userInfo.indexOf(':');
        String rawUser = colon < 0 ? "" : userInfo.substring(0, colon);
        String rawPassword = colon < 0 ? userInfo : userInfo.substring(colon + 1);
        return new String[] {rawUser.isEmpty() ? null : decode(rawUser), rawPassword.isEmpty() ? null : decode(rawPassword)};
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(isCluster() ? (tls ? "rediss-cluster://" : "redis-cluster://") : (tls ? "rediss://" : "redis://"));
        if (user != null || password != null) {
            s.append(user == null ? "" : user).append(password == null ? "" : ":***").append('@');
        }
        if (isCluster()) {
            for (int i = 0; i < cluster.size(); i++) {
                s.append(i == 0 ? "" : ",").append(cluster.get(i).getHost()).append(':').append(cluster.get(i).getPort());
            }
            return s.toString();
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
