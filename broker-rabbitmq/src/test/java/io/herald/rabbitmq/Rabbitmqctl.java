package io.herald.rabbitmq;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code rabbitmqctl} on the local RabbitMQ node, for what only the server side can do: close connections as
 * an operator (or a network failure) would, and stop and start the application. Fails the test, never skips,
 * when the tool is missing or the node does not answer.
 */
final class Rabbitmqctl {

    private static final Pattern CONNECTION = Pattern.compile("^(<[^>]+>)\\t.*\\{\"connection_name\",\"([^\"]+)\"\\}", Pattern.MULTILINE);

    private Rabbitmqctl() {
    }

    /** Closes every connection whose client-provided name starts with {@code prefix}; returns how many it closed. */
    static int closeConnections(String prefix) {
        String listing = run("list_connections", "-q", "--no-table-headers", "pid", "client_properties");
        List<String> pids = new ArrayList<>();
        Matcher m = CONNECTION.matcher(listing);
        while (m.find()) {
            if (m.group(2).startsWith(prefix)) {
                pids.add(m.group(1));
            }
        }
        for (String pid : pids) {
            run("close_connection", pid, "closed by a Herald test");
        }
        return pids.size();
    }

    /** Stops the RabbitMQ application (the Erlang node stays up, as in a rolling restart). */
    static void stopApp() {
        run("stop_app");
    }

    /** Starts it again and waits until it serves (plugins included: Web-STOMP comes back with the app). */
    static void startApp() {
        run("start_app");
        run("await_startup");
    }

    static String run(String... args) {
        List<String> command = new ArrayList<>();
        command.add("rabbitmqctl");
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run rabbitmqctl (is RabbitMQ installed? .ci/run installs it): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }
}
