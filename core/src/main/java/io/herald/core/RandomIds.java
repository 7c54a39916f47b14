package io.herald.core;

import java.security.SecureRandom;

/**
 * Random identifiers made of {@code [A-Za-z0-9]}: safe in SSE ids, STOMP headers, URLs and Redis keys
 * without escaping. Thread-safe.
 */
public final class RandomIds {

    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomIds() {
    }

    /** {@code length} random characters; 22 of them carry about 131 bits, enough to be unguessable. */
    public static String next(int length) {
        char[] chars = new char[length];
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHABET[(bytes[i] & 0xff) % ALPHABET.length];
        }
        return new String(chars);
    }

    /** A fresh epoch: 8 characters, enough that two histories never share one by chance. */
    public static String epoch() {
        return next(8);
    }

    /** A session or client id: 22 characters. */
    public static String session() {
        return next(22);
    }
}
