package io.herald.stomp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns a byte stream into STOMP frames: {@code COMMAND EOL *(header EOL) EOL body NUL *(EOL)}, where EOL is
 * LF or CR LF. Frames may be split across reads and several may share one, as WebSocket messages and TCP
 * segments arrive; line breaks and NULs between frames (heart-beats) are skipped.
 *
 * <p>A body is read as exactly {@code content-length} bytes followed by a NUL when that header is present,
 * else up to the first NUL. Header escapes are decoded by the {@link #version(StompVersion) version} in force
 * (none for CONNECT, STOMP and CONNECTED); the first of repeated headers wins. Limits are checked as bytes
 * arrive, so an oversized frame is refused without being buffered whole. Any violation throws
 * {@link StompProtocolException} and leaves the decoder unusable: the connection answers ERROR and closes.
 *
 * <p>Not thread-safe: one reader feeds it.
 */
public final class StompFrameDecoder {

    private final StompLimits limits;
    private StompVersion version = StompVersion.V1_2;
    private byte[] buf = new byte[512];
    private int start;
    private int end;
    private boolean failed;

    // The frame being read; command == null between frames.
    private String command;
    private Map<String, String> headers;
    private int headerCount;
    private int scan;
    private int bodyStart = -1;
    private long contentLength = -1;

    public StompFrameDecoder(StompLimits limits) {
        this.limits = limits;
    }

    /** The version whose escaping applies to the frames after the current one (set once CONNECT is answered). */
    public void version(StompVersion version) {
        this.version = version;
    }

    /**
     * Reads {@code input} whole and hands every frame it completes to {@code frames}, in order, each before the
     * next is parsed (so that a frame changing the version changes it for the next).
     *
     * @throws StompProtocolException for a malformed or oversized frame
     */
    public void decode(ByteBuffer input, Consumer<StompFrame> frames) {
        if (failed) {
            throw new StompProtocolException("the stream was already refused");
        }
        try {
            append(input);
            parse(frames);
        } catch (StompProtocolException e) {
            failed = true;
            throw e;
        }
    }

    /** Whether part of a frame has been read and the rest is awaited. */
    public boolean inFrame() {
        return command != null || start < end;
    }

    private void append(ByteBuffer input) {
        int n = input.remaining();
        if (start > 0 && buf.length - end < n) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            scan -= start;
            if (bodyStart >= 0) {
                bodyStart -= start;
            }
            start = 0;
        }
        if (buf.length - end < n) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, end + n));
        }
        input.get(buf, end, n);
        end += n;
    }

    private void parse(Consumer<StompFrame> frames) {
        while (true) {
            if (command == null) {
                while (start < end && (buf[start] == '\n' || buf[start] == '\r' || buf[start] == 0)) {
                    start++;
                }
                if (start == end) {
                    start = 0;
                    end = 0;
                    if (buf.length > 64 * 1024) {
                        buf = new byte[512]; // a large frame passed: do not keep its buffer while idle
                    }
                    return;
                }
                scan = start;
                if (!readCommand()) {
                    return;
                }
            }
            if (bodyStart < 0) {
                if (!readHeaders()) {
                    return;
                }
            }
            if (!readBody(frames)) {
                return;
            }
        }
    }

    /** The next line from {@code scan}, without its EOL; {@code null} if it is not complete yet. */
    private String line() {
        int nl = -1;
        for (int i = scan; i < end; i++) {
            if (buf[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            if (end - scan > limits.maxHeaderLength()) {
                throw new StompProtocolException("header line longer than " + limits.maxHeaderLength() + " bytes");
            }
            checkFrameSize(end - start);
            return null;
        }
        int lineEnd = nl > scan && buf[nl - 1] == '\r' ? nl - 1 : nl;
        if (lineEnd - scan > limits.maxHeaderLength()) {
            throw new StompProtocolException("header line longer than " + limits.maxHeaderLength() + " bytes");
        }
        String line = new String(buf, scan, lineEnd - scan, StandardCharsets.UTF_8);
        scan = nl + 1;
        return line;
    }

    private boolean readCommand() {
        String line = line();
        if (line == null) {
            return false;
        }
        if (!StompCommands.known(line)) {
            throw new StompProtocolException("unknown command '" + printable(line) + "'");
        }
        command = line;
        headers = new LinkedHashMap<>();
        headerCount = 0;
        return true;
    }

    private boolean readHeaders() {
        boolean escaped = version.escapes(command);
        while (true) {
            String line = line();
            if (line == null) {
                return false;
            }
            if (line.isEmpty()) {
                bodyStart = scan;
                String length = headers.get("content-length");
                if (length != null) {
                    contentLength = parseLength(length);
                    checkFrameSize(bodyStart - start + contentLength);
                }
                return true;
            }
            if (++headerCount > limits.maxHeaders()) {
                throw new StompProtocolException(command + " frame has more than " + limits.maxHeaders() + " headers");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new StompProtocolException("malformed header line '" + printable(line) + "' in " + command
                        + " frame: expected name:value");
            }
            String name = line.substring(0, colon);
            String value = line.substring(colon + 1);
            if (escaped) {
                name = version.unescape(name);
                value = version.unescape(value);
            }
            headers.putIfAbsent(name, value);
        }
    }

    private long parseLength(String text) {
        String t = text.trim();
        if (t.isEmpty() || t.length() > 10 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new StompProtocolException("bad content-length '" + printable(text) + "' in " + command + " frame");
        }
        return Long.parseLong(t);
    }

    private boolean readBody(Consumer<StompFrame> frames) {
        int nul;
        if (contentLength >= 0) {
            long need = bodyStart + contentLength + 1;
            if (end < need) {
                return false;
            }
            nul = (int) (bodyStart + contentLength);
            if (buf[nul] != 0) {
                throw new StompProtocolException(command + " frame is not terminated by NUL after its content-length of "
                        + contentLength + " bytes");
            }
        } else {
            nul = -1;
            for (int i = Math.max(scan, bodyStart); i < end; i++) {
                if (buf[i] == 0) {
                    nul = i;
                    break;
                }
            }
            if (nul < 0) {
                scan = end;
                checkFrameSize(end - start);
                return false;
            }
        }
        if (nul > bodyStart && !StompCommands.WITH_BODY.contains(command)) {
            throw new StompProtocolException(command + " frames carry no body");
        }
        byte[] body = Arrays.copyOfRange(buf, bodyStart, nul);
        StompFrame frame = new StompFrame(command, headers, body);
        start = nul + 1;
        command = null;
        headers = null;
        bodyStart = -1;
        contentLength = -1;
        frames.accept(frame);
        return true;
    }

    private void checkFrameSize(long size) {
        if (size > limits.maxFrame()) {
            throw new StompProtocolException("frame larger than " + limits.maxFrame() + " bytes");
        }
    }

    private static String printable(String text) {
        String t = text.length() > 64 ? text.substring(0, 64) + "..." : text;
        return t.replaceAll("[\\p{Cntrl}]", "?");
    }
}
