package io.herald.client.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.client.IdentityStore;
import io.herald.client.IdentityStoreContract;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * {@link RedisIdentityStore} against the identity store contract, on the real Redis at 127.0.0.1:6379; each store a
 * key of its own (deleted afterwards), a reopened one on a connection of its own, as a restarted process has.
 */
class RedisIdentityStoreTest extends IdentityStoreContract {

    private final String prefix = "herald-test:client-identity:" + UUID.randomUUID() + ":";
    private final List<UnifiedJedis> connections = new ArrayList<>();
    private final UnifiedJedis redis = connect();
    private int stores;

    private UnifiedJedis connect() {
        UnifiedJedis c = RedisClient.create("127.0.0.1", 6379);
        connections.add(c);
        return c;
    }

    @Override
    protected IdentityStore open() {
        return new RedisIdentityStore(redis, prefix + stores++);
    }

    @Override
    protected IdentityStore reopen(IdentityStore store) {
        return new RedisIdentityStore(connect(), ((RedisIdentityStore) store).key());
    }

    @AfterEach
    void deleteKeysAndClose() {
        for (int i = 0; i < stores; i++) {
            redis.del(prefix + i);
        }
        connections.forEach(UnifiedJedis::close);
    }

    @Test
    void aValueThatIsNotAnIdentityIsAClearErrorNamingTheKey() {
        RedisIdentityStore store = (RedisIdentityStore) open();
        redis.set(store.key(), "not json");
        assertThatThrownBy(store::load).isInstanceOf(IllegalStateException.class).hasMessageContaining(store.key())
                .hasMessageContaining("not JSON");
        redis.set(store.key(), "{\"clientId\":\"a\",\"positions\":{\"/a/b\":\"no-offset\"}}");
        assertThatThrownBy(store::load).isInstanceOf(IllegalStateException.class).hasMessageContaining(store.key())
                .hasMessageContaining("/a/b").hasMessageContaining("no-offset");
    }

    @Test
    void theIdentityIsTheFileStoresJsonInOneString() {
        RedisIdentityStore store = (RedisIdentityStore) open();
        store.save(new io.herald.client.Identity("c1", java.util.Map.of("/a/b", new io.herald.api.Position("E1", 7))));
        assertThat(redis.type(store.key())).isEqualTo("string");
        assertThat(redis.get(store.key())).isEqualTo("{\"clientId\":\"c1\",\"positions\":{\"/a/b\":\"E1:7\"}}");
    }
}
