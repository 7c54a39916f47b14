package io.herald.jdbc;

/**
 * The names of Herald's tables under a prefix ({@code jdbc.table-prefix}, validated to {@code [a-z0-9_]}, so
 * it is safe to put into SQL). Immutable.
 */
record Tables(String prefix) {

    String channel() {
        return prefix + "channel";
    }

    String message() {
        return prefix + "message";
    }

    String session() {
        return prefix + "session";
    }

    String sessionName() {
        return prefix + "session_name";
    }

    String presenceChannel() {
        return prefix + "presence_channel";
    }

    String member() {
        return prefix + "presence_member";
    }

    String user() {
        return prefix + "presence_user";
    }

    String total() {
        return prefix + "presence_total";
    }
}
