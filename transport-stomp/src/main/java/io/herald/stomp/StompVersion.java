package io.herald.stomp;

import java.util.List;

/**
 * The STOMP versions Herald speaks, and how each escapes header values (STOMP 1.2 "Value Encoding").
 *
 * <ul>
 *   <li>1.0: no escaping; a value holding a line break or a name holding a colon cannot be written at all.</li>
 *   <li>1.1: {@code \n}, {@code \c} and {@code \\}; {@code \r} is not an escape in 1.1.</li>
 *   <li>1.2: 1.1 plus {@code \r}. Any other backslash sequence is a protocol error.</li>
 * </ul>
 * CONNECT, STOMP and CONNECTED frames are never escaped, whatever the version. Immutable.
 */
public enum StompVersion {
    V1_0("1.0"), V1_1("1.1"), V1_2("1.2");

    /** What ERROR frames list in their {@code version} header when negotiation fails. */
    public static final String SUPPORTED = "1.0,1.1,1.2";

    private final String text;

    StompVersion(String text) {
        this.text = text;
    }

    /** {@code 1.0}, {@code 1.1} or {@code 1.2}. */
    public String text() {
        return text;
    }

    /** The WebSocket subprotocol naming this version: {@code v12.stomp}. */
    public String subprotocol() {
        return "v1" + text.charAt(2) + ".stomp";
    }

    /**
     * The highest version of an {@code accept-version} list (any order, as stompjs sends it descending), or
     * {@code null} when none is supported. A missing header means 1.0.
     */
    public static StompVersion negotiate(String acceptVersion) {
        if (acceptVersion == null) {
            return V1_0;
        }
        StompVersion best = null;
        for (String offered : acceptVersion.split(",")) {
            for (StompVersion v : values()) {
                if (v.text.equals(offered.trim()) && (best == null || v.compareTo(best) > 0)) {
                    best = v;
                }
            }
        }
        return best;
    }

    /** The highest version among WebSocket subprotocols ({@code v10.stomp} ...), or {@code null}. */
    public static StompVersion ofSubprotocols(List<String> offered) {
        StompVersion best = null;
        for (String protocol : offered) {
            for (StompVersion v : values()) {
                if (v.subprotocol().equalsIgnoreCase(protocol.trim()) && (best == null || v.compareTo(best) > 0)) {
                    best = v;
                }
            }
        }
        return best;
    }

    /** Whether the frame's headers are escaped under this version. */
    boolean escapes(String command) {
        return this != V1_0 && !command.equals("CONNECT") && !command.equals("STOMP") && !command.equals("CONNECTED");
    }

    /**
     * Decodes an escaped header name or value.
     *
     * @throws StompProtocolException for an escape this version does not define
     */
    String unescape(String raw) {
        int slash = raw.indexOf('\\');
        if (slash < 0) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length());
        out.append(raw, 0, slash);
        for (int i = slash; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i + 1 == raw.length()) {
                throw new StompProtocolException("header '" + raw + "' ends in a lone backslash");
            }
            char e = raw.charAt(++i);
            switch (e) {
                case 'n' -> out.append('\n');
                case 'c' -> out.append(':');
                case '\\' -> out.append('\\');
                case 'r' -> {
                    if (this != V1_2) {
                        throw new StompProtocolException("'\\r' is not an escape in STOMP " + text + " (header '" + raw + "')");
                    }
                    out.append('\r');
                }
                default -> throw new StompProtocolException("undefined escape '\\" + e + "' in header '" + raw + "'");
            }
        }
        return out.toString();
    }

    /**
     * Encodes a header name or value; {@code null} when this version cannot represent it (1.0 with a line
     * break, or a colon in a name), so the header is left out rather than corrupting the frame.
     */
    String escape(String text, boolean name) {
        if (this == V1_0) {
            return text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0 || (name && text.indexOf(':') >= 0) ? null : text;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String e = switch (c) {
                case '\n' -> "\\n";
                case ':' -> "\\c";
                case '\\' -> "\\\\";
                case '\r' -> this == V1_2 ? "\\r" : null;
                default -> null;
            };
            if (c == '\r' && this == V1_1) {
                // 1.1 has no escape for CR; a raw CR survives inside a line but not at its end.
                if (i == text.length() - 1) {
                    return null;
                }
            }
            if (e == null) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 8);
                out.append(text, 0, i);
            }
            out.append(e);
        }
        return out == null ? text : out.toString();
    }
}
