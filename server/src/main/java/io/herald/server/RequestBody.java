package io.herald.server;

import java.io.IOException;
import java.io.InputStream;
import org.eclipse.jetty.server.Request;

/** Reads a request body into memory, refusing with 413 whatever is larger than a cap without reading it all. */
final class RequestBody {

    private RequestBody() {
    }

    /**
     * The whole body, at most {@code cap} bytes.
     *
     * @throws ClientError 413 when the declared or actual length exceeds {@code cap}; reading stops there
     * @throws IOException if the client goes away mid-body
     */
    static byte[] read(Request request, int cap) throws IOException {
        long declared = request.getLength();
        InputStream in = Request.asInputStream(request);
        if (declared > cap) {
            if (declared <= cap + DISCARD_LIMIT) {
                discard(in, declared);
            }
            throw tooLarge(declared + " bytes", cap);
        }
        // One byte more than allowed tells "over the cap" apart from "exactly the cap" without reading on.
        byte[] body = in.readNBytes(cap + 1);
        if (body.length > cap) {
            throw tooLarge("more than " + cap + " bytes", cap);
        }
        return body;
    }

    /**
     * Reads and drops a declared body that is a little over the cap, so that a client still sending it reads
     * the 413 instead of a connection reset. Larger or chunked bodies are not waited for: the answer goes out
     * at once and the connection closes with it.
     */
    private static void discard(InputStream in, long length) throws IOException {
        in.skipNBytes(length);
    }

    private static final long DISCARD_LIMIT = 1024 * 1024;

    private static ClientError tooLarge(String size, int cap) {
        return new ClientError(413, "request body of " + size + " exceeds the limit of " + cap + " bytes");
    }
}
