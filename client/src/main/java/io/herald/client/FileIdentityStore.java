package io.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.api.Position;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link IdentityStore#file(Path)}: {@code {"clientId": "...", "positions": {"/a/b": "<epoch>:<offset>"}}}, written
 * to a temporary file beside it and moved over it atomically, so a process killed mid-write leaves the previous
 * identity. Thread-safe.
 */
final class FileIdentityStore implements IdentityStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path path;

    FileIdentityStore(Path path) {
        this.path = path.toAbsolutePath();
    }

    @Override
    public synchronized Identity load() {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(path));
        } catch (NoSuchFileException e) {
            return Identity.EMPTY;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the client identity in " + path, e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalStateException("the client identity in " + path + " is not a JSON object");
        }
        Map<String, Position> positions = new LinkedHashMap<>();
        root.path("positions").fields().forEachRemaining(e -> {
            Position p = Positions.parse(e.getValue().asText());
            if (p == null) {
                throw new IllegalStateException("the client identity in " + path + " has a bad position for "
                        + e.getKey() + ": " + e.getValue());
            }
            positions.put(e.getKey(), p);
        });
        JsonNode id = root.get("clientId");
        return new Identity(id == null || id.isNull() ? null : id.asText(), positions);
    }

    @Override
    public synchronized void save(Identity identity) {
        ObjectNode root = JSON.createObjectNode();
        root.put("clientId", identity.clientId());
        ObjectNode positions = root.putObject("positions");
        identity.positions().forEach((channel, p) -> positions.put(channel, p.toString()));
        try {
            Path dir = path.getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
            try {
                Files.write(tmp, JSON.writeValueAsBytes(root));
                try {
                    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the client identity to " + path, e);
        }
    }

    @Override
    public synchronized void clear() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the client identity " + path, e);
        }
    }
}
