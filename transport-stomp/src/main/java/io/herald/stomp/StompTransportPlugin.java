package io.herald.stomp;

import com.google.inject.Module;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.core.spi.HeraldPlugin;
import java.util.List;

/** The {@code stomp} transport: STOMP 1.0-1.2 over WebSocket (and plain TCP when a port is set). */
public final class StompTransportPlugin implements HeraldPlugin {

    @Override
    public String name() {
        return "stomp";
    }

    @Override
    public Kind kind() {
        return Kind.TRANSPORT;
    }

    @Override
    public List<Setting<?>> settings() {
        return StompSettings.all();
    }

    @Override
    public Module module(Settings settings) {
        return new StompTransportModule(settings);
    }
}
