package io.herald.core.spi;

import io.herald.core.config.ConfigurationException;
import io.herald.core.config.Setting;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The plugins found on the class path, keyed by kind and name ({@code memory} is both a store and a broker).
 *
 * <p>Discovery never throws: a provider that fails to load or to say its name, or a second plugin claiming a
 * kind and name already taken, is recorded in {@link #problems()} and skipped, as SLF4J does with broken
 * bindings. Selecting a name that was not found is what fails, with the list of names that were. Immutable
 * and thread-safe.
 */
public final class PluginCatalog {

    private final Map<HeraldPlugin.Kind, Map<String, HeraldPlugin>> plugins;
    private final List<String> problems;

    private PluginCatalog(Map<HeraldPlugin.Kind, Map<String, HeraldPlugin>> plugins, List<String> problems) {
        this.plugins = plugins;
        this.problems = List.copyOf(problems);
    }

    /** Discovers plugins through {@link ServiceLoader} with each of {@code loaders}, in order. */
    public static PluginCatalog discover(ClassLoader... loaders) {
        Map<HeraldPlugin.Kind, Map<String, HeraldPlugin>> found = new EnumMap<>(HeraldPlugin.Kind.class);
        for (HeraldPlugin.Kind kind : HeraldPlugin.Kind.values()) {
            found.put(kind, new TreeMap<>());
        }
        List<String> problems = new ArrayList<>();
        // A provider visible through two loaders is one plugin, not a name clash.
        Set<Class<?>> seen = new HashSet<>();
        for (ClassLoader loader : loaders) {
            Iterator<HeraldPlugin> it = ServiceLoader.load(HeraldPlugin.class, loader).iterator();
            while (true) {
                HeraldPlugin plugin;
                String name;
                HeraldPlugin.Kind kind;
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    plugin = it.next();
                    if (!seen.add(plugin.getClass())) {
                        continue;
                    }
                    // A plugin's own methods are its code too: a broken one is reported like a broken jar.
                    name = plugin.name();
                    kind = plugin.kind();
                    if (name == null || kind == null) {
                        problems.add("skipping plugin " + plugin.getClass().getName() + ": it has no name or kind");
                        continue;
                    }
                } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
                    problems.add("skipping a plugin that failed to load: " + e);
                    continue;
                }
                HeraldPlugin previous = found.get(kind).putIfAbsent(name, plugin);
                if (previous != null) {
                    problems.add("two " + label(kind) + " plugins are named '" + name + "': keeping "
                            + previous.getClass().getName() + ", skipping " + plugin.getClass().getName());
                }
            }
        }
        found.replaceAll((kind, byName) -> Collections.unmodifiableMap(byName));
        return new PluginCatalog(Collections.unmodifiableMap(found), problems);
    }

    /**
     * Discovers plugins visible to this class's loader and to the thread's context class loader: in a
     * container (a servlet container, an application server) plugins may sit in the application's loader,
     * below the one that loaded Herald.
     */
    public static PluginCatalog discover() {
        Set<ClassLoader> loaders = new LinkedHashSet<>();
        loaders.add(PluginCatalog.class.getClassLoader());
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            loaders.add(context);
        }
        return discover(loaders.toArray(ClassLoader[]::new));
    }

    /** What went wrong during discovery, one line each; empty when all went well. */
    public List<String> problems() {
        return problems;
    }

    /** Every plugin found, by kind then name. */
    public List<HeraldPlugin> all() {
        List<HeraldPlugin> all = new ArrayList<>();
        plugins.values().forEach(byName -> all.addAll(byName.values()));
        return all;
    }

    /** The names of the plugins of {@code kind}, sorted. */
    public List<String> names(HeraldPlugin.Kind kind) {
        return List.copyOf(plugins.get(kind).keySet());
    }

    /** The plugin of {@code kind} named {@code name}, if found. */
    public Optional<HeraldPlugin> find(HeraldPlugin.Kind kind, String name) {
        return Optional.ofNullable(plugins.get(kind).get(name));
    }

    /**
     * The plugin of {@code kind} named {@code name}.
     *
     * @throws ConfigurationException naming the plugins of that kind that are available
     */
    public HeraldPlugin select(String name, HeraldPlugin.Kind kind) {
        return find(kind, name).orElseThrow(() -> {
            List<String> available = names(kind);
            return new ConfigurationException("no " + label(kind) + " plugin named '" + name
                    + "' on the class path (available: " + (available.isEmpty() ? "none" : String.join(", ", available)) + ")");
        });
    }

    /** Every setting any found plugin declares, each once (a store and a broker of one module share theirs). */
    public List<Setting<?>> settings() {
        Map<String, Setting<?>> byKey = new java.util.LinkedHashMap<>();
        all().forEach(p -> p.settings().forEach(s -> byKey.putIfAbsent(s.key(), s)));
        return List.copyOf(byKey.values());
    }

    private static String label(HeraldPlugin.Kind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
