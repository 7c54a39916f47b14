package io.herald.core.memory;

import com.google.inject.Module;
import io.herald.core.config.Settings;
import io.herald.core.spi.HeraldPlugin;

/** The {@code memory} store: history, sessions and presence in this process; its own broker is {@code memory} too. */
public final class MemoryStorePlugin implements HeraldPlugin {

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Kind kind() {
        return Kind.STORE;
    }

    @Override
    public Module module(Settings settings) {
        return new MemoryStoreModule();
    }
}
