package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.api.Principal;
import io.herald.core.auth.HmacTokens;
import io.herald.core.config.Setting;
import io.herald.core.spi.PluginCatalog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("the command line")
class CliTest {

    /** What one run printed and returned. */
    record Outcome(int status, String out, String err) {
    }

    static Outcome run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(List.of(args), env);
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Outcome run(String... args) {
        return run(Map.of(), args);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "--nope                                  | herald: unknown option --nope (see --help)",
        "--port abc                              | herald: invalid value for --port: 'abc' is not a whole number",
        "--port 70000                            | herald: invalid value for --port: 70000 is not within 0..65535",
        "--port                                  | herald: option --port needs a value",
        "--session-ttl 5 parsecs                 | herald: unexpected argument 'parsecs' (settings are given as --name value)",
        "--session-ttl 5parsecs                  | herald: invalid value for --session-ttl: '5parsecs' has an unknown unit; use ms, s, m, h or d",
        "--config /definitely/not/here.yml       | herald: cannot read config file /definitely/not/here.yml",
        "--store cassandra                       | herald: no store plugin named 'cassandra' on the class path (available:",
        "--transports carrier-pigeon             | herald: no transport plugin named 'carrier-pigeon' on the class path (available:",
        "--broker kafka                          | herald: no broker plugin named 'kafka' on the class path (available: memory, postgres, rabbitmq, redis)",
        "--broker rabbitmq --rabbitmq-url http://h:1/ | herald: invalid value for --rabbitmq-url: not an AMQP URI amqp://user:password@host:port/vhost",
        "--broker rabbitmq --rabbitmq-confirm-timeout 0s | herald: invalid value for --rabbitmq-confirm-timeout: it must be positive and under 24 days, got PT0S",
        "--extensions telepathy                  | herald: no extension plugin named 'telepathy' on the class path (available: presence)",
        "--extensions presence --presence-ttl 1ms | herald: invalid value for --presence-ttl: it must be at least 300ms, got 1ms",
        "--extensions presence --presence-channels /presence/x | herald: invalid value for --presence-channels: '/presence/x' is under /presence/",
        "--store jdbc --jdbc-url jdbc:oracle:x   | herald: invalid value for --jdbc-url: 'jdbc:oracle:x' is not a PostgreSQL, MariaDB/MySQL or H2 JDBC URL (jdbc:postgresql://, jdbc:mariadb://, jdbc:mysql:// or jdbc:h2:)",
        "--store jdbc --jdbc-pool-size 1         | herald: invalid value for --jdbc-pool-size: 1 is not within 2..1024",
        "--store redis --redis-timeout 0s        | herald: invalid value for --redis-timeout: it must be positive and under 24 days, got PT0S",
        "--store redis --redis-url http://h:1/0  | herald: invalid Redis URL 'http://h:1/0': the scheme must be redis:// or rediss://",
        "--api-path api/                         | herald: invalid value for --api-path: 'api/' is not a path like /api",
        "--api-key=                              | herald: invalid value for --api-key: it is empty; leave it unset instead",
        "frobnicate                              | herald: unknown command 'frobnicate' (commands: token; see --help)",
    })
    @DisplayName("refuses bad arguments with one line on stderr and status 2")
    void refuses(String args, String expected) {
        Outcome outcome = run(args.split(" "));
        assertThat(outcome.status()).isEqualTo(2);
        assertThat(outcome.out()).isEmpty();
        assertThat(outcome.err()).startsWith(expected).endsWith("\n");
        assertThat(outcome.err().lines()).hasSize(1);
    }

    @Test
    @DisplayName("names the variable when an environment value is bad, and ignores HERALD_JAVA_OPTS")
    void badEnvironment() {
        Outcome outcome = run(Map.of("HERALD_HISTORY_SIZE", "lots", "HERALD_JAVA_OPTS", "-Xmx1g"), "--port", "0");
        assertThat(outcome.status()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo("herald: invalid value for HERALD_HISTORY_SIZE: 'lots' is not a whole number\n");
    }

    @Test
    @DisplayName("names the file when a config file holds an unknown key")
    void badFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("herald.yml"), "port: 0\nhistory:\n  sise: 5\n");
        Outcome outcome = run(Map.of("HERALD_CONFIG", file.toString()));
        assertThat(outcome.status()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo("herald: unknown setting 'history.sise' in " + file + "\n");
    }

    @Test
    @DisplayName("exits with 1 and one line when the port is taken")
    void portTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Outcome outcome = run("--host", "127.0.0.1", "--port", String.valueOf(taken.getLocalPort()));
            assertThat(outcome.status()).isEqualTo(1);
            assertThat(outcome.err()).startsWith("herald: cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertThat(outcome.err().lines()).hasSize(1);
        }
    }

    @Test
    @DisplayName("--help lists every setting with its flag, variable and default, and the token command")
    void help() {
        Outcome outcome = run("--help");
        assertThat(outcome.status()).isZero();
        assertThat(outcome.err()).isEmpty();
        for (Setting<?> setting : HeraldServer.settingsLoader(PluginCatalog.discover()).settings()) {
            String line = outcome.out().lines().filter(l -> l.trim().startsWith(setting.flag() + " ")).findFirst().orElse("");
            assertThat(line).as(setting.key()).contains(setting.env());
            String fallback = setting.defaultText() == null || setting.defaultText().isEmpty() ? "none" : setting.defaultText();
            assertThat(line).as(setting.key()).endsWith(fallback);
            assertThat(outcome.out()).contains(setting.description());
        }
        assertThat(outcome.out()).contains("--port", "HERALD_PORT", "8080", "--api-key", "HERALD_API_KEY",
                "--token-secret", "--cors-origins", "--redis-url", "redis://127.0.0.1:6379", "--jdbc-url",
                "--jdbc-user", "--jdbc-password", "--history-size", "--session-ttl", "300s", "--store", "memory",
                "--config", "HERALD_CONFIG", "herald token --subject", "--version", "--broker", "HERALD_BROKER",
                "--extensions", "HERALD_EXTENSIONS", "--rabbitmq-url", "HERALD_RABBITMQ_URL");
    }

    @Test
    @DisplayName("--version prints the version")
    void version() {
        Outcome outcome = run("--version");
        assertThat(outcome.status()).isZero();
        assertThat(outcome.out()).isEqualTo("herald " + ServerVersion.VALUE + "\n");
    }

    @Test
    @DisplayName("token prints a token that HmacTokens verifies, granting the channels for the ttl")
    void token() {
        Outcome outcome = run(Map.of("HERALD_TOKEN_SECRET", "env-secret"),
                "token", "--subject", "alice", "--channel", "/chat/**", "--channel", "news", "--ttl", "2h");
        assertThat(outcome.status()).as(outcome.err()).isZero();
        assertThat(outcome.err()).isEmpty();
        assertThat(outcome.out().lines()).hasSize(1);

        Principal alice = new HmacTokens("env-secret").verify(outcome.out().strip());
        assertThat(alice.name()).isEqualTo("alice");
        assertThat(alice.channels()).containsExactly(ChannelName.of("/chat/**"), ChannelName.of("/news"));
        long exp = Long.parseLong(alice.attributes().get("exp"));
        assertThat(exp - Instant.now().getEpochSecond()).isBetween(Duration.ofHours(2).toSeconds() - 60, Duration.ofHours(2).toSeconds());
    }

    @Test
    @DisplayName("token takes the secret from --token-secret over the environment, and from a config file")
    void tokenSecretSources(@TempDir Path dir) throws IOException {
        Outcome flag = run(Map.of("HERALD_TOKEN_SECRET", "env-secret"),
                "token", "--subject=bob", "--channel=/a", "--token-secret", "flag-secret");
        assertThat(new HmacTokens("flag-secret").verify(flag.out().strip()).name()).isEqualTo("bob");

        Path file = Files.writeString(dir.resolve("herald.json"), "{\"token\": {\"secret\": \"file-secret\"}}");
        Outcome fromFile = run(Map.of(), "token", "--subject", "carol", "--channel", "/a", "--config", file.toString());
        assertThat(new HmacTokens("file-secret").verify(fromFile.out().strip()).name()).isEqualTo("carol");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "token --subject alice --channel /a                     | herald: token needs the server's signing secret",
        "token --channel /a --token-secret s                    | herald: token needs --subject NAME",
        "token --subject alice --token-secret s                 | herald: token needs at least one --channel",
        "token --subject alice --channel /a/*/b --token-secret s | herald: invalid value for --channel: invalid channel '/a/*/b'",
        "token --subject alice --channel /a --ttl forever --token-secret s | herald: invalid value for --ttl:",
        "token --subject alice --channel /a --ttl 0s --token-secret s | herald: invalid value for --ttl: '0s' is shorter than a second",
        "token --subject alice --channel /a --token-secret s --nope | herald: unknown option --nope",
        "token --subject                                        | herald: option --subject needs a value",
    })
    @DisplayName("token refuses what it cannot sign, with status 2")
    void tokenRefuses(String args, String expected) {
        Outcome outcome = run(args.split(" "));
        assertThat(outcome.status()).isEqualTo(2);
        assertThat(outcome.out()).isEmpty();
        assertThat(outcome.err()).startsWith(expected);
        assertThat(outcome.err().lines()).hasSize(1);
    }

    @Test
    @DisplayName("token --help explains the command")
    void tokenHelp() {
        Outcome outcome = run("token", "--help");
        assertThat(outcome.status()).isZero();
        assertThat(outcome.out()).contains("herald token --subject NAME", "--ttl", "HERALD_TOKEN_SECRET");
    }

    @Test
    @DisplayName("a token is an HS256 JWT")
    void tokenShape() {
        String token = run("token", "--subject", "a", "--channel", "/a", "--token-secret", "s").out().strip();
        String header = new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8);
        assertThat(header).contains("\"alg\":\"HS256\"");
    }
}
