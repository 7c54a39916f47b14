package io.herald.server;

import io.herald.api.ChannelName;
import io.herald.api.InvalidChannelException;
import io.herald.core.auth.HmacTokens;
import io.herald.core.config.ConfigurationException;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import io.herald.core.config.SettingsLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code herald token --subject alice --channel /chat/** --channel /news --ttl 1h}: mints a client token with
 * {@link HmacTokens}. Its own options are {@code --subject}, {@code --channel} (repeatable) and {@code --ttl};
 * every other option is a server setting, so the secret comes from {@code --token-secret},
 * {@code HERALD_TOKEN_SECRET} or the {@code --config} file, exactly as the server would read it.
 */
final class TokenCommand {

    private static final Setting<Duration> TTL = Setting.duration("ttl", "1h", "how long the token is valid");

    private TokenCommand() {
    }

    /**
     * The token {@code args} ask for.
     *
     * @throws ConfigurationException naming what is missing or malformed; a token needs a subject, at least one
     *     channel and the secret
     */
    static String mint(List<String> args, Map<String, String> env, SettingsLoader loader) {
        String subject = null;
        List<ChannelName> channels = new ArrayList<>();
        String ttlText = TTL.defaultText();
        List<String> settingArgs = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            int eq = arg.indexOf('=');
            String name = eq > 0 && arg.startsWith("--") ? arg.substring(0, eq) : arg;
            if (!name.equals("--subject") && !name.equals("--channel") && !name.equals("--ttl")) {
                settingArgs.add(arg);
                continue;
            }
            String value;
            if (eq > 0 && arg.startsWith("--")) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new ConfigurationException("option " + name + " needs a value");
            }
            switch (name) {
                case "--subject" -> subject = value;
                case "--channel" -> channels.add(channel(value));
                default -> ttlText = value;
            }
        }
        if (subject == null || subject.isBlank()) {
            throw new ConfigurationException("token needs --subject NAME, the user it is for");
        }
        if (channels.isEmpty()) {
            throw new ConfigurationException("token needs at least one --channel CHANNEL (a pattern like /chat/** grants a subtree)");
        }
        Duration ttl = ttl(ttlText);
        Settings settings = loader.load(settingArgs, env);
        String secret = settings.get(CoreSettings.TOKEN_SECRET);
        if (secret == null || secret.isEmpty()) {
            throw new ConfigurationException("token needs the server's signing secret: give --token-secret SECRET or set HERALD_TOKEN_SECRET");
        }
        return new HmacTokens(secret).mint(subject, channels, ttl);
    }

    private static ChannelName channel(String value) {
        try {
            return ChannelName.lenient(value);
        } catch (InvalidChannelException e) {
            throw new ConfigurationException("invalid value for --channel: " + e.getMessage());
        }
    }

    private static Duration ttl(String text) {
        Duration ttl;
        try {
            ttl = TTL.parse(text);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ConfigurationException("invalid value for --ttl: " + e.getMessage());
        }
        if (ttl.toSeconds() < 1) {
            throw new ConfigurationException("invalid value for --ttl: '" + text + "' is shorter than a second");
        }
        return ttl;
    }
}
