package io.herald.bayeux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.api.ChannelName;
import io.herald.api.HeraldException;
import io.herald.api.InvalidChannelException;
import io.herald.api.Position;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /meta/subscribe} and {@code /meta/unsubscribe}: a channel, a pattern or an array of them, checked all
 * before any is subscribed (a refusal subscribes none); {@code /service/**} succeeds and records nothing;
 * {@code ext.herald.after} replays one exact channel. Thread-safe.
 */
final class BayeuxSubscriptions {

    private final BayeuxServer server;

    BayeuxSubscriptions(BayeuxServer server) {
        this.server = server;
    }

    ObjectNode subscribe(BayeuxClient client, BayeuxMessage message, boolean subscribe) {
        JsonNode subscription = message.subscription();
        List<String> names = new ArrayList<>();
        if (subscription != null && subscription.isTextual()) {
            names.add(subscription.asText());
        } else if (subscription != null && subscription.isArray()) {
            for (JsonNode name : subscription) {
                if (!name.isTextual()) {
                    return message.failure(BayeuxErrors.of(400, client.id(), "subscription must be a channel or an array of channels"));
                }
                names.add(name.asText());
            }
        }
        if (names.isEmpty()) {
            return message.failure(BayeuxErrors.of(400, client.id(), "missing subscription"));
        }
        List<ChannelName> channels = new ArrayList<>(names.size());
        for (String name : names) {
            ChannelName channel;
            try {
                channel = ChannelName.of(name);
            } catch (InvalidChannelException e) {
                return withSubscription(message.failure(BayeuxErrors.of(405, client.id() + "," + name, e.getMessage())), subscription);
            }
            if (channel.isMeta()) {
                return withSubscription(message.failure(BayeuxErrors.of(403, client.id() + "," + name,
                        "meta channels cannot be subscribed to")), subscription);
            }
            if (!channel.isService()) {
                channels.add(channel);
            }
        }
        String args = client.id() + "," + String.join(",", names);
        try {
            if (subscribe) {
                Position after = after(message);
                if (after != null && (channels.size() != 1 || channels.get(0).isPattern())) {
                    return withSubscription(message.failure(BayeuxErrors.of(400, args,
                            "ext.herald.after replays one exact channel, not patterns or several channels")), subscription);
                }
                for (ChannelName channel : channels) {
                    server.engine.checkSubscribe(client.session.principal(), channel);
                }
                for (ChannelName channel : channels) {
                    server.subscribe(client, channel, after);
                }
            } else {
                for (ChannelName channel : channels) {
                    client.connection().unsubscribe(channel.value(), true);
                    if (channel.isPattern()) {
                        // The acknowledged subscriptions its channels got for an acking client go with it.
                        for (var own : List.copyOf(client.connection().subscriptions())) {
                            if (channel.value().equals(PatternChannels.patternOf(own.key()))) {
                                client.connection().unsubscribe(own.key(), true);
                            }
                        }
                    }
                }
            }
        } catch (BadPosition e) {
            return withSubscription(message.failure(BayeuxErrors.of(400, args, e.getMessage())), subscription);
        } catch (HeraldException e) {
            return withSubscription(message.failure(BayeuxErrors.of(e, args)), subscription);
        }
        ObjectNode reply = message.reply();
        reply.put("clientId", client.id());
        reply.put("successful", true);
        if (subscribe) {
            // Where each exact channel starts, so a client acknowledging positions can ask for a replay even
            // when the first reply carrying messages is lost.
            ObjectNode positions = null;
            for (ChannelName channel : channels) {
                var subscribed = client.connection().subscription(channel.value());
                Position start = subscribed == null ? null : subscribed.cursor();
                if (start != null) {
                    if (positions == null) {
                        positions = reply.putObject("ext").putObject("herald").putObject("positions");
                    }
                    positions.put(channel.value(), start.toString());
                }
            }
        }
        return withSubscription(reply, subscription);
    }

    private static ObjectNode withSubscription(ObjectNode reply, JsonNode subscription) {
        if (subscription != null) {
            reply.set("subscription", subscription);
        }
        return reply;
    }

    /** A replay position {@code "<epoch>:<offset>"} the subscriber holds. */
    private static final class BadPosition extends Exception {
        BadPosition(String message) {
            super(message, null, false, false);
        }
    }

    /** A position {@code "<epoch>:<offset>"}, or null when it is not one. */
    static Position position(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        try {
            return colon < 1 ? null : new Position(text.substring(0, colon), Long.parseLong(text.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Position after(BayeuxMessage message) throws BadPosition {
        JsonNode after = message.heraldExt().get("after");
        if (after == null || after.isNull()) {
            return null;
        }
        String text = after.asText();
        int colon = text.lastIndexOf(':');
        try {
            if (!after.isTextual() || colon < 1) {
                throw new IllegalArgumentException("expected \"<epoch>:<offset>\"");
            }
            return new Position(text.substring(0, colon), Long.parseLong(text.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new BadPosition("ext.herald.after '" + text + "' is not a position \"<epoch>:<offset>\": " + e.getMessage());
        }
    }
}
