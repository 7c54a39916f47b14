package io.herald.client;

import io.herald.api.Position;

/** Herald's wire form of a position, {@code "<epoch>:<offset>"}. */
final class Positions {

    private Positions() {
    }

    /** The position {@code text} denotes, or null when it is not one. */
    static Position parse(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon < 1) {
            return null;
        }
        try {
            return new Position(text.substring(0, colon), Long.parseLong(text.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
