package io.herald.bench;

/** Message bodies the benchmarks publish: small JSON, as chat or notification traffic is. */
final class Payloads {

    /** About 80 bytes of JSON. */
    static final String SMALL_JSON = "{\"seq\":1,\"text\":\"the quick brown fox jumps over the lazy dog\",\"at\":1700000000000}";

    private Payloads() {
    }
}
