package io.herald.sse;

import io.herald.api.ChannelName;
import io.herald.api.Position;
import java.util.ArrayList;
import java.util.List;

/**
 * The SSE event id: the position reached on every channel of a connection, so that one
 * {@code Last-Event-ID} resumes them all.
 *
 * <p>Channels are taken in canonical sorted order (how {@link SseRequest} orders them), one token each,
 * separated by {@code _}: {@code <epoch>.<offset>} where the offset is base 36, or just {@code <offset>}
 * when the epoch is the previous token's. Example for two channels of one epoch: {@code k3J9aZq1.2s_2u}.
 * Only {@code [A-Za-z0-9._]} appear, so a cross-origin reconnect never needs a CORS preflight; the id grows
 * by a few bytes per channel.
 *
 * <p>A stream bound to a durable session ({@code ?session}) has ids of the form {@code <session>-<tokens>}:
 * the session keeps each channel's base epoch, so a token is just the base-36 offset, with
 * {@code <epoch>.} in front only when the channel has moved to another epoch. With 100 channels of 100
 * different epochs (Redis) such an id stays around 350 bytes, where a plain id would be about 1.3 KB.
 */
public final class SseEventId {

    private SseEventId() {
    }

    /** Encodes {@code positions}, one per channel in connection order. */
    public static String encode(Position[] positions) {
        StringBuilder id = new StringBuilder(16 + positions.length * 6);
        String epoch = null;
        for (int i = 0; i < positions.length; i++) {
            if (i > 0) {
                id.append('_');
            }
            Position p = positions[i];
            if (!p.epoch().equals(epoch)) {
                id.append(p.epoch()).append('.');
                epoch = p.epoch();
            }
            id.append(Long.toString(p.offset(), 36));
        }
        return id.toString();
    }

    /** Encodes the id of a durable session's stream: {@code session}, then one token per channel. */
    public static String encode(String session, Position[] positions, String[] bases) {
        StringBuilder id = new StringBuilder(session.length() + 1 + positions.length * 4).append(session).append('-');
        for (int i = 0; i < positions.length; i++) {
            if (i > 0) {
                id.append('_');
            }
            if (!positions[i].epoch().equals(bases[i])) {
                id.append(positions[i].epoch()).append('.');
            }
            id.append(Long.toString(positions[i].offset(), 36));
        }
        return id.toString();
    }

    /** The session id of a durable session's stream id, or {@code null} when {@code id} is not one. */
    public static String session(String id) {
        int dash = id == null ? -1 : id.indexOf('-');
        if (dash <= 0 || dash > 64) {
            return null;
        }
        String session = id.substring(0, dash);
        for (int i = 0; i < session.length(); i++) {
            if (!Character.isLetterOrDigit(session.charAt(i)) || session.charAt(i) > 'z') {
                return null;
            }
        }
        return session;
    }

    /**
     * Decodes a durable session's stream id against the channels' base epochs.
     *
     * @return one position per channel, or {@code null} when malformed or made for another number of channels
     */
    public static List<Position> decode(String id, String[] bases) {
        String session = session(id);
        if (session == null || id.length() > 16 * 1024) {
            return null;
        }
        String[] tokens = id.substring(session.length() + 1).split("_", -1);
        if (tokens.length != bases.length) {
            return null;
        }
        List<Position> positions = new ArrayList<>(tokens.length);
        for (int i = 0; i < tokens.length; i++) {
            int dot = tokens[i].indexOf('.');
            String epoch = dot >= 0 ? tokens[i].substring(0, dot) : bases[i];
            Long offset = offset(dot >= 0 ? tokens[i].substring(dot + 1) : tokens[i]);
            if (epoch == null || !Position.isValidEpoch(epoch) || offset == null) {
                return null;
            }
            positions.add(new Position(epoch, offset));
        }
        return positions;
    }

    private static Long offset(String text) {
        if (text.isEmpty() || text.length() > 13) {
            return null;
        }
        try {
            long offset = Long.parseLong(text, 36);
            return offset < 0 ? null : offset;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Encodes a list of positions. */
    public static String encode(List<Position> positions) {
        return encode(positions.toArray(new Position[0]));
    }

    /**
     * Decodes an id for {@code channels}.
     *
     * @return one position per channel, or {@code null} when the id is malformed or was made for another
     *     number of channels (the caller then treats every channel as a reset)
     */
    public static List<Position> decode(String id, List<ChannelName> channels) {
        if (id == null || id.isEmpty() || id.length() > 16 * 1024) {
            return null;
        }
        String[] tokens = id.split("_", -1);
        if (tokens.length != channels.size()) {
            return null;
        }
        List<Position> positions = new ArrayList<>(tokens.length);
        String epoch = null;
        for (String token : tokens) {
            int dot = token.indexOf('.');
            String offsetText = token;
            if (dot >= 0) {
                epoch = token.substring(0, dot);
                offsetText = token.substring(dot + 1);
            }
            if (epoch == null || !Position.isValidEpoch(epoch) || offsetText.isEmpty() || offsetText.length() > 13) {
                return null;
            }
            long offset;
            try {
                offset = Long.parseLong(offsetText, 36);
            } catch (NumberFormatException e) {
                return null;
            }
            if (offset < 0) {
                return null;
            }
            positions.add(new Position(epoch, offset));
        }
        return positions;
    }
}
