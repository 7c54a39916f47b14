package io.herald.redis;

import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One pub/sub connection of the {@link RedisBroker}: to the one Redis, or to one master of a cluster (one
 * per shard), and what to do on each subscription reply it awaits, in the order the commands were sent.
 * Commands are written under the broker's lock (which {@link PubSubLinks} shares); replies are read by the link's own reader thread.
 */
final class PubSubLink {

    private static final Logger LOG = LoggerFactory.getLogger(PubSubLink.class);

    final HostAndPort address;
    final PubSubConnection connection;
    final ConcurrentLinkedQueue<Runnable> confirmations = new ConcurrentLinkedQueue<>();

    PubSubLink(HostAndPort address, PubSubConnection connection) {
        this.address = address;
        this.connection = connection;
    }

    /**
     * Sends a command with its names, expecting one reply per name, on which the {@code onReply}s run in
     * order; call with the broker's lock held. A failed write closes the connection: its reader then fails
     * and the broker connects again, subscribing everything anew.
     */
    void send(Protocol.Command command, Runnable[] onReply, byte[]... names) {
        for (Runnable r : onReply) {
            confirmations.add(r);
        }
        try {
            connection.send(command, names);
        } catch (JedisException e) {
            LOG.debug("pub/sub write to {} failed: {}", address, e.toString());
            close();
        }
    }

    void send(Protocol.Command command, Runnable onReply, byte[] name) {
        send(command, new Runnable[] {onReply}, name);
    }

    void ping() {
        try {
            connection.send(Protocol.Command.PING);
        } catch (JedisException e) {
            close();
        }
    }

    void close() {
        try {
            connection.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the pub/sub connection to {}: {}", address, e.toString());
        }
    }
}
