package io.herald.core;

import io.herald.api.Position;

/**
 * Where a new subscription starts.
 *
 * <ul>
 *   <li>{@link Live}: with the next message published.</li>
 *   <li>{@link After}: with the message after a position the client holds; what history no longer has is
 *       reported as a {@link io.herald.api.Gap} (G2).</li>
 *   <li>{@link Unknown}: the client claimed a position that cannot be understood (unparseable id): a reset
 *       gap, then live.</li>
 * </ul>
 */
public sealed interface Resume {

    /** Live from the next message. */
    record Live() implements Resume {
    }

    /** Replay after {@code position}, then live. */
    record After(Position position) implements Resume {
    }

    /** The client's position is meaningless; {@code offset} is what it claimed, when it claimed one. */
    record Unknown(Long offset) implements Resume {
    }

    static Resume live() {
        return new Live();
    }

    static Resume after(Position position) {
        return position == null ? live() : new After(position);
    }

    static Resume unknown() {
        return new Unknown(null);
    }
}
