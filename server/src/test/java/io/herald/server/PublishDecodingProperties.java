package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.HeraldException;
import io.herald.api.InvalidChannelException;
import io.herald.api.InvalidPublicationException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The publish body is client input: random and mutated bodies give a publication or a 400, never another
 * exception, and over a real socket never a 5xx.
 */
class PublishDecodingProperties {

    private static final String VALID = "{\"channel\":\"/prop/a\",\"data\":{\"n\":[1,2.5,\"x\\u00e9\"],\"ok\":true},\"event\":\"e.v\",\"id\":\"m-1\"}";
    private static final String ALPHABET = "{}[]\":,.-+eE0123456789 \\/abcdefghijklmnopqrstuvwxyz*\n\t\u00e9\u0000";
    private static TestServer server;

    @BeforeContainer
    static void start() {
        server = TestServer.start();
    }

    @AfterContainer
    static void stop() {
        server.close();
    }

    @Property(tries = 3000)
    void anyBodyIsAPublicationOrA400(@ForAll("bodies") String body) {
        PublishRequest request;
        try {
            request = PublishRequest.parse(body.getBytes(StandardCharsets.UTF_8));
        } catch (ClientError refused) {
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.getMessage()).isNotBlank().doesNotContainIgnoringCase("jackson");
            return;
        }
        try {
            assertThat(request.toPublication().payload().size()).isPositive();
        } catch (HeraldException refused) {
            assertThat(refused).isInstanceOfAny(InvalidChannelException.class, InvalidPublicationException.class);
        }
    }

    @Property(tries = 150)
    void overTheWireNeverA5xx(@ForAll("bodies") String body) {
        HttpResponse<String> answer = server.post("/api/publish", body);
        assertThat(answer.statusCode()).as(body).isIn(200, 400);
        assertThat(answer.headers().firstValue("content-type")).hasValue("application/json");
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> random = Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMaxLength(120);
        Arbitrary<String> mutated = Combinators.combine(Arbitraries.integers().between(0, VALID.length()),
                Arbitraries.integers().between(0, 6), Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMaxLength(6))
                .as((at, cut, insert) -> VALID.substring(0, at) + insert + VALID.substring(Math.min(VALID.length(), at + cut)));
        return Arbitraries.oneOf(random, mutated, mutated, Arbitraries.just(VALID));
    }
}
