package io.herald.rabbitmq;

import com.rabbitmq.client.ConnectionFactory;
import io.herald.core.config.PluginSettings;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The typed settings of the {@code rabbitmq} broker: {@code rabbitmq.url} ({@code --rabbitmq-url},
 * {@code HERALD_RABBITMQ_URL}: {@code amqp://user:password@host:port/vhost}, or {@code amqps://} for TLS),
 * {@code rabbitmq.exchange}, {@code rabbitmq.confirm-timeout}, {@code rabbitmq.recovery-interval},
 * {@code rabbitmq.prefetch}, {@code rabbitmq.durable-queues}.
 *
 * <p>{@link #validate()} refuses what cannot work in one line (never printing the password), whether Herald
 * is assembled in code or by the server from flags. Immutable and thread-safe.
 *
 * @param source the configuration they were read from, to name a bad value as it was given
 * @param url the AMQP URI
 * @param exchange the topic exchange every node of the cluster publishes to and binds its queue on
 * @param confirmTimeout how long a publish waits for RabbitMQ's confirm before it fails
 * @param recoveryInterval the wait between attempts to reconnect after the connection was lost
 * @param prefetch how many deliveries RabbitMQ may push to a node ahead of its acks
 * @param durableQueues whether durable subscriptions keep their backlog in durable RabbitMQ queues of their own
 *     (messages are then persistent)
 */
public record RabbitSettings(Settings source, String url, String exchange, Duration confirmTimeout, Duration recoveryInterval,
                             int prefetch, boolean durableQueues) implements PluginSettings {

    /** Where RabbitMQ is. */
    public static final Setting<String> URL = Setting.string("rabbitmq.url", "amqp://guest:guest@127.0.0.1:5672/",
            "RabbitMQ URI, amqp://user:password@host:port/vhost or amqps:// for TLS");
    /** The topic exchange of the cluster. */
    public static final Setting<String> EXCHANGE = Setting.string("rabbitmq.exchange", "herald",
            "RabbitMQ topic exchange the nodes fan out through (declared durable if missing)");
    /** How long a publish waits for the publisher confirm. */
    public static final Setting<Duration> CONFIRM_TIMEOUT = Setting.duration("rabbitmq.confirm-timeout", "5s",
            "how long a publish waits for RabbitMQ's confirm before it fails");
    /** Wait between reconnection attempts. */
    public static final Setting<Duration> RECOVERY_INTERVAL = Setting.duration("rabbitmq.recovery-interval", "1s",
            "wait between attempts to reconnect to RabbitMQ");
    /** Deliveries in flight to a node. */
    public static final Setting<Integer> PREFETCH = Setting.integer("rabbitmq.prefetch", 1000, 1, 65_535,
            "deliveries RabbitMQ pushes to a node ahead of its acks");
    /** Durable per-subscription queues that hold a durable subscription's backlog beyond history. */
    public static final Setting<Boolean> DURABLE_QUEUES = Setting.bool("rabbitmq.durable-queues", false,
            "keep each durable subscription's messages in a durable RabbitMQ queue of its own (STOMP x-queue-name), so a client "
                    + "away longer than history's retention still gets everything; messages are published persistent");

    /** The settings above. */
    public static List<Setting<?>> all() {
        return List.of(URL, EXCHANGE, CONFIRM_TIMEOUT, RECOVERY_INTERVAL, PREFETCH, DURABLE_QUEUES);
    }

    /**
     * Reads the settings; no I/O.
     *
     * @throws io.herald.core.config.ConfigurationException for a value that does not parse
     */
    public static RabbitSettings from(Settings settings) {
        return new RabbitSettings(settings, settings.get(URL), settings.get(EXCHANGE), settings.get(CONFIRM_TIMEOUT),
                settings.get(RECOVERY_INTERVAL), settings.get(PREFETCH), settings.get(DURABLE_QUEUES));
    }

    @Override
    public void validate() {
        connectionFactory();
        if (exchange.isBlank() || exchange.startsWith("amq.") || exchange.length() > 255) {
            throw source.invalid(EXCHANGE, "it must be a name of 1 to 255 characters not starting with 'amq.' (reserved), got '" + exchange + "'");
        }
        positive(CONFIRM_TIMEOUT, confirmTimeout);
        positive(RECOVERY_INTERVAL, recoveryInterval);
    }

    private void positive(Setting<Duration> setting, Duration value) {
        if (value.isNegative() || value.isZero() || value.toMillis() > Integer.MAX_VALUE) {
            throw source.invalid(setting, "it must be positive and under 24 days, got " + value);
        }
    }

    /** A factory for this URL with automatic recovery on; topology is restored by the broker itself. */
    ConnectionFactory connectionFactory() {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(url);
        } catch (Exception e) {
            throw source.invalid(URL, "not an AMQP URI amqp://user:password@host:port/vhost (" + safe(e.getMessage()) + ")");
        }
        if ("/".equals(URI.create(url).getRawPath())) {
            // amqp://host/ would name the vhost "" by the URI spec; everyone who writes it means the default one.
            factory.setVirtualHost("/");
        }
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(false);
        factory.setNetworkRecoveryInterval(recoveryInterval.toMillis());
        factory.setConnectionTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1000, confirmTimeout.toMillis())));
        factory.setRequestedHeartbeat(10);
        return factory;
    }

    /** host:port/vhost of the URL, for messages: never its credentials. */
    String endpoint() {
        try {
            URI uri = URI.create(url);
            return uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : 5672) + (uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath());
        } catch (IllegalArgumentException e) {
            return "(unparseable URL)";
        }
    }

    private String safe(String message) {
        String m = String.valueOf(message);
        int at = url.indexOf('@');
        return at > 0 ? m.replace(url.substring(0, at), "amqp://***") : m;
    }
}
