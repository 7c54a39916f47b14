package io.herald.core.memory;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.herald.api.Broker;
import io.herald.core.config.PluginSettings;
import io.herald.core.spi.PluginModule;
import jakarta.inject.Singleton;

/**
 * Binds the {@link MemoryBroker}: fan-out within this process. The memory store's own broker, and a choice
 * for any store on a single node ({@code --store redis --broker memory}). Has no settings.
 */
public final class MemoryBrokerModule extends AbstractModule implements PluginModule {

    @Override
    public PluginSettings settings() {
        return PluginSettings.NONE;
    }

    @Provides
    @Singleton
    Broker broker() {
        return new MemoryBroker();
    }
}
