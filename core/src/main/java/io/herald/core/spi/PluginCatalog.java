package io.herald.core.spi;

import io.herald.core.config.ConfigurationException;
import io.herald.core.config.Setting;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The plugins found on the class path, keyed by name.
 *
 * <p>Discovery never throws: a provider that fails to load, or a second plugin claiming a name already
 * taken, is recorded in {@link #problems()} and skipped, as SLF4J does with broken bindings. Selecting a
 * name that was not found is what fails, with the list of names that were. Immutable and thread-safe.
 */
public final class PluginCatalog {

    private final Map<String, HeraldPlugin> plugins;
    private final List<String> problems;

    private PluginCatalog(Map<String, HeraldPlugin> plugins, List<String> problems) {
        this.plugins = Collections.unmodifiableMap(plugins);
        this.problems = List.copyOf(problems);
    }

    /** Discovers plugins through {@link ServiceLoader} with {@code loader}. */
    public static PluginCatalog discover(ClassLoader loader) {
        Map<String, HeraldPlugin> found = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        Iterator<HeraldPlugin> it = ServiceLoader.load(HeraldPlugin.class, loader).iterator();
        while (true) {
            HeraldPlugin plugin;
            try {
                if (!it.hasNext()) {
                    break;
                }
                plugin = it.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                problems.add("skipping a plugin that failed to load: " + e.getMessage());
                continue;
            }
            HeraldPlugin previous = found.putIfAbsent(plugin.name(), plugin);
            if (previous != null) {
                problems.add("two plugins are named '" + plugin.name() + "': keeping " + previous.getClass().getName()
                        + ", skipping " + plugin.getClass().getName());
            }
        }
        return new PluginCatalog(found, problems);
    }

    /** Discovers plugins visible to this class's loader. */
    public static PluginCatalog discover() {
        return discover(PluginCatalog.class.getClassLoader());
    }

    /** What went wrong during discovery, one line each; empty when all went well. */
    public List<String> problems() {
        return problems;
    }

    /** Every plugin found, by name. */
    public Map<String, HeraldPlugin> all() {
        return plugins;
    }

    /**
     * The plugin named {@code name}, which must be of {@code kind}.
     *
     * @throws ConfigurationException naming the plugins of that kind that are available
     */
    public HeraldPlugin select(String name, HeraldPlugin.Kind kind) {
        HeraldPlugin plugin = plugins.get(name);
        if (plugin == null || plugin.kind() != kind) {
            List<String> available = plugins.values().stream().filter(p -> p.kind() == kind).map(HeraldPlugin::name).toList();
            throw new ConfigurationException("no " + kind.name().toLowerCase() + " plugin named '" + name
                    + "' on the class path (available: " + (available.isEmpty() ? "none" : String.join(", ", available)) + ")");
        }
        return plugin;
    }

    /** Every setting any found plugin declares. */
    public List<Setting<?>> settings() {
        List<Setting<?>> settings = new ArrayList<>();
        plugins.values().forEach(p -> settings.addAll(p.settings()));
        return settings;
    }
}
