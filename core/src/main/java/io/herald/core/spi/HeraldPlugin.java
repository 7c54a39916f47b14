package io.herald.core.spi;

import com.google.inject.Module;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import java.util.List;

/**
 * A store, broker, transport or extension that Herald can find by name and assemble from configuration.
 *
 * <p>Implementations are registered in {@code META-INF/services/io.herald.core.spi.HeraldPlugin}; a module
 * providing several kinds (the Redis module is a store and a broker) registers one plugin per kind, under one
 * name. Being on the class path changes nothing: a plugin is used only when configuration selects it by
 * {@link #name()} ({@code store: redis}, {@code broker: redis}, {@code transports: [sse]},
 * {@code extensions: [presence]}). Code that assembles Herald itself uses the plugin's Guice module directly
 * instead ({@code Herald.builder().store(new RedisStoreModule(settings))}).
 *
 * <p>Implementations have a public no-argument constructor, do no I/O and are cheap to instantiate; the
 * module they return only binds (connections open in {@link io.herald.api.Lifecycle#start()}). A module that
 * is a {@link PluginModule} has its typed settings validated by {@code Herald.Builder.build()}, whichever
 * way it was chosen.
 *
 * <p>This SPI may evolve faster than the user API.
 */
public interface HeraldPlugin {

    /**
     * What a plugin provides. Exactly one store (history, sessions, presence) and one broker (fan-out between
     * nodes; by default the store's own) are active; transports and extensions add up.
     */
    enum Kind { STORE, BROKER, TRANSPORT, EXTENSION }

    /** The name configuration selects it by: {@code memory}, {@code redis}, {@code sse}, ... */
    String name();

    /** What it provides. */
    Kind kind();

    /** Settings it reads beyond the core ones, so that flags and help know them. */
    default List<Setting<?>> settings() {
        return List.of();
    }

    /**
     * The Guice module that binds its parts, configured from {@code settings}. A store's module is a
     * {@link StoreModule}, naming its own broker.
     *
     * @throws io.herald.core.config.ConfigurationException if a setting it reads is malformed
     */
    Module module(Settings settings);
}
