package io.herald.stomp;

import java.util.Set;

/** The commands of STOMP 1.0-1.2, and which of them carry a body. */
final class StompCommands {

    static final Set<String> CLIENT = Set.of("CONNECT", "STOMP", "SEND", "SUBSCRIBE", "UNSUBSCRIBE", "BEGIN", "COMMIT",
            "ABORT", "ACK", "NACK", "DISCONNECT");
    static final Set<String> SERVER = Set.of("CONNECTED", "MESSAGE", "RECEIPT", "ERROR");
    static final Set<String> WITH_BODY = Set.of("SEND", "MESSAGE", "ERROR");

    private StompCommands() {
    }

    static boolean known(String command) {
        return CLIENT.contains(command) || SERVER.contains(command);
    }
}
