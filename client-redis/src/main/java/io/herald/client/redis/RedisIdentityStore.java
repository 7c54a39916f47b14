package io.herald.client.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.api.Position;
import io.herald.client.Identity;
import io.herald.client.IdentityStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import redis.clients.jedis.UnifiedJedis;

/**
 * An {@link IdentityStore} in one Redis string: the same JSON as the file store,
 * {@code {"clientId": "...", "positions": {"/a/b": "<epoch>:<offset>"}}}, written with one {@code SET}, so a save
 * replaces the identity whole and a process killed mid-save leaves the old one or the new one. A client process
 * that restarts on another host finds its identity there, where a file would stay behind on the old host.
 *
 * <pre>{@code
 * UnifiedJedis redis = RedisClient.create("127.0.0.1", 6379);      // any UnifiedJedis: a pool, a cluster client
 * HeraldClient client = HeraldClient.builder(URI.create("http://localhost:8080/bayeux"))
 *         .identityStore(new RedisIdentityStore(redis, "orders-consumer:identity"))
 *         .build();
 * }</pre>
 *
 * <p>The key has no expiry: an identity whose session the server has dropped only costs the client a new
 * client id at its next handshake. The connection belongs to the caller, who closes it after the client.
 * Thread-safe (as the connection is: Jedis' pooled clients are).
 */
public final class RedisIdentityStore implements IdentityStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final UnifiedJedis redis;
    private final String key;

    /** The identity kept under {@code key} on {@code redis}. */
    public RedisIdentityStore(UnifiedJedis redis, String key) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.key = Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("an empty Redis key for the client identity");
        }
    }

    /** The key the identity lives under. */
    public String key() {
        return key;
    }

    @Override
    public Identity load() {
        String text = redis.get(key);
        if (text == null) {
            return Identity.EMPTY;
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the client identity in Redis key " + key + " is not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalStateException("the client identity in Redis key " + key + " is not a JSON object");
        }
        Map<String, Position> positions = new LinkedHashMap<>();
        root.path("positions").fields().forEachRemaining(e -> positions.put(e.getKey(), position(e.getKey(), e.getValue())));
        JsonNode id = root.get("clientId");
        return new Identity(id == null || id.isNull() ? null : id.asText(), positions);
    }

    @Override
    public void save(Identity identity) {
        ObjectNode root = JSON.createObjectNode();
        root.put("clientId", identity.clientId());
        ObjectNode positions = root.putObject("positions");
        identity.positions().forEach((channel, p) -> positions.put(channel, p.toString()));
        redis.set(key, root.toString());
    }

    @Override
    public void clear() {
        redis.del(key);
    }

    /** Herald's wire form of a position, {@code "<epoch>:<offset>"}. */
    private Position position(String channel, JsonNode value) {
        String text = value.asText("");
        int colon = text.lastIndexOf(':');
        try {
            if (value.isTextual() && colon > 0) {
                return new Position(text.substring(0, colon), Long.parseLong(text.substring(colon + 1)));
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalStateException("the client identity in Redis key " + key + " has a bad position for " + channel + ": " + value);
    }

    @Override
    public String toString() {
        return "RedisIdentityStore[" + key + "]";
    }
}
