package io.herald.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import io.herald.core.config.Settings;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginCatalogTest {

    @TempDir
    Path dir;

    /** A class path entry holding only a services file that names {@code providers}. */
    private URLClassLoader servicesNaming(Class<?>... providers) throws IOException {
        Path services = dir.resolve("META-INF/services/" + HeraldPlugin.class.getName());
        Files.createDirectories(services.getParent());
        StringBuilder lines = new StringBuilder();
        for (Class<?> provider : providers) {
            lines.append(provider.getName()).append('\n');
        }
        Files.writeString(services, lines);
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
    }

    @Test
    void aPluginWhoseNameFailsIsReportedAndTheOthersAreStillFound() throws IOException {
        try (URLClassLoader loader = servicesNaming(Nameless.class, ContextOnly.class)) {
            PluginCatalog catalog = PluginCatalog.discover(loader);
            assertThat(catalog.problems()).singleElement().asString()
                    .startsWith("skipping a plugin that failed to load: ").contains("no name today");
            assertThat(catalog.find(HeraldPlugin.Kind.TRANSPORT, "context-only")).isPresent();
            assertThat(catalog.find(HeraldPlugin.Kind.STORE, "memory")).isPresent();
        }
    }

    @Test
    void discoveryAlsoLooksInTheThreadContextClassLoader() throws IOException {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader application = servicesNaming(ContextOnly.class)) {
            // What a servlet container does: the application's loader is the context loader of its threads.
            thread.setContextClassLoader(application);
            PluginCatalog catalog = PluginCatalog.discover();
            assertThat(catalog.find(HeraldPlugin.Kind.TRANSPORT, "context-only")).isPresent();
            // Core's own plugins are visible through both loaders and are still one plugin each.
            assertThat(catalog.problems()).isEmpty();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Test
    void aStoreAndABrokerMayShareAName() {
        PluginCatalog catalog = PluginCatalog.discover();
        assertThat(catalog.find(HeraldPlugin.Kind.STORE, "memory")).isPresent();
        assertThat(catalog.find(HeraldPlugin.Kind.BROKER, "memory")).isPresent();
        assertThat(catalog.names(HeraldPlugin.Kind.BROKER)).containsExactly("memory");
        assertThat(catalog.problems()).isEmpty();
    }

    @Test
    void twoPluginsOfOneKindAndNameKeepTheFirst() throws IOException {
        try (URLClassLoader loader = servicesNaming(ContextOnly.class, SameNameAgain.class)) {
            PluginCatalog catalog = PluginCatalog.discover(loader);
            assertThat(catalog.find(HeraldPlugin.Kind.TRANSPORT, "context-only")).get().isInstanceOf(ContextOnly.class);
            assertThat(catalog.problems()).containsExactly("two transport plugins are named 'context-only': keeping "
                    + ContextOnly.class.getName() + ", skipping " + SameNameAgain.class.getName());
        }
    }

    /** A broken plugin: loads fine, fails when asked its name. */
    public static final class Nameless implements HeraldPlugin {
        @Override
        public String name() {
            throw new IllegalStateException("no name today");
        }

        @Override
        public Kind kind() {
            return Kind.TRANSPORT;
        }

        @Override
        public Module module(Settings settings) {
            return new AbstractModule() { };
        }
    }

    /** A plugin only an application's own class loader lists. */
    public static class ContextOnly implements HeraldPlugin {
        @Override
        public String name() {
            return "context-only";
        }

        @Override
        public Kind kind() {
            return Kind.TRANSPORT;
        }

        @Override
        public Module module(Settings settings) {
            return new AbstractModule() { };
        }
    }

    /** Another class claiming {@link ContextOnly}'s kind and name. */
    public static final class SameNameAgain extends ContextOnly {
    }
}
