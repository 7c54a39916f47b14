package io.herald.bayeux;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.api.ChannelName;
import io.herald.api.Principal;

/**
 * A server-side handler for messages published to {@code /service/**} channels: request/response between one
 * client and the server, never broadcast and never stored. A message to a service channel that no service
 * covers gets an unsuccessful reply ({@code 404}).
 *
 * <p>Bind implementations with {@code Multibinder.newSetBinder(binder(), BayeuxService.class)}. Called on a
 * request thread; must be thread-safe. A {@link io.herald.api.HeraldException} thrown by {@link #handle}
 * becomes the error of the publish reply.
 *
 * <p>Example: an echo service.
 * <pre>{@code
 * final class Echo implements BayeuxService {
 *     public ChannelName channel() { return ChannelName.of("/service/echo"); }
 *     public JsonNode handle(Call call) { return call.data(); }
 * }
 * }</pre>
 */
public interface BayeuxService {

    /**
     * A message a client sent to a service channel.
     *
     * @param clientId the sender's client id
     * @param principal who the sender authenticated as
     * @param channel the concrete channel published to
     * @param data the message's {@code data}
     */
    record Call(String clientId, Principal principal, ChannelName channel, JsonNode data) {
    }

    /** The service channel or pattern ({@code /service/echo}, {@code /service/rooms/**}) this service answers. */
    ChannelName channel();

    /**
     * Handles {@code call}.
     *
     * @return the {@code data} of the answer delivered to the caller alone, on the call's channel, in the same
     *     response as the publish reply; {@code null} for no answer
     */
    JsonNode handle(Call call);
}
