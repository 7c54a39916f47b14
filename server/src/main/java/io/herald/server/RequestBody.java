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
        if (declared > cap) {
            throw tooLarge(declared + " bytes", cap);
        }
        InputStream in = Request.asInputStream(request);
        // One byte more than allowed tells "over the cap" apart from "exactly the cap" without reading on.
        byte[] body = in.readNBytes(cap + 1);
        if (body.length > cap) {
            throw tooLarge("more than " + cap + " bytes", cap);
        }
        return body;
    }

    private static ClientError tooLarge(String size, int cap) {
        return new ClientError(413, "request body of " + size + " exceeds the limit of " + cap + " bytes");
    }
}
