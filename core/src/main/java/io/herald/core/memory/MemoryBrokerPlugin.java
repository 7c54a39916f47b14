package io.herald.core.memory;

import com.google.inject.Module;
import io.herald.core.config.Settings;
import io.herald.core.spi.HeraldPlugin;

/** The {@code memory} broker: fan-out within this process, selected with {@code broker: memory}. */
public final class MemoryBrokerPlugin implements HeraldPlugin {

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Kind kind() {
        return Kind.BROKER;
    }

    @Override
    public Module module(Settings settings) {
        return new MemoryBrokerModule();
    }
}
