package io.herald.presence;

import com.google.inject.Module;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.core.spi.HeraldPlugin;
import java.util.List;

/** The {@code presence} extension ({@code extensions: [presence]}, {@code --extensions presence}). Stateless. */
public final class PresencePlugin implements HeraldPlugin {

    @Override
    public String name() {
        return "presence";
    }

    @Override
    public Kind kind() {
        return Kind.EXTENSION;
    }

    @Override
    public List<Setting<?>> settings() {
        return PresenceSettings.all();
    }

    @Override
    public Module module(Settings settings) {
        return new PresenceModule(settings);
    }
}
