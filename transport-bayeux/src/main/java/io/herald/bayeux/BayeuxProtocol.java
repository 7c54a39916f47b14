package io.herald.bayeux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.api.AuthenticationException;
import io.herald.api.ChannelName;
import io.herald.api.HeraldException;
import io.herald.api.InvalidChannelException;
import io.herald.api.Payload;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.api.StoreException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bayeux 1.0 message processing, whatever the transport: the meta channels, publishes, service channels, the
 * extension hooks. A request's messages are acted on in order and each one with an {@code id} gets a reply with
 * that id; replies never carry {@code data}. A {@code /meta/handshake} is processed alone. The reply to a
 * {@code /meta/connect} comes last, when the connect is released, with the deliveries.
 *
 * <p>Every refusal is an unsuccessful reply naming the client and channel, and changes nothing: an unknown or
 * expired client id gets {@code 402::session_unknown} with advice {@code {"reconnect":"handshake"}}, publishing
 * to {@code /meta/**} {@code 403}, a bad channel {@code 405}. Thread-safe.
 */
@Singleton
final class BayeuxProtocol {

    private static final Logger LOG = LoggerFactory.getLogger(BayeuxProtocol.class);
    static final List<String> CONNECTION_TYPES = List.of("long-polling", "cross-origin-long-polling", "callback-polling");

    private final BayeuxServer server;
    private final BayeuxSubscriptions subscriptions;

    @Inject
    BayeuxProtocol(BayeuxServer server) {
        this.server = server;
        this.subscriptions = new BayeuxSubscriptions(server);
    }

    /**
     * Processes one request's messages and answers them on {@code link}.
     *
     * @param token the bearer token the transport found outside the messages (an HTTP header), or null
     */
    void process(List<BayeuxMessage> batch, BayeuxLink link, String token, String remoteAddress) {
        server.stats.requests.increment();
        List<ObjectNode> replies = new ArrayList<>(batch.size());
        BayeuxMessage connect = null;
        BayeuxClient connectClient = null;
        for (int i = 0; i < batch.size(); i++) {
            BayeuxMessage message = batch.get(i);
            String clientId = message.clientId();
            BayeuxClient known = server.local(clientId);
            BayeuxExtension.Context context = known != null ? known.context
                    : new BayeuxExtension.Context(null, null, remoteAddress);
            if (!incoming(context, message, replies)) {
                continue;
            }
            String channel = message.channel();
            if (channel.equals(BayeuxMessage.HANDSHAKE)) {
                if (i == 0) {
                    // The handshake is processed alone; whatever came with it is ignored, as the spec says.
                    replies.add(handshake(message, token, remoteAddress));
                    send(link, replies, context);
                    return;
                }
                replies.add(message.failure("400::a handshake must be sent alone"));
                continue;
            }
            BayeuxClient client;
            try {
                client = clientId == null ? null
                        : server.find(clientId, principal(message, token, remoteAddress), remoteAddress).orElse(null);
            } catch (StoreException e) {
                // The session cannot be looked up now: the client keeps its id and retries.
                LOG.warn("cannot resume Bayeux client {}: {}", clientId, e.getMessage());
                ObjectNode failure = message.failure(BayeuxErrors.of(e, clientId));
                failure.set("advice", server.advice("retry"));
                replies.add(failure);
                continue;
            }
            if (client == null) {
                replies.add(unknown(message));
                continue;
            }
            ObjectNode reply = switch (channel) {
                case BayeuxMessage.CONNECT -> {
                    if (connect != null) {
                        yield message.failure(BayeuxErrors.of(400, client.id(), "one /meta/connect per request"));
                    }
                    if (!client.sessionLives()) {
                        server.detach(client);
                        yield unknown(message);
                    }
                    connect = message;
                    connectClient = client;
                    yield null;
                }
                case BayeuxMessage.SUBSCRIBE -> subscriptions.subscribe(client, message, true);
                case BayeuxMessage.UNSUBSCRIBE -> subscriptions.subscribe(client, message, false);
                case BayeuxMessage.DISCONNECT -> disconnect(client, message);
                default -> message.isMeta()
                        ? message.failure(BayeuxErrors.of(400, client.id() + "," + channel, "unknown meta channel"))
                        : publish(client, message, replies);
            };
            if (reply != null) {
                server.outgoing(client.context, reply);
                replies.add(reply);
            }
        }
        if (connect == null) {
            send(link, replies, null);
            return;
        }
        if (!link.oneResponse() && !replies.isEmpty()) {
            send(link, replies, null);
            replies = new ArrayList<>();
        }
        connect(connectClient, connect, replies, link);
    }

    /** Whether the WebSocket frames of this node's clients are to be read on the selector thread. */
    boolean readsOnSelector() {
        return server.connectsWithoutWaiting();
    }

    /**
     * Whether {@link #process} handles {@code batch} without waiting (see {@link BayeuxServer#connectsWithoutWaiting}):
     * only connects, each of a client this node holds, so neither the store nor a resume is asked.
     */
    boolean answersWithoutWaiting(List<BayeuxMessage> batch) {
        if (!server.connectsWithoutWaiting() || batch.isEmpty()) {
            return false;
        }
        for (int i = 0; i < batch.size(); i++) {
            BayeuxMessage message = batch.get(i);
            if (!message.channel().equals(BayeuxMessage.CONNECT) || server.local(message.clientId()) == null) {
                return false;
            }
        }
        return true;
    }

    private void send(BayeuxLink link, List<ObjectNode> replies, BayeuxExtension.Context context) {
        if (context != null) {
            replies.forEach(r -> server.outgoing(context, r));
        }
        link.send(replies, List.of());
    }

    private boolean incoming(BayeuxExtension.Context context, BayeuxMessage message, List<ObjectNode> replies) {
        for (BayeuxExtension extension : server.extensions) {
            boolean accepted;
            try {
                accepted = extension.incoming(context, message.node());
            } catch (RuntimeException e) {
                LOG.warn("Bayeux extension {} failed on {}: {}", extension.getClass().getName(), message.channel(), e.toString());
                accepted = false;
            }
            if (!accepted) {
                JsonNode error = message.node().get("error");
                replies.add(message.failure(error != null && error.isTextual() ? error.asText() : "403::refused"));
                return false;
            }
        }
        return true;
    }

    /** Who a message speaks for when its client must be found in the store: its token, else anonymous. */
    private Principal principal(BayeuxMessage message, String token, String remoteAddress) {
        JsonNode extToken = message.ext().get("token");
        String t = extToken != null && extToken.isTextual() ? extToken.asText() : token;
        try {
            return server.authenticate(t, remoteAddress);
        } catch (AuthenticationException e) {
            return Principal.ANONYMOUS;
        }
    }

    private ObjectNode unknown(BayeuxMessage message) {
        server.stats.unknownClients.increment();
        ObjectNode reply = message.failure(BayeuxErrors.SESSION_UNKNOWN);
        reply.set("advice", server.advice("handshake"));
        return reply;
    }

    private ObjectNode handshake(BayeuxMessage message, String token, String remoteAddress) {
        JsonNode types = message.node().get("supportedConnectionTypes");
        if (types != null && types.isArray()) {
            boolean common = false;
            for (JsonNode type : types) {
                common |= type.isTextual() && (CONNECTION_TYPES.contains(type.asText()) || type.asText().equals("websocket"));
            }
            if (!common) {
                ObjectNode reply = message.failure("301::" + String.join(",", CONNECTION_TYPES) + ":Connection types not supported");
                reply.set("advice", server.advice("none"));
                return reply;
            }
        }
        JsonNode extToken = message.ext().get("token");
        Principal principal;
        try {
            principal = server.authenticate(extToken != null && extToken.isTextual() ? extToken.asText() : token, remoteAddress);
        } catch (AuthenticationException e) {
            ObjectNode reply = message.failure(BayeuxErrors.of(e, null));
            reply.set("advice", server.advice("none"));
            return reply;
        }
        String previous = message.heraldExt().path("clientId").asText(null);
        try {
            Optional<BayeuxClient> resumed = previous == null ? Optional.empty() : server.find(previous, principal, remoteAddress);
            resumed.ifPresent(BayeuxClient::handshaken);
            boolean ack = message.ext().path("ack").asBoolean(false);
            BayeuxClient client = resumed.orElseGet(() -> server.create(principal, remoteAddress, ack));
            server.stats.handshakes.increment();
            ObjectNode reply = message.reply();
            reply.put("successful", true);
            reply.put("version", "1.0");
            reply.put("minimumVersion", "1.0");
            reply.putArray("supportedConnectionTypes").addAll(supportedTypes(message));
            reply.put("clientId", client.id());
            reply.set("advice", server.advice("retry"));
            ObjectNode ext = reply.putObject("ext");
            ext.putObject("herald").put("resumed", resumed.isPresent());
            if (ack) {
                client.enableAck();
                ext.put("ack", true);
            }
            return reply;
        } catch (StoreException e) {
            LOG.warn("cannot open a Bayeux session: {}", e.getMessage());
            ObjectNode reply = message.failure(BayeuxErrors.of(e, null));
            reply.set("advice", server.advice("handshake"));
            return reply;
        }
    }

    private List<com.fasterxml.jackson.databind.node.TextNode> supportedTypes(BayeuxMessage message) {
        List<String> types = new ArrayList<>(CONNECTION_TYPES);
        if (server.websockets()) {
            types.add(0, "websocket");
        }
        return types.stream().map(com.fasterxml.jackson.databind.node.TextNode::valueOf).toList();
    }

    private void connect(BayeuxClient client, BayeuxMessage message, List<ObjectNode> before, BayeuxLink link) {
        JsonNode ack = message.ext().get("ack");
        if (ack != null && ack.isIntegralNumber()) {
            client.enableAck();
            client.acknowledge(ack.asLong());
        }
        JsonNode positions = message.heraldExt().get("ack");
        if (positions != null && positions.isObject()) {
            client.acknowledgePositions(positions);
        }
        ObjectNode reply = message.reply();
        reply.put("successful", true);
        // The client id and the advice are added when the connect is answered (BayeuxClient.respond), not kept
        // while it is held.
        JsonNode timeout = message.advice().get("timeout");
        Duration hold = server.settings.timeout();
        if (timeout != null && timeout.canConvertToLong() && timeout.asLong() >= 0 && timeout.asLong() < hold.toMillis()) {
            hold = Duration.ofMillis(timeout.asLong());
        }
        if (!server.isRunning()) {
            hold = Duration.ZERO;
        }
        client.connect(link, before, reply, hold);
    }

    private ObjectNode disconnect(BayeuxClient client, BayeuxMessage message) {
        server.end(client);
        ObjectNode reply = message.reply();
        reply.put("clientId", client.id());
        reply.put("successful", true);
        return reply;
    }

    private ObjectNode publish(BayeuxClient client, BayeuxMessage message, List<ObjectNode> replies) {
        String name = message.channel();
        String args = client.id() + "," + name;
        ChannelName channel;
        try {
            channel = ChannelName.of(name);
        } catch (InvalidChannelException e) {
            return message.failure(BayeuxErrors.of(405, args, e.getMessage()));
        }
        if (channel.isPattern()) {
            return message.failure(BayeuxErrors.of(405, args, "cannot publish to a wildcard pattern"));
        }
        JsonNode data = message.data();
        if (data == null) {
            return message.failure(BayeuxErrors.of(400, args, "missing data"));
        }
        io.herald.api.Position position;
        try {
            if (channel.isService()) {
                return service(client, message, channel, data, replies);
            }
            position = server.engine.publish(client.session.principal(), new Publication(channel, null, null,
                    Payload.copyOf(BayeuxCodec.MAPPER.writeValueAsBytes(data)), Publication.JSON, Map.of())).position();
            server.stats.published.increment();
        } catch (HeraldException e) {
            if (e instanceof StoreException) {
                LOG.warn("cannot publish to {} for Bayeux client {}: {}", channel, client.id(), e.getMessage());
            }
            return message.failure(BayeuxErrors.of(e, args));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return message.failure(BayeuxErrors.of(400, args, "data cannot be serialized"));
        }
        ObjectNode reply = message.reply();
        reply.put("successful", true);
        // The position the message was given, so a publisher (Herald's Java client) can tell where it went.
        reply.putObject("ext").putObject("herald").put("position", position.toString());
        return reply;
    }

    private ObjectNode service(BayeuxClient client, BayeuxMessage message, ChannelName channel, JsonNode data,
                               List<ObjectNode> replies) {
        String args = client.id() + "," + channel.value();
        for (BayeuxService service : server.services) {
            if (service.channel().covers(channel)) {
                JsonNode answer = service.handle(new BayeuxService.Call(client.id(), client.session.principal(), channel, data));
                ObjectNode reply = message.reply();
                reply.put("successful", true);
                if (answer != null) {
                    // The answer goes to the caller alone, after the publish reply.
                    server.outgoing(client.context, reply);
                    replies.add(reply);
                    ObjectNode delivery = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
                    delivery.put("channel", channel.value());
                    delivery.set("data", answer);
                    return delivery;
                }
                return reply;
            }
        }
        return message.failure(BayeuxErrors.of(404, args, "no service answers this channel"));
    }
}
