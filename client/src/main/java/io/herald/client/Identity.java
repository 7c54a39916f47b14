package io.herald.client;

import io.herald.api.Position;
import java.util.Map;
import java.util.Objects;

/**
 * What a client keeps to resume after its process restarts: its Bayeux client id (null before the first
 * handshake) and the position it has handled on each exact channel.
 */
public record Identity(String clientId, Map<String, Position> positions) {

    public static final Identity EMPTY = new Identity(null, Map.of());

    public Identity {
        Objects.requireNonNull(positions, "positions");
        positions = Map.copyOf(positions);
    }
}
