package io.herald.redis;

import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;

/**
 * A pub/sub connection of the node (its one, or on a cluster one per master): commands are written by any thread (under the broker's lock) and
 * replies read by the broker's reader thread. Connects, logs in and selects the database when made.
 * Writes must be serialized by the caller; reading is for one thread.
 */
final class PubSubConnection extends Connection {

    PubSubConnection(HostAndPort address, JedisClientConfig config, int readTimeoutMillis) {
        super(address, config);
        setSoTimeout(readTimeoutMillis);
    }

    /** Writes one command and flushes it; the reply comes to {@link #read()}. */
    void send(Protocol.Command command, byte[]... args) {
        sendCommand(command, args);
        flush();
    }

    /** The next reply or pushed message; blocks up to the read timeout. */
    Object read() {
        return getUnflushedObject();
    }
}
