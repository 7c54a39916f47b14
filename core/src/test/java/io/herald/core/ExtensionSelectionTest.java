package io.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.herald.api.ChannelName;
import io.herald.core.config.ConfigurationException;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.herald.core.echo.Echo;
import io.herald.core.echo.EchoModule;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Extensions are selected by configuration like transports, and every plugin's settings are validated on
 * every assembly path; {@code echo} is a test extension found through the test class path's services file.
 */
class ExtensionSelectionTest {

    private static final Settings NO_TRANSPORTS = Settings.defaults().with(CoreSettings.TRANSPORTS, "");

    @Test
    void anExtensionNamedInTheSettingsIsAdded() {
        Settings settings = NO_TRANSPORTS.with(CoreSettings.EXTENSIONS, "echo").with(EchoModule.PREFIX, "heard:");
        try (Herald herald = Herald.builder().settings(settings).pluginsFromSettings().build().start()) {
            herald.publish(ChannelName.of("/a/b"), "{\"n\":1}");
            assertThat(herald.injector().getInstance(Echo.class).heard()).containsExactly("heard:{\"n\":1}");
        }
    }

    @Test
    void anExtensionOnTheClassPathButNotSelectedDoesNothing() {
        try (Herald herald = Herald.builder().settings(NO_TRANSPORTS).pluginsFromSettings().build().start()) {
            assertThat(herald.injector().getInstance(Key.get(new TypeLiteral<Set<PublishListener>>() { }))).isEmpty();
        }
    }

    @Test
    void selectingAMissingExtensionNamesTheExtensionsAvailable() {
        Settings settings = NO_TRANSPORTS.with(CoreSettings.EXTENSIONS, "echo,presence");
        assertThatThrownBy(() -> Herald.builder().settings(settings).pluginsFromSettings().build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("no extension plugin named 'presence' on the class path (available: echo)");
    }

    @Test
    void settingsAreValidatedTheSameWayInCodeAndByConfiguration() {
        Settings blank = NO_TRANSPORTS.with(EchoModule.PREFIX, " ");
        assertThatThrownBy(() -> Herald.builder().settings(blank).extension(new EchoModule(blank)).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid value for echo.prefix (code): it is blank");
        Settings selected = blank.with(CoreSettings.EXTENSIONS, "echo");
        assertThatThrownBy(() -> Herald.builder().settings(selected).pluginsFromSettings().build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid value for echo.prefix (code): it is blank");
    }

    @Test
    void aRegisteredHandlerIsFoundByNameAndType() {
        Settings settings = NO_TRANSPORTS;
        try (Herald herald = Herald.builder().settings(settings).extension(new EchoModule(settings)).build()) {
            assertThat(herald.handler("echo", Echo.class)).isSameAs(herald.injector().getInstance(Echo.class));
            assertThatThrownBy(() -> herald.handler("echo", Runnable.class))
                    .hasMessage("the handler named 'echo' is a " + Echo.class.getName() + ", not a java.lang.Runnable");
            assertThatThrownBy(() -> herald.handler("sse", Object.class))
                    .hasMessage("no handler named 'sse' (registered: echo)");
        }
        try (Herald bare = Herald.builder().settings(settings).build()) {
            assertThatThrownBy(() -> bare.handler("sse", Object.class))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("no handler named 'sse' (registered: none, add a transport)");
        }
    }
}
