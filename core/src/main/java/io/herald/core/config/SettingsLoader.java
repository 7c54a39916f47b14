package io.herald.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds {@link Settings} from the three sources, each overriding the one before: the config file
 * ({@code --config} / {@code HERALD_CONFIG}, YAML or JSON, nested or dotted keys), {@code HERALD_*}
 * environment variables, and command-line flags ({@code --key value} or {@code --key=value}).
 *
 * <p>Unknown flags and file keys, malformed values and unreadable files are refused with one
 * {@link ConfigurationException} line. Unknown {@code HERALD_*} variables are only reported through
 * {@link #warnings()}, since a shell may hold variables for other versions. Not thread-safe; use one loader
 * per load.
 */
public final class SettingsLoader {

    /** The config file setting itself. */
    public static final Setting<String> CONFIG = Setting.string("config", null, "YAML or JSON config file");

    private final Map<String, Setting<?>> byKey = new LinkedHashMap<>();
    private final Map<String, Setting<?>> byFlag = new LinkedHashMap<>();
    private final Map<String, Setting<?>> byEnv = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();

    public SettingsLoader(Collection<Setting<?>> known) {
        register(CONFIG);
        known.forEach(this::register);
    }

    private void register(Setting<?> setting) {
        byKey.putIfAbsent(setting.key(), setting);
        byFlag.putIfAbsent(setting.flag(), setting);
        byEnv.putIfAbsent(setting.env(), setting);
    }

    /**
     * Loads settings from {@code args} (flags only; subcommands are the caller's business) and {@code env}.
     *
     * @throws ConfigurationException naming the first problem found
     */
    public Settings load(List<String> args, Map<String, String> env) {
        Map<String, String> flags = parseFlags(args);
        Map<String, String> vars = new LinkedHashMap<>();
        env.forEach((name, value) -> {
            if (!name.startsWith("HERALD_")) {
                return;
            }
            Setting<?> setting = byEnv.get(name);
            if (setting == null) {
                warnings.add("ignoring unknown environment variable " + name);
            } else {
                vars.put(setting.key(), value);
            }
        });

        Settings settings = Settings.defaults();
        String file = flags.getOrDefault(CONFIG.key(), vars.get(CONFIG.key()));
        if (file != null) {
            for (Map.Entry<String, String> e : readFile(Path.of(file)).entrySet()) {
                settings = settings.with(e.getKey(), e.getValue(), file);
            }
        }
        for (Map.Entry<String, String> e : vars.entrySet()) {
            settings = settings.with(e.getKey(), e.getValue(), "env");
        }
        for (Map.Entry<String, String> e : flags.entrySet()) {
            settings = settings.with(e.getKey(), e.getValue(), "flag");
        }
        for (Setting<?> setting : byKey.values()) {
            settings.get(setting);
        }
        return settings;
    }

    /** What was tolerated but looks wrong, one line each. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Every setting this loader knows, in registration order. */
    public Collection<Setting<?>> settings() {
        return byKey.values();
    }

    private Map<String, String> parseFlags(List<String> args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new ConfigurationException("unexpected argument '" + arg + "' (settings are given as --name value)");
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            Setting<?> setting = byFlag.get(name);
            if (setting == null) {
                throw new ConfigurationException("unknown option " + name + " (see --help)");
            }
            if (value == null) {
                boolean isBool = "true".equals(setting.defaultText()) || "false".equals(setting.defaultText());
                if (isBool && (i + 1 == args.size() || args.get(i + 1).startsWith("--"))) {
                    value = "true";
                } else if (i + 1 == args.size()) {
                    throw new ConfigurationException("option " + name + " needs a value");
                } else {
                    value = args.get(++i);
                }
            }
            values.put(setting.key(), value);
        }
        return values;
    }

    private Map<String, String> readFile(Path path) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(path));
        } catch (IOException e) {
            throw new ConfigurationException("cannot read config file " + path + ": " + oneLine(e));
        }
        Map<String, String> flat = new LinkedHashMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return flat;
        }
        if (!root.isObject()) {
            throw new ConfigurationException("config file " + path + " must hold a mapping of settings");
        }
        flatten("", root, flat, path);
        return flat;
    }

    private void flatten(String prefix, JsonNode node, Map<String, String> out, Path path) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject() && !byKey.containsKey(key)) {
                flatten(key, value, out, path);
                continue;
            }
            if (!byKey.containsKey(key)) {
                throw new ConfigurationException("unknown setting '" + key + "' in " + path);
            }
            if (value.isArray()) {
                List<String> items = new ArrayList<>();
                value.forEach(item -> items.add(item.asText()));
                out.put(key, String.join(",", items));
            } else if (value.isNull()) {
                out.remove(key);
            } else {
                out.put(key, value.asText());
            }
        }
    }

    private static String oneLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
