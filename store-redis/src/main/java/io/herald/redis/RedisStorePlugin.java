package io.herald.redis;

import com.google.inject.Module;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.core.spi.HeraldPlugin;
import java.util.List;

/**
 * The {@code redis} store: history, sessions and presence shared by every node on one Redis; its own broker
 * is the {@code redis} broker. Selected with {@code store: redis} ({@code --store redis}); stateless and
 * thread-safe, as plugins are.
 */
public final class RedisStorePlugin implements HeraldPlugin {

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public Kind kind() {
        return Kind.STORE;
    }

    @Override
    public List<Setting<?>> settings() {
        return RedisSettings.all();
    }

    @Override
    public Module module(Settings settings) {
        return new RedisStoreModule(settings);
    }
}
