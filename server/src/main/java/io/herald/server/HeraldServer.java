package io.herald.server;

import com.google.inject.Module;
import io.herald.core.Herald;
import io.herald.core.config.ConfigurationException;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.core.config.SettingsLoader;
import io.herald.core.spi.HeraldPlugin;
import io.herald.core.spi.PluginCatalog;
import io.herald.http.HeraldHttpServer;
import io.herald.http.HttpServerModule;
import io.herald.http.HttpSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runnable Herald server: settings from file, environment and flags; the store and transports they
 * name, found on the class path; the HTTP API, metrics and health on one port.
 *
 * <p>From the command line ({@code bin/herald}, or {@code java -jar herald-server.jar}), see {@link #main}
 * and {@code --help}. In-process, for tests and embedding:
 * <pre>{@code
 * try (RunningServer server = HeraldServer.start(List.of("--port", "0"), Map.of())) {
 *     URI api = server.uri().resolve("/api/publish");
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safe: each call assembles and starts an independent server.
 */
public final class HeraldServer {

    private static final Logger LOG = LoggerFactory.getLogger(HeraldServer.class);

    /** Variables of the launcher script that share the {@code HERALD_} prefix but are not settings. */
    static final Set<String> LAUNCHER_VARIABLES = Set.of("HERALD_JAVA_OPTS");

    private HeraldServer() {
    }

    /**
     * Runs the command line: the server (until SIGTERM or SIGINT), or {@code token}, {@code --help},
     * {@code --version}. Exits with 0 after a graceful stop, 2 on a usage or configuration error and 1 when the
     * server cannot start, after one line {@code herald: <message>} on stderr.
     */
    public static void main(String[] args) {
        int status = new Cli(System.out, System.err).run(List.of(args), System.getenv());
        // Explicitly, also for 0: a library thread that outlives the stopped server must not keep the JVM up.
        System.exit(status);
    }

    /**
     * Loads settings from {@code args} (flags) and {@code env} ({@code HERALD_*} variables, and the config
     * file they name), then assembles and starts a server.
     *
     * @throws ConfigurationException for an unknown flag, a bad value, an unreadable config file, or a store or
     *     transport that is not on the class path; nothing was started
     * @throws RuntimeException when a component cannot start (port taken, store unreachable); what had started
     *     was stopped again
     */
    public static RunningServer start(List<String> args, Map<String, String> env) {
        PluginCatalog catalog = PluginCatalog.discover();
        SettingsLoader loader = settingsLoader(catalog);
        Settings settings = loader.load(args, settingsEnvironment(env));
        return start(settings, catalog, loader.warnings(), List.of());
    }

    /**
     * Assembles and starts a server from {@code settings}, with {@code modules} added to the injector (an
     * {@link io.herald.api.Authorizer}, listeners, more endpoints).
     *
     * @throws ConfigurationException as {@link #start(List, Map)}
     */
    public static RunningServer start(Settings settings, Module... modules) {
        return start(settings, PluginCatalog.discover(), List.of(), List.of(modules));
    }

    /**
     * A loader that knows every setting: the core's, the HTTP server's, the server's, the plugins', and the
     * contract's settings of plugins that are missing ({@link ContractFlags}).
     */
    static SettingsLoader settingsLoader(PluginCatalog catalog) {
        List<Setting<?>> known = new ArrayList<>();
        known.addAll(CoreSettings.all());
        known.addAll(HttpSettings.all());
        known.addAll(ServerSettings.all());
        known.addAll(catalog.settings());
        ContractFlags.missing(catalog).forEach(owned -> known.add(owned.setting()));
        return new SettingsLoader(known);
    }

    /** {@code env} without the launcher's own variables, which are not settings. */
    static Map<String, String> settingsEnvironment(Map<String, String> env) {
        Map<String, String> filtered = new LinkedHashMap<>(env);
        filtered.keySet().removeAll(LAUNCHER_VARIABLES);
        return filtered;
    }

    private static RunningServer start(Settings given, PluginCatalog catalog, List<String> warnings, List<Module> extra) {
        ServerSettings.validate(given);
        ContractFlags.refuseMissing(given, catalog);
        List<String> notes = new ArrayList<>(warnings);
        Settings settings = availableDefaultTransports(given, catalog, notes);
        Herald.Builder builder = Herald.builder()
                .settings(settings)
                .catalog(catalog)
                .pluginsFromSettings()
                .module(new HttpServerModule())
                .module(new ApiModule())
                .module(new MetricsModule());
        extra.forEach(builder::module);
        Herald herald;
        try {
            herald = builder.build();
        } catch (RuntimeException e) {
            throw configurationCauseOr(e);
        }
        herald.start();
        RunningServer server = new RunningServer(herald, herald.injector().getInstance(HeraldHttpServer.class), settings);
        notes.forEach(LOG::warn);
        report(server);
        return server;
    }

    /**
     * When the transports were not chosen explicitly, the default ones that are on the class path: a server
     * built without one of them still starts, saying so, while an explicit choice of a missing one is refused.
     */
    private static Settings availableDefaultTransports(Settings settings, PluginCatalog catalog, List<String> notes) {
        if (settings.isSet(CoreSettings.TRANSPORTS)) {
            return settings;
        }
        List<String> available = new ArrayList<>();
        for (String name : settings.get(CoreSettings.TRANSPORTS)) {
            if (catalog.find(HeraldPlugin.Kind.TRANSPORT, name).isPresent()) {
                available.add(name);
            } else {
                notes.add("default transport '" + name + "' is not on the class path; starting without it");
            }
        }
        return settings.with(CoreSettings.TRANSPORTS, String.join(",", available));
    }

    private static RuntimeException configurationCauseOr(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigurationException configuration) {
                return configuration;
            }
        }
        return e;
    }

    private static void report(RunningServer server) {
        Settings settings = server.settings();
        String broker = settings.get(CoreSettings.BROKER);
        LOG.info("Herald {} started on port {} (store {}, broker {}, transports {}, extensions {}): {}", ServerVersion.VALUE,
                server.port(), settings.get(CoreSettings.STORE), broker == null ? "the store's own" : broker,
                settings.get(CoreSettings.TRANSPORTS), settings.get(CoreSettings.EXTENSIONS),
                String.join(" ", server.paths().stream().filter(p -> !p.equals("/")).toList()));
        if (settings.get(ServerSettings.API_KEY) == null) {
            LOG.warn("NO API KEY: the publish and admin endpoints ({}/*, {}, the SSE counters) are OPEN to anyone who "
                    + "can reach port {}; set --api-key or HERALD_API_KEY", settings.get(ServerSettings.API_PATH),
                    settings.get(ServerSettings.METRICS_PATH), server.port());
        }
        if (settings.get(CoreSettings.TOKEN_SECRET) == null) {
            LOG.warn("no token secret: subscriptions need no token, anyone may subscribe to any channel; "
                    + "set --token-secret or HERALD_TOKEN_SECRET");
        }
        if ("memory".equals(settings.get(CoreSettings.STORE))) {
            LOG.info("store 'memory' keeps nothing across restarts: history and sessions end with this process");
        }
    }
}
