package io.herald.redis;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script shipped with this module, run with {@code EVALSHA} by its SHA-1 (what Redis names it by) and
 * reloaded when Redis answers {@code NOSCRIPT} (after a restart or {@code SCRIPT FLUSH}). Immutable.
 */
final class LuaScript {

    /** Functions the two history scripts share, put in front of each (a script cannot load another). */
    static final String HISTORY_LIB = "history-lib.lua";
    static final LuaScript HISTORY_APPEND = load(HISTORY_LIB, "history-append.lua");
    static final LuaScript HISTORY_READ = load(HISTORY_LIB, "history-read.lua");
    static final LuaScript SESSION = load("session.lua");
    static final LuaScript SESSION_PURGE = load("session-purge.lua");
    static final LuaScript SESSION_CLAIM = load("session-claim.lua");
    /** Functions the presence scripts share. */
    static final String PRESENCE_LIB = "presence-lib.lua";
    static final LuaScript PRESENCE = load(PRESENCE_LIB, "presence.lua");
    static final LuaScript PRESENCE_PURGE = load(PRESENCE_LIB, "presence-purge.lua");
    static final LuaScript PRESENCE_OFFLINE = load(PRESENCE_LIB, "presence-offline.lua");
    static final LuaScript PRESENCE_READ = load("presence-read.lua");
    static final LuaScript PATTERN_PUBLISH = load("pattern-publish.lua");

    private final String name;
    private final byte[] source;
    private final byte[] sha1;

    private LuaScript(String name, byte[] source) {
        this.name = name;
        this.source = source;
        try {
            this.sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source)).getBytes(StandardCharsets.US_ASCII);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-1", e);
        }
    }

    /** The script made of {@code parts} in order; it is named after the last one. */
    private static LuaScript load(String... parts) {
        ByteArrayOutputStream source = new ByteArrayOutputStream();
        for (String part : parts) {
            try (InputStream in = LuaScript.class.getResourceAsStream(part)) {
                if (in == null) {
                    throw new IllegalStateException("script " + part + " is missing from the herald-store-redis jar");
                }
                source.writeBytes(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read script " + part, e);
            }
        }
        return new LuaScript(parts[parts.length - 1], source.toByteArray());
    }

    String name() {
        return name;
    }

    byte[] source() {
        return source;
    }

    byte[] sha1() {
        return sha1;
    }

    @Override
    public String toString() {
        return name;
    }
}
