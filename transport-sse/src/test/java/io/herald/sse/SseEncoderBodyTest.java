package io.herald.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.api.Payload;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The event body is sized first and filled in place: for any payload (line breaks as CRLF, LF or a lone CR, at
 * either end, in runs) and any type (with CR or LF in it), the bytes are those of the plain per-byte encoding.
 */
class SseEncoderBodyTest {

    @Test
    void sameBytesAsThePerByteEncoding() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        byte[] alphabet = {'a', 'b', '\r', '\n', ' ', ':', (byte) 0xC3, (byte) 0xA9};
        String[] types = {null, "", "update", "a\r\nb", "x\ny\rz"};
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(i % 10 == 0 ? 300 : 12)];
            for (int j = 0; j < bytes.length; j++) {
                bytes[j] = alphabet[random.nextInt(alphabet.length)];
            }
            String type = types[random.nextInt(types.length)];
            Payload payload = Payload.copyOf(bytes);
            assertThat(SseEncoder.encodeBody(type, payload)).as("payload %d (seed %d)", i, seed).isEqualTo(reference(type, payload));
        }
    }

    /** The encoding as it was written before: one data: line per payload line, through a stream. */
    private static byte[] reference(String type, Payload payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (type != null && !type.isEmpty()) {
            out.writeBytes("event: ".getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(type.replace('\r', ' ').replace('\n', ' ').getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
        byte[] data = "data: ".getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(data);
        for (int i = 0; i < payload.size(); i++) {
            byte b = payload.byteAt(i);
            if (b == '\r' || b == '\n') {
                if (b == '\r' && i + 1 < payload.size() && payload.byteAt(i + 1) == '\n') {
                    i++;
                }
                out.write('\n');
                out.writeBytes(data);
            } else {
                out.write(b);
            }
        }
        out.write('\n');
        out.write('\n');
        return out.toByteArray();
    }
}
