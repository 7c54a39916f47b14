package io.herald.bayeux;

import com.google.inject.Module;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.core.spi.HeraldPlugin;
import java.util.List;

/** The {@code bayeux} transport: Bayeux 1.0 for Faye and CometD clients. */
public final class BayeuxTransportPlugin implements HeraldPlugin {

    @Override
    public String name() {
        return "bayeux";
    }

    @Override
    public Kind kind() {
        return Kind.TRANSPORT;
    }

    @Override
    public List<Setting<?>> settings() {
        return BayeuxSettings.all();
    }

    @Override
    public Module module(Settings settings) {
        return new BayeuxTransportModule(settings);
    }
}
