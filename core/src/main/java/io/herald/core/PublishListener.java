package io.herald.core;

import io.herald.api.Message;

/**
 * Told of every message this node published, after it was stored and handed to the broker: for audit
 * logs, webhooks or the testkit's recording test mode. A channel's messages are told in position order, one
 * call at a time (the call for one message returns before the call for the next begins); a retried
 * publication the store already held is not told again.
 *
 * <p>Called on a publishing thread or on the thread on which the store completed the append (with the Redis
 * store, its pipeline's reader). So a listener must be quick, must not throw (an exception is logged and
 * ignored), and must not wait for a publish: publishing from it goes through {@link Engine#publishAsync}.
 */
@FunctionalInterface
public interface PublishListener {

    void published(Message message);
}
