package io.herald.core;

/**
 * One thing {@code /health} checks before it answers 200: a store that must be reachable, a server that
 * must be listening. Bound in a {@code Multibinder<HealthCheck>}; must answer quickly (a PING, not a scan).
 */
public interface HealthCheck {

    /** What is checked, e.g. {@code redis} or {@code http}. */
    String name();

    /** {@code null} when healthy, otherwise one line saying what is wrong. */
    String problem();
}
