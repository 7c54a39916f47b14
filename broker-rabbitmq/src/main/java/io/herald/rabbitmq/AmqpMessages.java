package io.herald.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import io.herald.api.ChannelName;
import io.herald.api.Message;
import io.herald.api.Payload;
import io.herald.api.Position;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link Message} as an AMQP message: the payload is the body, unchanged; the channel is the routing key
 * ({@link RoutingKeys}); the id, event type and content type are the standard properties {@code message-id},
 * {@code type} and {@code content-type}; the position and the timestamp are headers
 * {@value #EPOCH}, {@value #OFFSET}, {@value #TIMESTAMP} (milliseconds) and {@value #TIMESTAMP_NANOS} (the
 * nanoseconds past it, when not zero), and the publisher's own headers a nested table
 * {@value #HEADERS}, so they can never collide with Herald's. Messages are transient (history holds them, the
 * broker only fans them out) unless durable per-subscription queues keep backlogs, which need them persistent. Stateless and thread-safe.
 */
final class AmqpMessages {

    static final String EPOCH = "herald-epoch";
    static final String OFFSET = "herald-offset";
    static final String TIMESTAMP = "herald-timestamp";
    /** The nanoseconds past {@link #TIMESTAMP}'s millisecond, when there are any (the memory store keeps them). */
    static final String TIMESTAMP_NANOS = "herald-timestamp-ns";
    static final String HEADERS = "herald-headers";

    private AmqpMessages() {
    }

    static AMQP.BasicProperties properties(Message message) {
        return properties(message, false);
    }

    /** With {@code persistent}, delivery mode 2: a durable queue keeps the message across a RabbitMQ restart. */
    static AMQP.BasicProperties properties(Message message, boolean persistent) {
        Map<String, Object> headers = new HashMap<>(4);
        headers.put(EPOCH, message.position().epoch());
        headers.put(OFFSET, message.position().offset());
        headers.put(TIMESTAMP, message.timestamp().toEpochMilli());
        int nanos = message.timestamp().getNano() % 1_000_000;
        if (nanos != 0) {
            headers.put(TIMESTAMP_NANOS, nanos);
        }
        if (!message.headers().isEmpty()) {
            headers.put(HEADERS, new HashMap<String, Object>(message.headers()));
        }
        return new AMQP.BasicProperties.Builder()
                .messageId(message.id())
                .type(message.type())
                .contentType(message.contentType())
                .deliveryMode(persistent ? 2 : 1)
                .headers(headers)
                .build();
    }

    /**
     * The message delivered with {@code routingKey}, {@code properties} and {@code body}.
     *
     * @throws IllegalArgumentException if it is not a message Herald published (a header missing or malformed)
     */
    static Message decode(String routingKey, AMQP.BasicProperties properties, byte[] body) {
        ChannelName channel = RoutingKeys.channelOf(routingKey);
        Map<String, Object> headers = properties.getHeaders();
        if (headers == null || properties.getMessageId() == null) {
            throw new IllegalArgumentException("no Herald headers on a message of " + channel);
        }
        Position position = new Position(text(headers.get(EPOCH), EPOCH, channel), number(headers.get(OFFSET), OFFSET, channel));
        Instant timestamp = Instant.ofEpochMilli(number(headers.get(TIMESTAMP), TIMESTAMP, channel));
        if (headers.containsKey(TIMESTAMP_NANOS)) {
            timestamp = timestamp.plusNanos(number(headers.get(TIMESTAMP_NANOS), TIMESTAMP_NANOS, channel));
        }
        Map<String, String> own = Map.of();
        if (headers.get(HEADERS) instanceof Map<?, ?> table) {
            own = new HashMap<>();
            for (Map.Entry<?, ?> e : table.entrySet()) {
                own.put(String.valueOf(e.getKey()), text(e.getValue(), HEADERS, channel));
            }
        }
        return new Message(channel, position, properties.getMessageId(), properties.getType(), Payload.copyOf(body),
                properties.getContentType(), own, timestamp);
    }

    private static String text(Object value, String header, ChannelName channel) {
        if (value instanceof LongString || value instanceof String) {
            return value.toString();
        }
        throw new IllegalArgumentException("header " + header + " of a message of " + channel + " is not a string: " + value);
    }

    private static long number(Object value, String header, ChannelName channel) {
        if (value instanceof Long || value instanceof Integer) {
            return ((Number) value).longValue();
        }
        throw new IllegalArgumentException("header " + header + " of a message of " + channel + " is not a number: " + value);
    }
}
