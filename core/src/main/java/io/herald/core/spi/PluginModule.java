package io.herald.core.spi;

import com.google.inject.Module;
import io.herald.core.config.PluginSettings;

/**
 * A plugin's Guice module together with its typed settings. {@code Herald.Builder.build()} calls
 * {@link PluginSettings#validate()} on the settings of every such module before it assembles anything, so
 * code that embeds Herald and the server's command line refuse the same bad values with the same line.
 */
public interface PluginModule extends Module {

    /** The settings this module binds with, read from the configuration when the module was made. */
    PluginSettings settings();
}
