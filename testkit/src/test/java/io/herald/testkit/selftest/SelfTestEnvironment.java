package io.herald.testkit.selftest;

import io.herald.testkit.TestEnvironment;
import java.time.Duration;

/** The environment broken kits run in: a short timeout, since their conditions are expected never to hold. */
final class SelfTestEnvironment {

    /** For stores: expiry tests must still see a 300 ms TTL run out well within the timeout. */
    static final TestEnvironment SHORT = new TestEnvironment(Duration.ofMillis(1200), Duration.ofMillis(300));

    /** For brokers, which deliver within milliseconds when they deliver at all. */
    static final TestEnvironment BROKER = new TestEnvironment(Duration.ofMillis(500), Duration.ofMillis(300));

    private SelfTestEnvironment() {
    }
}
