package io.herald.bayeux;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.api.Principal;

/**
 * A server-side Bayeux extension: sees every message a client sends before Herald acts on it, and every reply
 * before it is written, as Faye's and CometD's server extensions do. Used for authentication, filtering,
 * auditing or adding fields to {@code ext}.
 *
 * <p>Bind implementations with {@code Multibinder.newSetBinder(binder(), BayeuxExtension.class)}.
 * {@link #incoming} runs in binding order, {@link #outgoing} in reverse binding order. Both run on a
 * request thread and must not block for long; an extension that throws refuses the message.
 *
 * <p>Example: refuse publishes whose {@code ext.signature} is missing.
 * <pre>{@code
 * final class SignedPublishes implements BayeuxExtension {
 *     public boolean incoming(Context context, ObjectNode message) {
 *         String channel = message.path("channel").asText();
 *         if (channel.startsWith("/meta/") || message.path("ext").has("signature")) {
 *             return true;
 *         }
 *         message.put("error", "403::signature required");
 *         return false;
 *     }
 * }
 * }</pre>
 *
 * <p>Broadcast deliveries are encoded once and shared by every subscriber, so they do not pass through
 * {@link #outgoing}; replies (meta replies, publish acknowledgements, service answers) do. Implementations
 * must be thread-safe.
 */
public interface BayeuxExtension {

    /**
     * Who a message comes from or a reply goes to.
     *
     * @param clientId the client id, or {@code null} before a successful handshake
     * @param principal who authenticated
     * @param remoteAddress the client's address, when known
     */
    record Context(String clientId, Principal principal, String remoteAddress) {
    }

    /**
     * Sees (and may change) a message from a client.
     *
     * @return {@code false} to refuse it: the client gets an unsuccessful reply carrying the message's
     *     {@code error} field if the extension set one, {@code 403::refused} otherwise
     */
    default boolean incoming(Context context, ObjectNode message) {
        return true;
    }

    /** Sees (and may change) a reply before it is written. */
    default void outgoing(Context context, ObjectNode reply) {
    }
}
