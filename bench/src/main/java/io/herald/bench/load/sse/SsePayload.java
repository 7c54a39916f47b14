package io.herald.bench.load.sse;

import java.nio.charset.StandardCharsets;

/**
 * The data of an SSE load message: {@code {"seq":N,"sent":MICROS,"pad":"xx..."}}, one line of JSON, where
 * {@code sent} is the publisher's wall clock in microseconds since the epoch (for readers outside the load
 * generator; the generator itself measures latency from each message's scheduled time). Every server under
 * test delivers these bytes unchanged as the event's {@code data:}. Thread-safe (stateless).
 */
public final class SsePayload {

    private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);

    private SsePayload() {
    }

    /** The data of message {@code seq}, with {@code pad} filler characters. */
    public static String data(long seq, int pad) {
        long sentMicros = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
        StringBuilder b = new StringBuilder(48 + pad).append("{\"seq\":").append(seq)
                .append(",\"sent\":").append(sentMicros).append(",\"pad\":\"");
        for (int i = 0; i < pad; i++) {
            b.append('x');
        }
        return b.append("\"}").toString();
    }

    /** The {@code "seq"} number in the first {@code length} bytes of {@code data}; -1 if there is none. */
    public static long seqOf(byte[] data, int length) {
        outer:
        for (int i = 0; i + SEQ.length <= length; i++) {
            for (int j = 0; j < SEQ.length; j++) {
                if (data[i + j] != SEQ[j]) {
                    continue outer;
                }
            }
            long value = 0;
            int k = i + SEQ.length;
            int start = k;
            while (k < length && data[k] >= '0' && data[k] <= '9') {
                value = value * 10 + (data[k] - '0');
                k++;
            }
            return k == start ? -1 : value;
        }
        return -1;
    }
}
