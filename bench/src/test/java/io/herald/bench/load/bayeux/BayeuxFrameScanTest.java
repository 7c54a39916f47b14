package io.herald.bench.load.bayeux;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the load client's streaming read takes, and everything it leaves to the tree path. */
class BayeuxFrameScanTest {

    private final BayeuxFrameScan scan = new BayeuxFrameScan("/bench/chat/3");

    private static String delivery(long seq) {
        return "{\"channel\":\"/bench/chat/3\",\"data\":{\"seq\":" + seq + ",\"t\":1,\"pad\":\"xx\"},"
                + "\"ext\":{\"herald\":{\"position\":\"e:" + seq + "\"}}}";
    }

    @Test
    void takesDeliveriesOnlyInFrameOrder() {
        assertThat(scan.read("[" + delivery(7) + "," + delivery(8) + "," + delivery(9) + "]")).isTrue();

        assertThat(scan.deliveries()).isEqualTo(3);
        assertThat(new long[] {scan.seq(0), scan.seq(1), scan.seq(2)}).containsExactly(7, 8, 9);
        assertThat(scan.connectReply()).isFalse();
    }

    @Test
    void takesASuccessfulConnectReplyWithItsAckBatchBeforeOrAfterTheDeliveries() {
        String reply = "{\"id\":\"12\",\"channel\":\"/meta/connect\",\"successful\":true,"
                + "\"advice\":{\"timeout\":30000,\"interval\":0},\"ext\":{\"ack\":41}}";

        assertThat(scan.read("[" + reply + "," + delivery(1) + "," + delivery(2) + "]")).isTrue();
        assertThat(scan.deliveries()).isEqualTo(2);
        assertThat(scan.connectReply()).isTrue();
        assertThat(scan.ackBatch()).isEqualTo(41);

        assertThat(scan.read("[" + delivery(3) + ",{\"ext\":{\"ack\":42},\"successful\":true,\"channel\":\"/meta/connect\"}]"))
                .isTrue();
        assertThat(scan.deliveries()).isEqualTo(1);
        assertThat(scan.seq(0)).isEqualTo(3);
        assertThat(scan.ackBatch()).isEqualTo(42);
    }

    @Test
    void aConnectReplyWithoutAckHasNoBatch() {
        assertThat(scan.read("[{\"channel\":\"/meta/connect\",\"successful\":true}]")).isTrue();

        assertThat(scan.deliveries()).isZero();
        assertThat(scan.connectReply()).isTrue();
        assertThat(scan.ackBatch()).isEqualTo(-1);
    }

    @Test
    void leavesEverythingElseToTheTreePath() {
        assertThat(scan.read("[{\"channel\":\"/meta/connect\",\"successful\":false,\"error\":\"402::session_unknown\"}]"))
                .as("a refused connect").isFalse();
        assertThat(scan.read("[{\"channel\":\"/meta/connect\",\"successful\":true},{\"channel\":\"/meta/connect\",\"successful\":true}]"))
                .as("two connect replies").isFalse();
        assertThat(scan.read("[{\"channel\":\"/meta/connect\",\"successful\":true,\"ext\":{\"ack\":\"7\"}}]"))
                .as("an ack batch that is not a number").isFalse();
        assertThat(scan.read("[{\"channel\":\"/meta/subscribe\",\"successful\":true,\"subscription\":\"/bench/chat/3\"}]"))
                .as("another reply").isFalse();
        assertThat(scan.read("[" + delivery(1) + ",{\"channel\":\"/bench/chat/4\",\"data\":{\"seq\":1}}]"))
                .as("a delivery of another room").isFalse();
        assertThat(scan.read("[{\"channel\":\"/bench/chat/3\",\"data\":{\"text\":\"no seq\"}}]")).as("data without seq").isFalse();
        assertThat(scan.read("[{\"channel\":\"/bench/chat/3\",\"successful\":true}]")).as("a publish reply").isFalse();
        assertThat(scan.read("[]")).as("an empty frame").isFalse();
        assertThat(scan.read("[" + delivery(1))).as("a cut frame").isFalse();
        assertThat(scan.read("{\"channel\":\"/bench/chat/3\"}")).as("not an array").isFalse();
    }
}
