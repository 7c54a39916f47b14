package io.herald.core.echo;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.herald.core.Handlers;
import io.herald.core.PublishListener;
import io.herald.core.config.PluginSettings;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.core.spi.HeraldPlugin;
import io.herald.core.spi.PluginModule;

/** The {@code echo} test extension's module, settings and plugin. */
public final class EchoModule extends AbstractModule implements PluginModule {

    public static final Setting<String> PREFIX = Setting.string("echo.prefix", "echo:", "what echoed payloads start with");

    private final EchoSettings settings;

    public EchoModule(Settings settings) {
        this.settings = new EchoSettings(settings, settings.get(PREFIX));
    }

    @Override
    public PluginSettings settings() {
        return settings;
    }

    @Override
    protected void configure() {
        Echo echo = new Echo(settings.prefix);
        bind(Echo.class).toInstance(echo);
        Multibinder.newSetBinder(binder(), PublishListener.class).addBinding().toInstance(echo);
        Handlers.bind(binder(), "echo").toInstance(echo);
    }

    /** The prefix must not be blank: an echo nobody can tell from the original would be useless. */
    record EchoSettings(Settings source, String prefix) implements PluginSettings {
        @Override
        public void validate() {
            if (prefix.isBlank()) {
                throw source.invalid(PREFIX, "it is blank");
            }
        }
    }

    /** Found through {@code META-INF/services} of the test class path. */
    public static final class Plugin implements HeraldPlugin {
        @Override
        public String name() {
            return "echo";
        }

        @Override
        public Kind kind() {
            return Kind.EXTENSION;
        }

        @Override
        public java.util.List<Setting<?>> settings() {
            return java.util.List.of(PREFIX);
        }

        @Override
        public com.google.inject.Module module(Settings settings) {
            return new EchoModule(settings);
        }
    }
}
