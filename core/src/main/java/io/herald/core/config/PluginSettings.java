package io.herald.core.config;

/**
 * The typed settings of one plugin, read once from {@link Settings} (for example {@code RedisSettings.from}),
 * with the checks that parsing one value cannot make: ranges that depend on each other, URLs, paths.
 *
 * <p>{@link #validate()} runs on every assembly path: {@code Herald.Builder.build()} calls it for each
 * {@link io.herald.core.spi.PluginModule} before anything is bound, whether the module was given in code or
 * selected by configuration. Implementations are immutable and thread-safe.
 */
public interface PluginSettings {

    /** Settings with nothing to check, for plugins that have none. */
    PluginSettings NONE = () -> { };

    /**
     * Refuses values that cannot work.
     *
     * @throws ConfigurationException one line naming the setting, where it was given, and why
     */
    void validate();
}
