package io.herald.bench.presence;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Runs the presence churn briefly on the memory store, so that the benchmark cannot silently measure nothing. */
class PresenceChurnSmokeTest {

    @Test
    void churnsThroughTheServiceAndTheStoreKeepingEverySlotPresent() throws Exception {
        PresenceChurnBench bench = new PresenceChurnBench("redis://127.0.0.1:6379", 1, 2);
        PresenceChurnBench.Shape shape = new PresenceChurnBench.Shape("3 x 50", 3, 50);

        // run() verifies that exactly one live member is left per slot after the churn.
        PresenceChurnBench.Result service = bench.run("memory", shape, true);
        PresenceChurnBench.Result raw = bench.run("memory", shape, false);

        assertThat(service.operations()).as("operations through the service").isPositive().isEven();
        assertThat(raw.operations()).as("operations on the store").isPositive().isEven();
        assertThat(service.perSecond()).isPositive();
    }
}
