package io.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeliveryLedgerTest {

    @Test
    void countsLostDuplicatedAndReorderedPerStream() {
        DeliveryLedger ledger = new DeliveryLedger(2, 10, 5, true);

        assertThat(ledger.record(0, 10)).isTrue();
        assertThat(ledger.record(0, 12)).isTrue();
        assertThat(ledger.record(0, 11)).isTrue();
        assertThat(ledger.record(0, 12)).isFalse();
        assertThat(ledger.record(1, 10)).isTrue();
        assertThat(ledger.record(1, 14)).isTrue();

        assertThat(ledger.expected()).isEqualTo(10);
        assertThat(ledger.delivered()).isEqualTo(5);
        assertThat(ledger.lost()).isEqualTo(5);
        assertThat(ledger.duplicated()).isEqualTo(1);
        assertThat(ledger.reordered()).isEqualTo(1);
        assertThat(ledger.isComplete()).isFalse();
    }

    @Test
    void warmUpAndLaterMessagesAreNotCountedButStillOrderTheStream() {
        DeliveryLedger ledger = new DeliveryLedger(1, 10, 2, true);

        assertThat(ledger.record(0, 9)).isFalse();
        assertThat(ledger.record(0, 12)).isFalse();
        assertThat(ledger.record(0, 10)).isTrue();
        assertThat(ledger.record(0, 11)).isTrue();

        assertThat(ledger.delivered()).isEqualTo(2);
        assertThat(ledger.isComplete()).isTrue();
        assertThat(ledger.reordered()).isEqualTo(2);
    }

    @Test
    void unorderedStreamsDoNotCountReordering() {
        DeliveryLedger ledger = new DeliveryLedger(1, 0, 3, false);
        ledger.record(0, 2);
        ledger.record(0, 0);

        assertThat(ledger.reordered()).isEqualTo(-1);
        assertThat(ledger.lost()).isEqualTo(1);
    }

    @Test
    void aDeliveryOnAStreamThatDoesNotExistIsAScenarioBug() {
        DeliveryLedger ledger = new DeliveryLedger(3, 0, 1, true);

        assertThatThrownBy(() -> ledger.record(3, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stream 3 of a run with 3 streams");
        assertThat(ledger.delivered()).isZero();
    }
}
