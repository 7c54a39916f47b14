package io.herald.server;

import io.herald.core.config.Setting;
import java.util.Collection;

/** The text of {@code herald --help}: the commands, then every setting with its flag, variable and default. */
final class Help {

    private Help() {
    }

    static String text(Collection<Setting<?>> settings) {
        StringBuilder out = new StringBuilder();
        out.append("Herald ").append(ServerVersion.VALUE)
                .append(": real-time messaging over SSE, STOMP and Bayeux that loses nothing across reconnects.\n\n");
        out.append("Usage:\n");
        out.append("  herald [OPTIONS]            run the server (Ctrl-C or SIGTERM stops it gracefully)\n");
        out.append("  herald token --subject NAME --channel CHANNEL [--channel ...] [--ttl 1h]\n");
        out.append("                              print a client token signed with --token-secret / HERALD_TOKEN_SECRET\n");
        out.append("  herald --help | --version\n\n");
        out.append("Options (flag, environment variable, default). Each is also a config-file key: --history-size\n");
        out.append("is history.size, or nested as history: {size: ...}. A flag beats the environment, which beats\n");
        out.append("the file.\n\n");
        int flagWidth = 0;
        int envWidth = 0;
        for (Setting<?> setting : settings) {
            flagWidth = Math.max(flagWidth, setting.flag().length());
            envWidth = Math.max(envWidth, setting.env().length());
        }
        for (Setting<?> setting : settings) {
            String fallback = setting.defaultText() == null || setting.defaultText().isEmpty() ? "none" : setting.defaultText();
            out.append("  ").append(pad(setting.flag(), flagWidth)).append("  ")
                    .append(pad(setting.env(), envWidth)).append("  ").append(fallback).append('\n');
            out.append("  ").append(" ".repeat(flagWidth + 2)).append(setting.description()).append('\n');
        }
        return out.toString();
    }

    static String tokenUsage() {
        return """
                Usage: herald token --subject NAME --channel CHANNEL [--channel ...] [--ttl DURATION]

                Prints a client token (an HS256 JWT) for user NAME granting the channels or patterns given
                (/chat/** grants every channel under /chat), valid for DURATION (default 1h; 30m, 2h, 7d).
                It is signed with the server's secret: --token-secret, HERALD_TOKEN_SECRET, or token.secret in
                the --config file.
                """;
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(width - text.length());
    }
}
