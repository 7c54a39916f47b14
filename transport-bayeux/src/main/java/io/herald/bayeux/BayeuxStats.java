package io.herald.bayeux;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the Bayeux transport. Thread-safe. */
final class BayeuxStats {

    final LongAdder requests = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder handshakes = new LongAdder();
    final LongAdder resumed = new LongAdder();
    final LongAdder unknownClients = new LongAdder();
    final LongAdder published = new LongAdder();
    final LongAdder delivered = new LongAdder();
    /** WebSocket frames of deliveries sent outside any reply (clients that acknowledge nothing). */
    final LongAdder pushes = new LongAdder();
    final LongAdder cutOffs = new LongAdder();
    final LongAdder redelivered = new LongAdder();

    Map<String, Object> toJson(int clients) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("clients", clients);
        json.put("requests", requests.sum());
        json.put("refused", refused.sum());
        json.put("handshakes", handshakes.sum());
        json.put("resumed", resumed.sum());
        json.put("unknownClients", unknownClients.sum());
        json.put("published", published.sum());
        json.put("delivered", delivered.sum());
        json.put("pushes", pushes.sum());
        json.put("cutOffs", cutOffs.sum());
        json.put("batchesResent", redelivered.sum());
        return json;
    }
}
