package io.herald.jdbc;

import io.herald.api.ChannelName;
import io.herald.api.Position;
import io.herald.api.SessionSubscription;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary column formats: string maps (message headers, member info) and a session's subscriptions. Each
 * starts with a version byte so a later release can read what an earlier one wrote. Kept as one value per
 * row because they are always read and written whole. Stateless.
 */
final class Blobs {

    private static final int VERSION = 1;

    private Blobs() {
    }

    static byte[] map(Map<String, String> map) {
        return write(out -> {
            out.writeInt(map.size());
            for (Map.Entry<String, String> e : map.entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
        });
    }

    static Map<String, String> map(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return Map.of();
        }
        return read(bytes, in -> {
            int size = in.readInt();
            Map<String, String> map = new LinkedHashMap<>();
            for (int i = 0; i < size; i++) {
                map.put(readString(in), readString(in));
            }
            return map;
        });
    }

    static byte[] subscriptions(Map<String, SessionSubscription> subscriptions) {
        return write(out -> {
            out.writeInt(subscriptions.size());
            for (SessionSubscription s : subscriptions.values()) {
                writeString(out, s.key());
                writeString(out, s.channel().toString());
                out.writeBoolean(s.acknowledged());
                writePosition(out, s.cursor());
                out.writeInt(s.unacked().size());
                for (Position p : s.unacked()) {
                    writePosition(out, p);
                }
            }
        });
    }

    static Map<String, SessionSubscription> subscriptions(byte[] bytes) {
        return read(bytes, in -> {
            int size = in.readInt();
            Map<String, SessionSubscription> subs = new LinkedHashMap<>();
            for (int i = 0; i < size; i++) {
                String key = readString(in);
                ChannelName channel = ChannelName.of(readString(in));
                boolean acknowledged = in.readBoolean();
                Position cursor = readPosition(in);
                int unackedCount = in.readInt();
                List<Position> unacked = new ArrayList<>(unackedCount);
                for (int u = 0; u < unackedCount; u++) {
                    unacked.add(readPosition(in));
                }
                subs.put(key, new SessionSubscription(key, channel, acknowledged, cursor, unacked));
            }
            return subs;
        });
    }

    private static void writePosition(DataOutputStream out, Position p) throws IOException {
        out.writeBoolean(p != null);
        if (p != null) {
            writeString(out, p.epoch());
            out.writeLong(p.offset());
        }
    }

    private static Position readPosition(DataInputStream in) throws IOException {
        return in.readBoolean() ? new Position(readString(in), in.readLong()) : null;
    }

    // Not writeUTF: its 64 KB limit is not a limit Herald sets on headers or principals.
    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] bytes, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readByte();
            if (version != VERSION) {
                throw new IllegalStateException("unknown blob format " + version + ": written by a newer Herald?");
            }
            return reader.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
