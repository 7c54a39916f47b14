package io.herald.server;

import com.google.inject.CreationException;
import com.google.inject.ProvisionException;
import io.herald.core.config.ConfigurationException;
import io.herald.core.config.SettingsLoader;
import io.herald.core.spi.PluginCatalog;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The command line: chooses between running the server, {@code token}, {@code --help} and {@code --version},
 * and turns every failure into one line {@code herald: <message>} on stderr with an exit status: 2 for a usage
 * or configuration error, 1 when the server cannot start. Never prints a stack trace. One instance serves one
 * run at a time.
 */
final class Cli {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private final PrintStream out;
    private final PrintStream err;

    Cli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Runs {@code args}. Running the server blocks until SIGTERM or SIGINT (or a JVM shutdown) has stopped it
     * gracefully, then returns 0; every other command returns at once.
     *
     * @return the exit status
     */
    int run(List<String> args, Map<String, String> env) {
        try {
            PluginCatalog catalog = PluginCatalog.discover();
            SettingsLoader loader = HeraldServer.settingsLoader(catalog);
            Map<String, String> settingsEnv = HeraldServer.settingsEnvironment(env);
            if (!args.isEmpty() && args.get(0).equals("token")) {
                List<String> tokenArgs = args.subList(1, args.size());
                if (tokenArgs.contains("--help") || tokenArgs.contains("-h")) {
                    out.print(Help.tokenUsage());
                } else {
                    out.println(TokenCommand.mint(tokenArgs, settingsEnv, loader));
                }
                return OK;
            }
            if (args.contains("--help") || args.contains("-h")) {
                out.print(Help.text(loader.settings()));
                return OK;
            }
            if (args.contains("--version")) {
                out.println("herald " + ServerVersion.VALUE);
                return OK;
            }
            if (!args.isEmpty() && !args.get(0).startsWith("-")) {
                throw new ConfigurationException("unknown command '" + args.get(0) + "' (commands: token; see --help)");
            }
            return serve(args, env);
        } catch (ConfigurationException e) {
            err.println("herald: " + firstLine(e.getMessage()));
            return USAGE;
        } catch (RuntimeException e) {
            err.println("herald: " + describe(e));
            return FAILED;
        }
    }

    private static int serve(List<String> args, Map<String, String> env) {
        AtomicReference<RunningServer> running = new AtomicReference<>();
        AtomicBoolean stopRequested = new AtomicBoolean();
        Runnable stop = () -> {
            stopRequested.set(true);
            RunningServer server = running.get();
            if (server != null) {
                server.stop();
            }
        };
        // SIGTERM and SIGINT are how a supervisor or a user asks for a graceful stop, which is a success:
        // handled here, the server stops and the command returns 0, where the JVM's default exits 143 (130).
        // Registered before starting, so a signal that arrives while the server starts stops it once started.
        Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
        for (String name : List.of("TERM", "INT")) {
            Signal signal = new Signal(name);
            previous.put(signal, Signal.handle(signal, received -> stop.run()));
        }
        // Any other way the JVM shuts down (System.exit, SIGHUP) still stops the server gracefully.
        Thread hook = new Thread(stop, "herald-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        RunningServer server;
        try {
            server = HeraldServer.start(args, env);
        } catch (RuntimeException e) {
            // Nothing runs: signals end the JVM as usual again.
            previous.forEach(Signal::handle);
            Runtime.getRuntime().removeShutdownHook(hook);
            throw e;
        }
        running.set(server);
        if (stopRequested.get()) {
            server.stop();
        }
        try {
            server.awaitStopped();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return OK;
    }

    /** One line about why the server could not start, without Guice's preamble. */
    static String describe(RuntimeException e) {
        if (e instanceof CreationException creation && !creation.getErrorMessages().isEmpty()) {
            return firstLine(creation.getErrorMessages().iterator().next().getMessage());
        }
        if (e instanceof ProvisionException provision && !provision.getErrorMessages().isEmpty()) {
            return firstLine(provision.getErrorMessages().iterator().next().getMessage());
        }
        return firstLine(e.getMessage() == null ? e.toString() : e.getMessage());
    }

    private static String firstLine(String message) {
        String text = message == null ? "unknown error" : message.strip();
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline).strip();
    }
}
