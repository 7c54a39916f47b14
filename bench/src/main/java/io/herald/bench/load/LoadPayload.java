package io.herald.bench.load;

/**
 * The message data the load generator publishes: {@code {"seq":N,"pad":"..."}}, padded to a chosen size. A
 * receiving scenario reads the sequence number back with {@link #seqOf}. Thread-safe (stateless).
 */
public final class LoadPayload {

    private static final String SEQ = "\"seq\":";

    private LoadPayload() {
    }

    /** The data JSON of message {@code seq} with {@code pad} filler characters. */
    public static String data(long seq, int pad) {
        StringBuilder b = new StringBuilder(32 + pad).append("{\"seq\":").append(seq).append(",\"pad\":\"");
        for (int i = 0; i < pad; i++) {
            b.append('x');
        }
        return b.append("\"}").toString();
    }

    /** The publish request body for {@code channel}: {@code {"channel":...,"data":...}}. */
    public static String publishBody(String channel, long seq, int pad) {
        return "{\"channel\":\"" + channel + "\",\"data\":" + data(seq, pad) + "}";
    }

    /**
     * The sequence number in a delivered {@code data} JSON.
     *
     * @throws IllegalArgumentException if it carries none
     */
    public static long seqOf(CharSequence data) {
        int at = indexOf(data, SEQ);
        if (at < 0) {
            throw new IllegalArgumentException("no \"seq\" in delivered data: " + abbreviate(data));
        }
        int i = at + SEQ.length();
        long value = 0;
        int digits = 0;
        for (; i < data.length() && Character.isDigit(data.charAt(i)); i++, digits++) {
            value = value * 10 + (data.charAt(i) - '0');
        }
        if (digits == 0) {
            throw new IllegalArgumentException("\"seq\" is not a number in delivered data: " + abbreviate(data));
        }
        return value;
    }

    private static int indexOf(CharSequence text, String needle) {
        outer:
        for (int i = 0; i + needle.length() <= text.length(); i++) {
            for (int j = 0; j < needle.length(); j++) {
                if (text.charAt(i + j) != needle.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String abbreviate(CharSequence data) {
        return data.length() <= 80 ? data.toString() : data.subSequence(0, 80) + "...";
    }
}
