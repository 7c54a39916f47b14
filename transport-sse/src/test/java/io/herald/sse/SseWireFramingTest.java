package io.herald.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.ChannelName;
import io.herald.core.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bytes on the wire, read from a raw socket with a strict HTTP/1.1 chunk decoder: streams written
 * straight on their connection ({@code DirectStream}) and through Jetty must frame every chunk exactly, end
 * with Jetty's last chunk, and leave a keep-alive connection ready for the next request; clients whose body
 * is not chunked (HTTP/1.0, {@code Connection: close}) get the plain event stream.
 */
class SseWireFramingTest {

    private static final ChannelName WIRE = ChannelName.of("/wire/a");

    /** A raw HTTP/1.1 client on one connection. */
    private static final class RawClient implements AutoCloseable {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;
        private boolean owedCrlf;

        RawClient(SseServer server) throws IOException {
            socket.connect(new InetSocketAddress(server.uri.getHost(), server.uri.getPort()));
            socket.setSoTimeout(20_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void request(String target, String version, String extraHeaders) throws IOException {
            out.write(("GET " + target + " " + version + "\r\nHost: x\r\nAccept: text/event-stream\r\n" + extraHeaders + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Status line and headers, lower-cased names, up to the blank line. */
        List<String> head() throws IOException {
            owedCrlf = false;
            List<String> lines = new ArrayList<>();
            for (String line = line(); !line.isEmpty(); line = line()) {
                lines.add(line.toLowerCase(java.util.Locale.ROOT));
            }
            return lines;
        }

        /**
         * One chunk's data, strictly framed; an empty array for the last chunk. Like Jetty's generator, the
         * server writes the CRLF that ends a chunk's data before the next chunk ({@code CRLF size CRLF data}),
         * so it is read there.
         */
        byte[] chunk() throws IOException {
            if (owedCrlf) {
                assertThat(line()).as("CRLF that ends the previous chunk").isEmpty();
            }
            String size = line();
            assertThat(size).as("chunk size line").matches("[0-9A-Fa-f]+");
            int length = Integer.parseInt(size, 16);
            byte[] data = in.readNBytes(length);
            assertThat(data).hasSize(length);
            owedCrlf = length > 0;
            return data;
        }

        /** The whole body of a response with {@code head}: Content-Length bytes, or chunks up to the last one. */
        String body(List<String> head) throws IOException {
            assertThat(head).anyMatch(h -> h.startsWith("http/1.1 200"));
            String length = head.stream().filter(h -> h.startsWith("content-length: ")).findFirst().orElse(null);
            if (length != null) {
                return new String(in.readNBytes(Integer.parseInt(length.substring(16).trim())), StandardCharsets.UTF_8);
            }
            assertThat(head).contains("transfer-encoding: chunked");
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (byte[] data = chunk(); data.length > 0; data = chunk()) {
                body.writeBytes(data);
            }
            assertThat(line()).as("the blank line after the last chunk").isEmpty();
            return body.toString(StandardCharsets.UTF_8);
        }

        /** Events from chunks until {@code count} messages have come; the chunks are decoded strictly. */
        List<SseEvent> chunkedEvents(int count) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (messages(body).size() < count) {
                byte[] data = chunk();
                assertThat(data).as("a chunk before the stream's end").isNotEmpty();
                body.writeBytes(data);
            }
            return LongPollingTest.events(body.toString(StandardCharsets.UTF_8));
        }

        private static List<SseEvent> messages(ByteArrayOutputStream body) {
            return LongPollingTest.events(body.toString(StandardCharsets.UTF_8)).stream().filter(SseEvent::isMessage).toList();
        }

        /** A CRLF-terminated line (a bare LF is a framing error here). */
        String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\r') {
                assertThat(b).as("a line ends with CRLF, got so far: " + line).isNotEqualTo('\n').isNotEqualTo(-1);
                line.write(b);
            }
            assertThat(in.read()).as("LF after CR").isEqualTo('\n');
            return line.toString(StandardCharsets.US_ASCII);
        }

        InputStream in() {
            return in;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void aStreamFramesEverySingleAndBatchedEventAsExactChunks() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (SseServer server = new SseServer(); RawClient client = new RawClient(server)) {
            client.request("/sse?channel=wire/a", "HTTP/1.1", "");
            assertThat(client.head()).contains("transfer-encoding: chunked").anyMatch(h -> h.startsWith("http/1.1 200"));
            // The first chunk (written by Jetty with the headers): retry and the lastEventId event.
            assertThat(new String(client.chunk(), StandardCharsets.US_ASCII)).startsWith("retry: ");
            int total = 0;
            for (int round = 0; round < 20; round++) {
                // Bursts of random size, some alone (the shared single-event chunk), some together (a batch).
                int burst = 1 + random.nextInt(round % 2 == 0 ? 1 : 40);
                for (int i = 0; i < burst; i++) {
                    server.herald.publish(WIRE, "{\"n\":" + (total + i) + ",\"pad\":\"" + "x".repeat(random.nextInt(300)) + "\"}");
                }
                total += burst;
                List<SseEvent> events = client.chunkedEvents(burst);
                assertThat(events).as("seed " + seed).hasSize(burst);
                for (int i = 0; i < burst; i++) {
                    assertThat(events.get(i).data()).as("seed " + seed).startsWith("{\"n\":" + (total - burst + i) + ",");
                    assertThat(events.get(i).id()).as("seed " + seed).isNotBlank();
                }
            }
        }
    }

    @Test
    void aPollEndsWithJettysLastChunkAfterChunksWrittenDirectly() throws Exception {
        try (SseServer server = new SseServer(Settings.defaults().with(SseSettings.POLL_BATCH, "300ms"))) {
            String id;
            try (RawClient client = new RawClient(server)) {
                client.request("/sse?polling&channel=wire/a", "HTTP/1.1", "");
                // Written whole in one last write, Jetty sends this answer with a Content-Length.
                List<SseEvent> heads = LongPollingTest.events(client.body(client.head()));
                id = heads.get(heads.size() - 1).id();
            }
            // A poll with the id: the retry line through Jetty, the events as chunks, then Jetty's last chunk.
            try (RawClient client = new RawClient(server)) {
                client.request("/sse?polling&channel=wire/a&lastEventId=" + id, "HTTP/1.1", "");
                server.herald.publish(WIRE, "{\"n\":1}");
                server.herald.publish(WIRE, "{\"n\":2}");
                List<String> head = client.head();
                assertThat(head).contains("transfer-encoding: chunked");
                assertThat(LongPollingTest.events(client.body(head))).filteredOn(SseEvent::isMessage)
                        .extracting(SseEvent::data).containsExactly("{\"n\":1}", "{\"n\":2}");
            }
        }
    }

    /**
     * Issue: the watch that notices a vanished poller stayed on the connection after the poll's answer, and
     * read (and dropped) the client's next request, whole (the client waited forever) or in part (Jetty parsed
     * the rest: 400). Polls answered at once and polls answered with events, each followed at once by the next
     * request on the same connection.
     */
    @Test
    void aPollsConnectionCarriesTheNextRequestAtOnce() throws Exception {
        try (SseServer server = new SseServer(Settings.defaults().with(SseSettings.POLL_BATCH, "1ms"));
             RawClient client = new RawClient(server)) {
            client.socket.setSoTimeout(5_000);
            String id = null;
            for (int round = 0; round < 300; round++) {
                boolean withId = id != null && round % 3 == 0;
                if (withId) {
                    server.herald.publish(WIRE, "{\"n\":" + round + "}");
                }
                client.request("/sse?polling&channel=wire/a" + (withId ? "&lastEventId=" + id : ""), "HTTP/1.1", "");
                List<String> head = client.head();
                assertThat(head).as("round " + round).noneMatch(h -> h.startsWith("connection: close"));
                List<SseEvent> events = LongPollingTest.events(client.body(head));
                if (withId) {
                    assertThat(events).as("round " + round).filteredOn(SseEvent::isMessage).extracting(SseEvent::data)
                            .containsExactly("{\"n\":" + round + "}");
                }
                id = events.get(events.size() - 1).id();
            }
        }
    }

    /**
     * A client that sent bytes while its poll was held (a pipelined request, which the watch reads and drops)
     * gets the poll's whole answer and then either the connection closed or, if the bytes came after the watch
     * stopped, the pipelined request answered: never a connection that silently ate the request.
     */
    @Test
    void aPollWhoseClientSentBytesMeanwhileEndsItsConnection() throws Exception {
        try (SseServer server = new SseServer(Settings.defaults().with(SseSettings.POLL_BATCH, "1ms"));
             RawClient client = new RawClient(server)) {
            client.socket.setSoTimeout(5_000);
            client.request("/sse?polling&channel=wire/a", "HTTP/1.1", "");
            List<SseEvent> heads = LongPollingTest.events(client.body(client.head()));
            client.request("/sse?polling&channel=wire/a&lastEventId=" + heads.get(heads.size() - 1).id(), "HTTP/1.1", "");
            List<String> head = client.head();
            assertThat(new String(client.chunk(), StandardCharsets.US_ASCII)).startsWith("retry: ");
            client.request("/sse?polling&channel=wire/a", "HTTP/1.1", "");
            // Time for the watch to read the pipelined request: only makes the interesting case likely; both
            // outcomes below are correct.
            java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
            server.herald.publish(WIRE, "{\"n\":1}");
            assertThat(LongPollingTest.events(client.body(head))).filteredOn(SseEvent::isMessage)
                    .extracting(SseEvent::data).containsExactly("{\"n\":1}");
            int next = client.in().read();
            if (next != -1) {
                assertThat((char) next).as("the next bytes start the pipelined request's answer").isEqualTo('H');
                assertThat(client.line()).startsWith("TTP/1.1 200");
            }
        }
    }

    @Test
    void clientsWhoseBodyIsNotChunkedGetThePlainEventStream() throws Exception {
        try (SseServer server = new SseServer()) {
            for (String[] client : new String[][] {{"HTTP/1.0", ""}, {"HTTP/1.1", "Connection: close\r\n"}}) {
                try (RawClient raw = new RawClient(server)) {
                    raw.request("/sse?channel=wire/a", client[0], client[1]);
                    assertThat(raw.head()).as(client[0] + " " + client[1]).noneMatch(h -> h.contains("chunked"));
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    // The stream's first event (the client is subscribed once it has it), then three messages.
                    readUntil(raw, body, "event: lastEventId");
                    for (int i = 1; i <= 3; i++) {
                        server.herald.publish(WIRE, "{\"n\":" + i + "}");
                    }
                    readUntil(raw, body, "{\"n\":3}\n\n");
                    String text = body.toString(StandardCharsets.UTF_8);
                    assertThat(text).as(client[0] + " " + client[1]).startsWith("retry: ").doesNotContain("\r\n");
                    assertThat(LongPollingTest.events(text)).filteredOn(SseEvent::isMessage).extracting(SseEvent::data)
                            .containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
                }
            }
        }
    }

    /** Reads until {@code text} has come (each read is bounded by the socket's timeout). */
    private static void readUntil(RawClient raw, ByteArrayOutputStream body, String text) throws IOException {
        byte[] buffer = new byte[4096];
        while (!body.toString(StandardCharsets.UTF_8).contains(text)) {
            int n = raw.in().read(buffer);
            assertThat(n).as("the stream ended before '" + text + "'; got: " + body).isNotNegative();
            body.write(buffer, 0, n);
        }
    }
}
