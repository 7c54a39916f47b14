package io.herald.jdbc;

import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Lifecycle;
import io.herald.api.Message;
import io.herald.api.StoreException;
import io.herald.core.ChannelIndex;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fan-out between nodes over PostgreSQL LISTEN/NOTIFY, on one topic per table prefix. Each node holds one
 * listening connection; a message is sent as a NOTIFY with its channel, position and, under 7900 bytes, its
 * content; a larger one is fetched from the message table by position. With the {@code jdbc} store on the
 * same database the NOTIFY is sent inside the append's transaction ({@link #appendHook()}), so no node sees a
 * position before it is committed, and PostgreSQL delivers notifications in commit order.
 *
 * <p>When the listening connection is lost, the node reconnects, listens again and tells every listener to
 * resync from history ({@link Listener#onResync()}): what was notified meanwhile is not lost, only re-read.
 * Thread-safe.
 */
final class PostgresBroker implements Broker, Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresBroker.class);

    private final JdbcSettings settings;
    private final String topic;
    private final ChannelIndex<Listener> listeners = new ChannelIndex<>();
    private final java.util.Set<Listener> all = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Object publishLock = new Object();
    private volatile boolean running;
    private volatile Connection listening;
    private volatile String problem = "not started";
    private Connection publishing;
    private Thread thread;

    PostgresBroker(JdbcSettings settings) {
        settings.validate();
        if (settings.dialect() != Dialect.POSTGRESQL) {
            throw settings.source().invalid(JdbcSettings.URL, "the postgres broker needs a PostgreSQL URL, got '" + settings.url() + "'");
        }
        this.settings = settings;
        this.topic = settings.tablePrefix() + "herald";
    }

    /** Whether this broker listens on the database and tables the store with {@code other} uses. */
    boolean sameDatabase(JdbcSettings other) {
        return settings.url().equals(other.url()) && settings.tablePrefix().equals(other.tablePrefix());
    }

    /** Sends the NOTIFY of each stored message inside the append's own transaction. */
    JdbcHistoryStore.AppendHook appendHook() {
        return (connection, messages) -> notify(connection, messages);
    }

    private void notify(Connection c, List<Message> messages) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            for (Message m : messages) {
                s.setString(1, topic);
                s.setString(2, Notification.encode(m));
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        try {
            listening = listen();
        } catch (SQLException e) {
            throw new StoreException("cannot listen on PostgreSQL at " + settings.url() + ": " + JdbcDatabase.rootMessage(e), e);
        }
        problem = null;
        running = true;
        thread = new Thread(this::run, "herald-jdbc-listen");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
        close(listening);
        synchronized (publishLock) {
            close(publishing);
            publishing = null;
        }
    }

    @Override
    public void publish(Message message) {
        synchronized (publishLock) {
            try {
                if (publishing == null || publishing.isClosed()) {
                    publishing = connect();
                }
                notify(publishing, List.of(message));
            } catch (SQLException e) {
                close(publishing);
                publishing = null;
                throw new StoreException("cannot publish " + message.position() + " on " + message.channel() + " through PostgreSQL at "
                        + settings.url() + ": " + JdbcDatabase.rootMessage(e), e);
            }
        }
    }

    @Override
    public Subscription subscribe(ChannelName channelOrPattern, Listener listener) {
        // Wrapped, so that one listener subscribed twice is removed once per handle, and so that a listener that
        // fails cannot end the listening thread (every other listener's delivery would stop with it, silently).
        Listener registration = new Listener() {
            @Override
            public void onMessage(Message message) {
                try {
                    listener.onMessage(message);
                } catch (RuntimeException e) {
                    LOG.warn("listener of {} failed on {} of {}: {}", channelOrPattern, message.position(), message.channel(), e.toString());
                }
            }

            @Override
            public void onResync() {
                try {
                    listener.onResync();
                } catch (RuntimeException e) {
                    LOG.warn("listener of {} failed on resync: {}", channelOrPattern, e.toString());
                }
            }
        };
        all.add(registration);
        listeners.add(channelOrPattern, registration);
        return () -> {
            listeners.remove(channelOrPattern, registration);
            all.remove(registration);
        };
    }

    /** Why live messages may be missed now (the listening connection is down), or {@code null}. */
    String problem() {
        return problem;
    }

    /** The server process id of the listening connection, for tests that cut it. */
    int listenerPid() throws SQLException {
        return listening.unwrap(PGConnection.class).getBackendPID();
    }

    private void run() {
        while (running) {
            Connection c = listening;
            try {
                PGNotification[] notes = c.unwrap(PGConnection.class).getNotifications(250);
                if (notes != null) {
                    for (PGNotification n : notes) {
                        deliver(c, n.getParameter());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                // Anything that breaks the read (the driver's unchecked exceptions too) is a lost connection: the
                // thread must go on listening, and what it may have missed is re-read by the resync.
                if (!running) {
                    return;
                }
                problem = "the PostgreSQL listening connection is down: " + JdbcDatabase.rootMessage(e);
                LOG.warn("{}; reconnecting", problem);
                close(c);
                reconnect();
            }
        }
    }

    private void reconnect() {
        long backoff = 100;
        while (running) {
            try {
                listening = listen();
                problem = null;
                LOG.info("listening on PostgreSQL again; every channel resyncs from history");
                resyncAll();
                return;
            } catch (SQLException e) {
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = Math.min(backoff * 2, 2_000);
            }
        }
    }

    private void resyncAll() {
        all.forEach(Listener::onResync);
    }

    private void deliver(Connection c, String text) {
        Notification.Received r;
        try {
            r = Notification.decode(text);
        } catch (RuntimeException e) {
            LOG.warn("ignoring a notification on {} that is not Herald's: {}", topic, e.toString());
            return;
        }
        Message m = r.message();
        if (m == null) {
            m = fetch(c, r);
            if (m == null) {
                listeners.forEachMatch(r.channel(), Listener::onResync);
                return;
            }
        }
        Message message = m;
        listeners.forEachMatch(message.channel(), l -> l.onMessage(message));
    }

    /** A message too large for a NOTIFY, read from the message table by position; {@code null} if it is not there. */
    private Message fetch(Connection c, Notification.Received r) {
        try (PreparedStatement s = c.prepareStatement("SELECT " + ChannelLog.COLUMNS + " FROM " + settings.tablePrefix()
                + "message m WHERE channel = ? AND pos = ? AND EXISTS (SELECT 1 FROM " + settings.tablePrefix() + "channel h WHERE h.channel = m.channel AND h.epoch = ?)")) {
            s.setString(1, r.channel().toString());
            s.setLong(2, r.position().offset());
            s.setString(3, r.position().epoch());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? ChannelLog.message(rs, r.channel(), r.position().epoch()) : null;
            }
        } catch (SQLException e) {
            return null;
        }
    }

    private Connection listen() throws SQLException {
        Connection c = connect();
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN \"" + topic + "\"");
        }
        return c;
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        if (settings.user() != null) {
            p.setProperty("user", settings.user());
        }
        if (settings.password() != null) {
            p.setProperty("password", settings.password());
        }
        p.setProperty("ApplicationName", "herald-listen");
        p.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(settings.url(), p);
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
        }
    }
}
