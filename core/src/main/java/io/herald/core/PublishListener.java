package io.herald.core;

import io.herald.api.Message;

/**
 * Told of every message this node published, after it was stored and handed to the broker: for audit
 * logs, webhooks or the testkit's recording test mode. Called on the publishing thread, in publish order
 * per channel; must be quick and must not throw.
 */
@FunctionalInterface
public interface PublishListener {

    void published(Message message);
}
