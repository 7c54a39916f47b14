package io.herald.core.spi;

import com.google.inject.Module;

/**
 * A store's Guice module: binds {@link io.herald.api.HistoryStore}, {@link io.herald.api.SessionStore} and
 * {@link io.herald.api.PresenceStore}, but not the {@link io.herald.api.Broker}, which a broker module binds
 * so that the two are chosen independently ({@code --store redis --broker memory}).
 *
 * <p>When no broker is chosen, Herald installs {@link #defaultBroker()}: the store's own (memory for the
 * memory store, Redis for Redis). A store whose {@code append} also publishes
 * ({@link io.herald.api.HistoryStore#publishesTo}) names that broker here.
 */
public interface StoreModule extends PluginModule {

    /** The broker module used when none is chosen. */
    Module defaultBroker();
}
