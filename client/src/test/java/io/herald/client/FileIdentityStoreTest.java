package io.herald.client;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** {@link IdentityStore#file(Path)} against the identity store contract; each store a file of its own. */
class FileIdentityStoreTest extends IdentityStoreContract {

    @TempDir
    Path dir;
    private final Map<IdentityStore, Path> files = new HashMap<>();

    @Override
    protected IdentityStore open() {
        Path file = dir.resolve("client-" + files.size() + "/identity.json");
        IdentityStore store = IdentityStore.file(file);
        files.put(store, file);
        return store;
    }

    @Override
    protected IdentityStore reopen(IdentityStore store) {
        return IdentityStore.file(files.get(store));
    }
}
