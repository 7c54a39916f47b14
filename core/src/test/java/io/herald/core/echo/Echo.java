package io.herald.core.echo;

import io.herald.api.Message;
import io.herald.core.PublishListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test extension: keeps what is published, each payload prefixed with its {@code echo.prefix}. It proves
 * that extensions are selected by configuration like transports, and that their settings are validated.
 */
public final class Echo implements PublishListener {

    private final String prefix;
    private final List<String> heard = new CopyOnWriteArrayList<>();

    Echo(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public void published(Message message) {
        heard.add(prefix + message.payload().utf8());
    }

    public List<String> heard() {
        return List.copyOf(heard);
    }
}
