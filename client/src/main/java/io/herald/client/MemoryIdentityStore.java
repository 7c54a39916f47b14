package io.herald.client;

/** {@link IdentityStore#memory()}: thread-safe. */
final class MemoryIdentityStore implements IdentityStore {

    private volatile Identity identity = Identity.EMPTY;

    @Override
    public Identity load() {
        return identity;
    }

    @Override
    public void save(Identity identity) {
        this.identity = identity;
    }

    @Override
    public void clear() {
        identity = Identity.EMPTY;
    }
}
