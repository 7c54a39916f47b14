package io.herald.server;

import io.herald.core.config.ConfigurationException;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.core.spi.HeraldPlugin;
import io.herald.core.spi.PluginCatalog;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The settings of DESIGN.md's server contract that belong to plugins ({@code --redis-url},
 * {@code --jdbc-url}, ...). A plugin declares its own settings; these stand in for the ones of plugins that
 * are not on the class path, so that the command line still knows every contract flag, lists it in
 * {@code --help}, and refuses it with one line naming the missing plugin rather than as an unknown option.
 */
final class ContractFlags {

    /** A contract setting and the store plugin that reads it. */
    record Owned(Setting<?> setting, String plugin) {
    }

    static final Setting<String> REDIS_URL = Setting.string("redis.url", "redis://127.0.0.1:6379",
            "Redis URL, redis://[:password@]host:port/db or rediss:// for TLS (redis plugin)");
    static final Setting<String> JDBC_URL = Setting.string("jdbc.url", "jdbc:h2:file:./data/herald",
            "JDBC URL of the jdbc store (jdbc plugin)");
    static final Setting<String> JDBC_USER = Setting.string("jdbc.user", null, "JDBC user (jdbc plugin)");
    static final Setting<String> JDBC_PASSWORD = Setting.secret("jdbc.password", "JDBC password (jdbc plugin)");

    static final List<Owned> ALL = List.of(new Owned(REDIS_URL, "redis"), new Owned(JDBC_URL, "jdbc"),
            new Owned(JDBC_USER, "jdbc"), new Owned(JDBC_PASSWORD, "jdbc"));

    private ContractFlags() {
    }

    /** The contract settings no plugin found declares: their plugins are missing. */
    static List<Owned> missing(PluginCatalog catalog) {
        Set<String> declared = catalog.settings().stream().map(Setting::key).collect(Collectors.toSet());
        return ALL.stream().filter(o -> !declared.contains(o.setting().key())).toList();
    }

    /**
     * Refuses a contract setting given for a plugin that is not on the class path.
     *
     * @throws ConfigurationException naming the setting as given and the plugin it needs
     */
    static void refuseMissing(Settings settings, PluginCatalog catalog) {
        for (Owned owned : missing(catalog)) {
            if (settings.isSet(owned.setting())) {
                List<String> stores = catalog.names(HeraldPlugin.Kind.STORE);
                throw new ConfigurationException(settings.describe(owned.setting()) + " needs the '" + owned.plugin()
                        + "' plugin, which is not on the class path (stores available: " + String.join(", ", stores) + ")");
            }
        }
    }
}
