package io.herald.rabbitmq;

import com.google.inject.Module;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.core.spi.HeraldPlugin;
import java.util.List;

/**
 * The {@code rabbitmq} broker: fan-out between nodes through a RabbitMQ topic exchange, with publisher
 * confirms, whatever the store. Selected with {@code broker: rabbitmq} ({@code --broker rabbitmq}). Stateless
 * and thread-safe, as plugins are.
 */
public final class RabbitBrokerPlugin implements HeraldPlugin {

    @Override
    public String name() {
        return "rabbitmq";
    }

    @Override
    public Kind kind() {
        return Kind.BROKER;
    }

    @Override
    public List<Setting<?>> settings() {
        return RabbitSettings.all();
    }

    @Override
    public Module module(Settings settings) {
        return new RabbitBrokerModule(settings);
    }
}
