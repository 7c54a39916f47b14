package io.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/**
 * The batch scenario against a stand-in for Herald that checks each body is an array of {@code --batch}
 * publish objects of one sequence number and answers as Herald does; then against one that refuses an element.
 */
class BatchPublishScenarioSmokeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void countsEveryElementOfEveryBatch() throws Exception {
        AtomicInteger wellFormed = new AtomicInteger();
        try (Stand stand = new Stand(wellFormed, 0)) {
            List<LoadResult> results = LoadGenerator.run(LoadOptions.parse("--scenarios", "publish-batch", "--batch", "7",
                    "--url", stand.uri(), "--rate", "100", "--warmup", "0", "--duration", "1", "--heap", "false"),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

            LoadResult r = results.get(0);
            assertThat(r.scenario()).isEqualTo("publish-batch");
            assertThat(r.sends()).isEqualTo(100);
            assertThat(r.delivered()).isEqualTo(700);
            assertThat(r.lost()).isZero();
            assertThat(r.errors()).isZero();
            assertThat(wellFormed.get()).isEqualTo(100);
        }
    }

    @Test
    void aRefusedElementIsAnError() throws Exception {
        try (Stand stand = new Stand(new AtomicInteger(), 1)) {
            LoadResult r = LoadGenerator.run(LoadOptions.parse("--scenarios", "publish-batch", "--batch", "3",
                    "--url", stand.uri(), "--rate", "50", "--warmup", "0", "--duration", "0.2", "--drain", "1", "--heap", "false"),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).get(0);

            assertThat(r.delivered()).isZero();
            assertThat(r.errors()).isEqualTo(r.sends());
            assertThat(r.firstError()).contains("not wholly published");
        }
    }

    /** Checks the body's shape and answers {@code {"published","failed","results"}} with {@code failed} refusals. */
    private static final class Stand implements AutoCloseable {
        private final Server server = new Server();
        private final ServerConnector connector = new ServerConnector(server);

        Stand(AtomicInteger wellFormed, int failed) throws Exception {
            connector.setHost("127.0.0.1");
            server.addConnector(connector);
            server.setHandler(new Handler.Abstract() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) throws Exception {
                    JsonNode body = JSON.readTree(Content.Source.asString(request, StandardCharsets.UTF_8));
                    long seq = body.get(0).get("data").get("seq").asLong();
                    boolean ok = body.isArray();
                    for (JsonNode element : body) {
                        ok &= element.get("channel").asText().equals("/bench/a") && element.get("data").get("seq").asLong() == seq;
                    }
                    if (ok) {
                        wellFormed.incrementAndGet();
                    }
                    String answer = "{\"published\":" + (body.size() - failed) + ",\"failed\":" + failed + ",\"results\":[]}";
                    response.setStatus(200);
                    response.write(true, ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)), callback);
                    return true;
                }
            });
            server.start();
        }

        String uri() {
            return "http://127.0.0.1:" + connector.getLocalPort() + "/api/publish";
        }

        @Override
        public void close() throws Exception {
            server.stop();
        }
    }
}
