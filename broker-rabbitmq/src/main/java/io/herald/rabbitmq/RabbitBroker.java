package io.herald.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.InvalidChannelException;
import io.herald.api.Lifecycle;
import io.herald.api.Message;
import io.herald.api.StoreException;
import io.herald.core.ChannelIndex;
import io.herald.core.RandomIds;
import java.io.IOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fan-out between nodes through one RabbitMQ topic exchange. Each node declares one exclusive, auto-delete,
 * server-named queue and binds it with the routing keys of the channels and patterns its clients listen to
 * ({@link RoutingKeys}); a key is bound by its first subscriber and unbound after its last, and
 * {@link #subscribe} returns once RabbitMQ confirmed the binding ({@code queue.bind-ok}), so a message
 * published afterwards reaches the listener. A message reaches a node's queue once however many of its
 * bindings match; the node hands it to every local listener whose channel or pattern matches.
 *
 * <p><b>Publishing</b> goes through one channel in confirm mode ({@link PublishConfirms}): {@link #publishAsync}
 * completes when RabbitMQ confirmed the message, and fails with a clear error on a nack, after
 * {@code rabbitmq.confirm-timeout}, or when the connection was lost first. {@link #publish} waits for that.
 *
 * <p><b>Failures.</b> The client's automatic recovery reconnects (every {@code rabbitmq.recovery-interval});
 * this class then declares a new queue, binds every key in use, consumes again and only then tells every
 * listener {@link Listener#onResync()}, so the engine re-reads history for what was published meanwhile (the
 * old queue, and what it held, went with the old connection). Subscribing while the connection is down
 * records the binding for the recovery and returns; that subscriber is resynced with the others.
 *
 * <p><b>Threads.</b> Listeners are called on the client's dispatch thread of the consuming channel, one
 * message at a time in the order of the queue, which keeps each channel's publish order. Bindings change
 * under one lock, which no delivery or confirm ever takes. Thread-safe.
 */
final class RabbitBroker implements Broker, Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitBroker.class);

    private final RabbitSettings settings;
    private final String connectionName = "herald-" + RandomIds.next(8);
    private final Object lock = new Object();
    /** Subscriptions per binding key; guarded by lock. */
    private final Map<String, Integer> bindings = new HashMap<>();
    private final ChannelIndex<Registration> index = new ChannelIndex<>();
    /** Every open registration, for resyncs; guarded by lock. */
    private final Set<Registration> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private volatile boolean running;
    /** The queue exists with every binding; false from a connection loss until the recovery restored them. */
    private volatile boolean ready;
    private Connection connection;
    private Channel consuming;
    private Channel publishing;
    private PublishConfirms confirms;
    private ScheduledExecutorService timer;
    /** Guarded by lock. */
    private Channel topology;
    /** Guarded by lock. */
    private String queue;

    RabbitBroker(RabbitSettings settings) {
        this.settings = settings;
    }

    @Override
    public void start() {
        ConnectionFactory factory = settings.connectionFactory();
        factory.setChannelRpcTimeout((int) Math.max(5000, settings.confirmTimeout().toMillis()));
        try {
            connection = factory.newConnection(connectionName);
        } catch (IOException | TimeoutException e) {
            throw new StoreException("cannot connect to RabbitMQ at " + settings.endpoint() + ": " + describe(e), e);
        }
        try {
            publishing = connection.createChannel();
            publishing.confirmSelect();
            confirms = new PublishConfirms(publishing, settings.confirmTimeout().toNanos(), settings.durableQueues());
            publishing.addConfirmListener(confirms);
            publishing.addShutdownListener(cause -> confirms.channelLost("the channel to RabbitMQ closed (" + describe(cause) + ")"));
            consuming = connection.createChannel();
            consuming.basicQos(settings.prefetch());
            synchronized (lock) {
                declareQueue();
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw new StoreException("cannot set up the exchange '" + settings.exchange() + "' and this node's queue on RabbitMQ at "
                    + settings.endpoint() + ": " + describe(e), e);
        }
        running = true;
        ready = true;
        connection.addShutdownListener(this::lost);
        ((Recoverable) connection).addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable recovered) {
                timer.execute(RabbitBroker.this::restore);
            }

            @Override
            public void handleRecoveryStarted(Recoverable recovering) {
            }
        });
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-rabbitmq-timer");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, Math.min(500, settings.confirmTimeout().toMillis() / 10));
        timer.scheduleWithFixedDelay(confirms::expire, period, period, TimeUnit.MILLISECONDS);
        LOG.info("fanning out through RabbitMQ at {}, exchange '{}', queue {}", settings.endpoint(), settings.exchange(), queue);
    }

    @Override
    public void stop() {
        running = false;
        ready = false;
        if (timer != null) {
            timer.shutdownNow();
        }
        closeQuietly();
    }

    @Override
    public void publish(Message message) {
        try {
            publishAsync(message).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    @Override
    public CompletableFuture<Void> publishAsync(Message message) {
        if (!running) {
            return CompletableFuture.failedFuture(PublishConfirms.failure(message, "the RabbitMQ broker is not started"));
        }
        return confirms.publish(settings.exchange(), message);
    }

    @Override
    public Subscription subscribe(ChannelName channelOrPattern, Listener listener) {
        String key = RoutingKeys.of(channelOrPattern);
        Registration registration = new Registration(channelOrPattern, key, listener);
        synchronized (lock) {
            if (!running) {
                throw new StoreException("cannot subscribe to " + channelOrPattern + ": the RabbitMQ broker is not started");
            }
            int count = bindings.merge(key, 1, Integer::sum);
            if (count == 1 && ready) {
                try {
                    topology().queueBind(queue, settings.exchange(), key);
                } catch (IOException | ShutdownSignalException e) {
                    if (connection.isOpen()) {
                        bindings.merge(key, -1, Integer::sum);
                        bindings.remove(key, 0);
                        throw new StoreException("cannot subscribe to " + channelOrPattern + ": RabbitMQ at " + settings.endpoint()
                                + " did not bind key '" + key + "' on exchange '" + settings.exchange() + "': " + describe(e), e);
                    }
                    // The connection is gone: its recovery binds every key, this one included, then resyncs.
                }
            }
            index.add(channelOrPattern, registration);
            live.add(registration);
        }
        return registration;
    }

    private void unsubscribe(Registration registration) {
        synchronized (lock) {
            if (!index.remove(registration.channel, registration)) {
                return;
            }
            live.remove(registration);
            int count = bindings.merge(registration.key, -1, Integer::sum);
            if (count > 0) {
                return;
            }
            bindings.remove(registration.key);
            if (ready) {
                try {
                    topology().queueUnbind(queue, settings.exchange(), registration.key);
                } catch (IOException | ShutdownSignalException e) {
                    // An extra binding only costs deliveries this node drops; a lost connection takes it anyway.
                    LOG.debug("unbinding '{}' failed: {}", registration.key, describe(e));
                }
            }
        }
    }

    /**
     * A new channel on this node's connection, for the durable queues' readers.
     *
     * @throws IOException if RabbitMQ cannot be reached or refuses
     */
    Channel openChannel() throws IOException {
        if (!running || connection == null) {
            throw new IOException("the RabbitMQ broker is not started");
        }
        Channel ch = connection.createChannel();
        if (ch == null) {
            throw new IOException("RabbitMQ at " + settings.endpoint() + " has no channel left on this node's connection");
        }
        return ch;
    }

    /** The connection's client-provided name (tests find the connection with {@code rabbitmqctl list_connections}). */
    String connectionName() {
        return connectionName;
    }

    /** {@code null} while the connection is up with every binding, else what is wrong. */
    String problem() {
        if (!running) {
            return "the RabbitMQ broker is not started";
        }
        return ready && connection.isOpen() ? null : "connection to RabbitMQ at " + settings.endpoint() + " is down, recovering";
    }

    /** Publishes sent and not yet confirmed or failed. */
    int unconfirmed() {
        return confirms.outstanding();
    }

    /** The exchange, this node's queue (a new one after each recovery) and bindings; call with the lock held. */
    private void declareQueue() throws IOException {
        Channel t = topology();
        t.exchangeDeclare(settings.exchange(), BuiltinExchangeType.TOPIC, true);
        queue = consuming.queueDeclare("", false, true, true, null).getQueue();
        for (String key : bindings.keySet()) {
            t.queueBind(queue, settings.exchange(), key);
        }
        consuming.basicConsume(queue, false, "herald-" + connectionName, new Deliveries(consuming));
    }

    /** An open channel for bindings: a refused command closes a channel, so the next one opens another. */
    private Channel topology() throws IOException {
        if (topology == null || !topology.isOpen()) {
            topology = connection.createChannel();
        }
        return topology;
    }

    private void lost(ShutdownSignalException cause) {
        if (running && !cause.isInitiatedByApplication()) {
            ready = false;
            LOG.warn("connection to RabbitMQ at {} lost ({}); recovering, then re-reading history", settings.endpoint(), describe(cause));
        }
    }

    /** After the client reconnected: a new queue, every binding, consuming; then every listener resyncs. Timer thread. */
    private void restore() {
        if (!running) {
            return;
        }
        synchronized (lock) {
            try {
                declareQueue();
                ready = true;
            } catch (IOException | RuntimeException e) {
                LOG.warn("RabbitMQ at {} is back but this node's queue cannot be set up yet ({}); retrying", settings.endpoint(), describe(e));
                timer.schedule(this::restore, settings.recoveryInterval().toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            LOG.info("connection to RabbitMQ at {} is back with {} bindings on queue {}; re-reading history",
                    settings.endpoint(), bindings.size(), queue);
        }
        resyncAll();
    }

    /** Tells every listener, once each, that messages may have been lost. */
    private void resyncAll() {
        Set<Listener> listeners = Collections.newSetFromMap(new IdentityHashMap<>());
        synchronized (lock) {
            live.forEach(r -> listeners.add(r.listener));
        }
        for (Listener listener : listeners) {
            try {
                listener.onResync();
            } catch (RuntimeException e) {
                LOG.warn("listener failed on resync: {}", e.toString());
            }
        }
    }

    private void closeQuietly() {
        if (connection != null) {
            try {
                connection.close(2000);
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing the RabbitMQ connection: {}", e.toString());
            }
        }
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        return t instanceof ShutdownSignalException s && s.getReason() != null ? s.getReason().protocolMethodName() + " " + s.getMessage()
                : String.valueOf(t.getMessage() != null ? t.getMessage() : t.toString());
    }

    /** The consumer of this node's queue: hands each message to the matching listeners, acks in batches. */
    private final class Deliveries extends DefaultConsumer {
        private final int ackEvery = Math.max(1, settings.prefetch() / 4);
        private int unacked;

        Deliveries(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) throws IOException {
            deliver(envelope.getRoutingKey(), properties, body);
            if (++unacked >= ackEvery) {
                unacked = 0;
                getChannel().basicAck(envelope.getDeliveryTag(), true);
            }
        }

        @Override
        public void handleCancel(String tag) {
            // RabbitMQ cancelled the consumer (the queue was deleted behind Herald's back): start over.
            LOG.warn("RabbitMQ cancelled this node's consumer of queue {}; declaring a new queue, then re-reading history", queue);
            ready = false;
            timer.execute(RabbitBroker.this::restore);
        }
    }

    private void deliver(String routingKey, AMQP.BasicProperties properties, byte[] body) {
        Message message;
        try {
            message = AmqpMessages.decode(routingKey, properties, body);
        } catch (IllegalArgumentException | InvalidChannelException | NullPointerException e) {
            LOG.warn("dropping an unreadable message with routing key '{}' from exchange '{}': {}", routingKey, settings.exchange(), e.getMessage());
            return;
        }
        index.forEachMatch(message.channel(), r -> {
            if (!r.closed) {
                try {
                    r.listener.onMessage(message);
                } catch (RuntimeException e) {
                    LOG.warn("listener of {} failed on {}: {}", r.channel, message.position(), e.toString());
                }
            }
        });
    }

    /** One {@link #subscribe} call. */
    private final class Registration implements Subscription {
        final ChannelName channel;
        final String key;
        final Listener listener;
        volatile boolean closed;

        Registration(ChannelName channel, String key, Listener listener) {
            this.channel = channel;
            this.key = key;
            this.listener = listener;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                unsubscribe(this);
            }
        }
    }
}
