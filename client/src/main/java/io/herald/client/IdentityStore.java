package io.herald.client;

/**
 * Keeps a client's {@link Identity} where it outlives the process, so a restarted client handshakes with its
 * old client id and resumes its session (faye-reconnect's idea). The client saves after every handshake and
 * at a bounded interval while positions move, and clears it on {@link HeraldClient#disconnect()}.
 *
 * <pre>{@code
 * HeraldClient client = HeraldClient.builder(URI.create("http://localhost:8080/bayeux"))
 *         .identityStore(IdentityStore.file(Path.of("herald-client.json")))
 *         .build();
 * }</pre>
 *
 * Implementations are called from the client's protocol thread only, but must be safe to share.
 */
public interface IdentityStore {

    /** The identity saved last, or {@link Identity#EMPTY}. */
    Identity load();

    /** Replaces the saved identity; atomic: a crash leaves the old one or the new one. */
    void save(Identity identity);

    /** Forgets the identity (the session was ended on purpose). */
    void clear();

    /** An identity that lives as long as this object. */
    static IdentityStore memory() {
        return new MemoryIdentityStore();
    }

    /** An identity in a JSON file, replaced atomically on every save. */
    static IdentityStore file(java.nio.file.Path path) {
        return new FileIdentityStore(path);
    }
}
