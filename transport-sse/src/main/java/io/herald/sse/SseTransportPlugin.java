package io.herald.sse;

import com.google.inject.Module;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.core.spi.HeraldPlugin;
import java.util.List;

/** The {@code sse} transport: Server-Sent Events and long polling. */
public final class SseTransportPlugin implements HeraldPlugin {

    @Override
    public String name() {
        return "sse";
    }

    @Override
    public Kind kind() {
        return Kind.TRANSPORT;
    }

    @Override
    public List<Setting<?>> settings() {
        return SseSettings.all();
    }

    @Override
    public Module module(Settings settings) {
        return new SseTransportModule(settings);
    }
}
