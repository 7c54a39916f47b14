package io.herald.redis;

import com.google.inject.Module;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.core.spi.HeraldPlugin;
import java.util.List;

/**
 * The {@code redis} broker: fan-out between nodes over Redis pub/sub, whatever the store. Selected with
 * {@code broker: redis} ({@code --broker redis}); the {@code redis} store uses it by default. Stateless and
 * thread-safe, as plugins are.
 */
public final class RedisBrokerPlugin implements HeraldPlugin {

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public Kind kind() {
        return Kind.BROKER;
    }

    @Override
    public List<Setting<?>> settings() {
        return RedisSettings.all();
    }

    @Override
    public Module module(Settings settings) {
        return new RedisBrokerModule(settings);
    }
}
