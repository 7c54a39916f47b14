/**
 * The runnable Herald server.
 *
 * <p>{@link io.herald.server.HeraldServer} is the entry point: {@code main} for the command line
 * ({@code bin/herald}), {@link io.herald.server.HeraldServer#start(java.util.List, java.util.Map)} for tests and
 * embedding. It loads settings (file &lt; {@code HERALD_*} environment &lt; flags), selects the store and
 * transports they name among the plugins on the class path, and mounts on one port the transports, the HTTP
 * API ({@link io.herald.server.ApiModule}: publish, history, presence, stats, health) and the Prometheus
 * metrics ({@link io.herald.server.MetricsModule}).
 */
package io.herald.server;
