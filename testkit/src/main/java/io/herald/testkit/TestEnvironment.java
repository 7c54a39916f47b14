package io.herald.testkit;

import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * How long the testkit waits for things that happen eventually: a message crossing a broker, a session or a
 * member expiring. Contract tests never sleep; they poll with {@link #await()} for at most {@link #timeout()}.
 *
 * <p>The timeout defaults to {@value #DEFAULT_TIMEOUT_MILLIS} ms and can be raised for slow machines or remote
 * backends with the environment variable {@value #TIMEOUT_VARIABLE} (milliseconds). A contract subclass may
 * also override {@code environment()} to pass its own instance.
 *
 * <p>The {@linkplain #shortTtl() short TTL} is what expiry tests give a session or member: long enough to do a
 * few operations on it before it goes, short enough that waiting for it costs little.
 *
 * <p>Immutable and thread-safe.
 */
public final class TestEnvironment {

    /** The environment variable that sets the timeout, in milliseconds. */
    public static final String TIMEOUT_VARIABLE = "HERALD_TEST_TIMEOUT_MS";

    /** The timeout when {@value #TIMEOUT_VARIABLE} is not set. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 10_000;

    private static final Duration POLL_INTERVAL = Duration.ofMillis(10);
    private static final Duration SHORT_TTL = Duration.ofMillis(300);

    private final Duration timeout;
    private final Duration shortTtl;

    /**
     * An environment with the given limits.
     *
     * @param timeout the longest wait for an eventual condition; positive
     * @param shortTtl the TTL of things that expiry tests let expire; positive and shorter than {@code timeout}
     */
    public TestEnvironment(Duration timeout, Duration shortTtl) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("test timeout must be positive, got " + timeout);
        }
        if (shortTtl.isNegative() || shortTtl.isZero() || shortTtl.compareTo(timeout) >= 0) {
            throw new IllegalArgumentException("short TTL " + shortTtl + " must be positive and below the timeout " + timeout);
        }
        this.timeout = timeout;
        this.shortTtl = shortTtl;
    }

    /** The environment this process was started with: {@value #TIMEOUT_VARIABLE} or the defaults. */
    public static TestEnvironment fromEnvironment() {
        return from(System.getenv());
    }

    /**
     * The environment that the variables {@code env} describe.
     *
     * @throws IllegalStateException if {@value #TIMEOUT_VARIABLE} is set but not a positive number of
     *     milliseconds above the short TTL
     */
    public static TestEnvironment from(Map<String, String> env) {
        String text = env.get(TIMEOUT_VARIABLE);
        if (text == null || text.isBlank()) {
            return new TestEnvironment(Duration.ofMillis(DEFAULT_TIMEOUT_MILLIS), SHORT_TTL);
        }
        long millis;
        try {
            millis = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException(TIMEOUT_VARIABLE + "='" + text + "' is not a number of milliseconds");
        }
        if (millis <= SHORT_TTL.toMillis()) {
            throw new IllegalStateException(TIMEOUT_VARIABLE + "=" + millis + " must be above "
                    + SHORT_TTL.toMillis() + " ms, the TTL that expiry tests wait out");
        }
        return new TestEnvironment(Duration.ofMillis(millis), SHORT_TTL);
    }

    /** The longest wait for an eventual condition. */
    public Duration timeout() {
        return timeout;
    }

    /** The TTL given to sessions and members that a test lets expire. */
    public Duration shortTtl() {
        return shortTtl;
    }

    /** An Awaitility condition that polls every 10 ms for at most {@link #timeout()}. */
    public ConditionFactory await() {
        return Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(POLL_INTERVAL);
    }

    /** An Awaitility condition like {@link #await()}, named in its timeout message. */
    public ConditionFactory await(String what) {
        return Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(POLL_INTERVAL);
    }

    @Override
    public String toString() {
        return "TestEnvironment[timeout=" + timeout.toMillis() + "ms, shortTtl=" + shortTtl.toMillis() + "ms]";
    }
}
