package io.herald.bayeux;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.herald.core.config.Settings;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The server-side extension SPI: incoming hooks see and may refuse messages, outgoing hooks see replies. */
class BayeuxExtensionTest {

    /** The Javadoc's example: publishes need ext.signature. */
    static final class SignedPublishes implements BayeuxExtension {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public boolean incoming(Context context, ObjectNode message) {
            String channel = message.path("channel").asText();
            seen.add(channel + " from " + context.clientId());
            if (channel.startsWith("/meta/") || message.path("ext").has("signature")) {
                return true;
            }
            message.put("error", "403::signature required");
            return false;
        }
    }

    /** Stamps every reply, to show outgoing hooks run. */
    static final class Stamp implements BayeuxExtension {
        @Override
        public void outgoing(Context context, ObjectNode reply) {
            reply.with("ext").put("stamped", true);
        }
    }

    @Test
    void incomingRefusesAndOutgoingSeesReplies() throws Exception {
        SignedPublishes signed = new SignedPublishes();
        try (BayeuxTestServer server = new BayeuxTestServer(Settings.defaults().with(BayeuxSettings.TIMEOUT, "2s"), new AbstractModule() {
            @Override
            protected void configure() {
                Multibinder<BayeuxExtension> extensions = Multibinder.newSetBinder(binder(), BayeuxExtension.class);
                extensions.addBinding().toInstance(signed);
                extensions.addBinding().toInstance(new Stamp());
            }
        })) {
            BayeuxTestClient client = new BayeuxTestClient(server.bayeux()).handshake();
            client.subscribe("/signed/a");
            JsonNode refused = client.publish("/signed/a", "{\"n\":1}");
            assertThat(refused.get("successful").asBoolean()).isFalse();
            assertThat(refused.get("error").asText()).isEqualTo("403::signature required");
            ObjectNode withSignature = client.publishMessage("/signed/a", "{\"n\":2}");
            withSignature.putObject("ext").put("signature", "ok");
            JsonNode accepted = client.send(withSignature).get(0);
            assertThat(accepted.get("successful").asBoolean()).isTrue();
            assertThat(accepted.get("ext").get("stamped").asBoolean()).isTrue();
            var response = client.connect(0);
            assertThat(BayeuxTestClient.deliveries(response)).extracting(m -> m.get("data").toString()).containsExactly("{\"n\":2}");
            assertThat(response.get(0).get("ext").get("stamped").asBoolean()).isTrue();
            assertThat(signed.seen).contains("/meta/handshake from null", "/signed/a from " + client.clientId);
        }
    }
}
