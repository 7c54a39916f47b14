package io.herald.core.spi;

import com.google.inject.Module;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import java.util.List;

/**
 * A store, transport or extension that Herald can find by name and assemble from configuration.
 *
 * <p>Each plugin module ships exactly one implementation, registered in
 * {@code META-INF/services/io.herald.core.spi.HeraldPlugin}. Being on the class path changes nothing: a plugin
 * is used only when configuration selects it by {@link #name()} ({@code store: redis},
 * {@code transports: [sse]}). Code that assembles Herald itself uses the plugin's Guice module directly
 * instead ({@code Herald.builder().store(new RedisStoreModule(settings))}).
 *
 * <p>Implementations have a public no-argument constructor, do no I/O and are cheap to instantiate; the
 * module they return only binds (connections open in {@link io.herald.api.Lifecycle#start()}).
 *
 * <p>This SPI may evolve faster than the user API.
 */
public interface HeraldPlugin {

    /** What a plugin provides. Exactly one store is active; transports and extensions add up. */
    enum Kind { STORE, TRANSPORT, EXTENSION }

    /** The name configuration selects it by: {@code memory}, {@code redis}, {@code sse}, ... */
    String name();

    /** What it provides. */
    Kind kind();

    /** Settings it reads beyond the core ones, so that flags and help know them. */
    default List<Setting<?>> settings() {
        return List.of();
    }

    /** The Guice module that binds its parts, configured from {@code settings}. */
    Module module(Settings settings);
}
