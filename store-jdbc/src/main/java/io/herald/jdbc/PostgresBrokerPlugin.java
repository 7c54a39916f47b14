package io.herald.jdbc;

import com.google.inject.Module;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.core.spi.HeraldPlugin;
import java.util.List;

/**
 * The {@code postgres} broker: fan-out between nodes over PostgreSQL LISTEN/NOTIFY, so a deployment with
 * only PostgreSQL runs several nodes. Selected with {@code broker: postgres} ({@code --broker postgres}); the
 * {@code jdbc} store uses it by default when its URL is PostgreSQL. Stateless and thread-safe.
 */
public final class PostgresBrokerPlugin implements HeraldPlugin {

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public Kind kind() {
        return Kind.BROKER;
    }

    @Override
    public List<Setting<?>> settings() {
        return JdbcSettings.all();
    }

    @Override
    public Module module(Settings settings) {
        return new PostgresBrokerModule(settings);
    }
}
