package io.herald.sse;

/** One parsed server-sent event, as a client sees it. */
record SseEvent(String id, String type, String data) {

    boolean isMessage() {
        return type == null || type.equals("message");
    }
}
