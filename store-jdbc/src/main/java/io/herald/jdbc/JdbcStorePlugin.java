package io.herald.jdbc;

import com.google.inject.Module;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.core.spi.HeraldPlugin;
import java.util.List;

/**
 * The {@code jdbc} store: history, sessions and presence in PostgreSQL, MariaDB/MySQL or H2. Selected with
 * {@code store: jdbc} ({@code --store jdbc}); with no {@code jdbc.url}, an H2 file under {@code ./data}.
 * Stateless and thread-safe, as plugins are.
 */
public final class JdbcStorePlugin implements HeraldPlugin {

    @Override
    public String name() {
        return "jdbc";
    }

    @Override
    public Kind kind() {
        return Kind.STORE;
    }

    @Override
    public List<Setting<?>> settings() {
        return JdbcSettings.all();
    }

    @Override
    public Module module(Settings settings) {
        return new JdbcStoreModule(settings);
    }
}
