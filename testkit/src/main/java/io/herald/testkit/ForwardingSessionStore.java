package io.herald.testkit;

import io.herald.api.Position;
import io.herald.api.SessionClaim;
import io.herald.api.SessionRecord;
import io.herald.api.SessionStore;
import io.herald.api.SessionSubscription;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A session store that forwards every call to another: a test overrides the call it wants to break or slow down
 * (the testkit's self-tests make broken stores with it; a transport's test can make one that keeps cursors late).
 */
public class ForwardingSessionStore implements SessionStore {

    private final SessionStore inner;

    public ForwardingSessionStore(SessionStore inner) {
        this.inner = inner;
    }

    @Override
    public SessionRecord create(String principal, Duration ttl) {
        return inner.create(principal, ttl);
    }

    @Override
    public SessionClaim claim(String name, String principal, Duration ttl) {
        return inner.claim(name, principal, ttl);
    }

    @Override
    public Optional<SessionRecord> findNamed(String name) {
        return inner.findNamed(name);
    }

    @Override
    public Optional<SessionRecord> find(String id) {
        return inner.find(id);
    }

    @Override
    public boolean touch(String id, Duration ttl) {
        return inner.touch(id, ttl);
    }

    @Override
    public void subscribe(String id, SessionSubscription subscription) {
        inner.subscribe(id, subscription);
    }

    @Override
    public boolean unsubscribe(String id, String key) {
        return inner.unsubscribe(id, key);
    }

    @Override
    public void advance(String id, String key, Position cursor) {
        inner.advance(id, key, cursor);
    }

    @Override
    public boolean delivered(String id, String key, Position position, int window) {
        return inner.delivered(id, key, position, window);
    }

    @Override
    public int acknowledge(String id, String key, Position position, boolean cumulative) {
        return inner.acknowledge(id, key, position, cumulative);
    }

    @Override
    public boolean delete(String id) {
        return inner.delete(id);
    }

    @Override
    public List<SessionRecord> purgeExpired(Instant now) {
        return inner.purgeExpired(now);
    }
}
