package io.herald.client;

/** {@link IdentityStore#memory()} against the identity store contract. */
class MemoryIdentityStoreTest extends IdentityStoreContract {

    @Override
    protected IdentityStore open() {
        return IdentityStore.memory();
    }

    @Override
    protected IdentityStore reopen(IdentityStore store) {
        return store; // its identity lives as long as the object
    }
}
