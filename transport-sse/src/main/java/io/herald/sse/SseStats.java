package io.herald.sse;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the SSE endpoint, served as JSON on {@code GET /sse} with {@code Accept: application/json}.
 * The first four are Redisse's: {@code connected} streams now, {@code served} requests ever, {@code events}
 * sent, {@code missing} missedevents sent. Thread-safe.
 */
final class SseStats {

    final AtomicInteger connected = new AtomicInteger();
    final LongAdder served = new LongAdder();
    final LongAdder events = new LongAdder();
    final LongAdder missing = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder cutOffs = new LongAdder();
    final LongAdder polls = new LongAdder();
    final LongAdder refused = new LongAdder();

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("connected", connected.get());
        json.put("served", served.sum());
        json.put("events", events.sum());
        json.put("missing", missing.sum());
        json.put("bytesSent", bytes.sum());
        json.put("cutOffs", cutOffs.sum());
        json.put("polls", polls.sum());
        json.put("refused", refused.sum());
        return json;
    }
}
