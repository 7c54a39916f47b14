package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.core.config.ConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

class RedisEndpointTest {

    @Test
    void parsesEveryPartOfTheUrl() {
        assertThat(RedisEndpoint.parse("redis://127.0.0.1:6379")).isEqualTo(new RedisEndpoint("127.0.0.1", 6379, null, null, 0, false));
        assertThat(RedisEndpoint.parse("redis://redis.local")).isEqualTo(new RedisEndpoint("redis.local", 6379, null, null, 0, false));
        assertThat(RedisEndpoint.parse("redis://:s3cr%40t@h:7000/3")).isEqualTo(new RedisEndpoint("h", 7000, null, "s3cr@t", 3, false));
        assertThat(RedisEndpoint.parse("rediss://app:pw@h:6380/0")).isEqualTo(new RedisEndpoint("h", 6380, "app", "pw", 0, true));
        assertThat(RedisEndpoint.parse("redis://pw@h/")).isEqualTo(new RedisEndpoint("h", 6379, null, "pw", 0, false));
    }

    @Test
    void printsWithThePasswordMasked() {
        assertThat(RedisEndpoint.parse("redis://:s3cret@h:7000/3")).hasToString("redis://:***@h:7000/3");
        assertThat(RedisEndpoint.parse("rediss://app:pw@h")).hasToString("rediss://app:***@h:6379/0");
        assertThat(RedisEndpoint.parse("redis://h")).hasToString("redis://h:6379/0");
    }

    @Test
    void refusesMalformedUrlsWithOneLineThatHidesThePassword() {
        assertThatThrownBy(() -> RedisEndpoint.parse("http://:pw@h:1/0")).isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid Redis URL 'http://:***@h:1/0': the scheme must be redis:// or rediss://");
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://:pw@h:1/x")).isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid Redis URL 'redis://:***@h:1/x': the path must be a database number, got '/x'");
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://:pw@h:port/0")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("redis://:***@h:port/0").hasMessageNotContaining("pw");
        assertThatThrownBy(() -> RedisEndpoint.parse("")).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://h:1/0?ssl=true")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("query parameters");
    }

    @Test
    void parsesAClusterUrlAsItsSeedNodes() {
        RedisEndpoint e = RedisEndpoint.parse("redis-cluster://app:s3cr%40t@10.0.0.1:7001,10.0.0.2,[::1]:7003");
        assertThat(e.isCluster()).isTrue();
        assertThat(e.cluster()).containsExactly(new HostAndPort("10.0.0.1", 7001), new HostAndPort("10.0.0.2", 6379), new HostAndPort("::1", 7003));
        assertThat(e).extracting(RedisEndpoint::host, RedisEndpoint::port, RedisEndpoint::user, RedisEndpoint::password, RedisEndpoint::database,
                RedisEndpoint::tls).containsExactly("10.0.0.1", 7001, "app", "s3cr@t", 0, false);
        assertThat(e).hasToString("redis-cluster://app:***@10.0.0.1:7001,10.0.0.2:6379,::1:7003");
        assertThat(RedisEndpoint.parse("rediss-cluster://h:1/0")).satisfies(t -> assertThat(t.tls()).isTrue()).hasToString("rediss-cluster://h:1");
        assertThat(RedisEndpoint.parse("redis://h:1").isCluster()).isFalse();
    }

    @Test
    void refusesMalformedClusterUrlsWithOneLineThatHidesThePassword() {
        assertThatThrownBy(() -> RedisEndpoint.parse("redis-cluster://:pw@h:1,h:2/3")).isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid Redis URL 'redis-cluster://:***@h:1,h:2/3': a Redis Cluster has only database 0, got the path '/3'");
        assertThatThrownBy(() -> RedisEndpoint.parse("redis-cluster://:pw@h:1,,h:2")).isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid Redis URL 'redis-cluster://:***@h:1,,h:2': it names an empty host in its node list 'h:1,,h:2'");
        assertThatThrownBy(() -> RedisEndpoint.parse("redis-cluster://h:1,h:x")).isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid Redis URL 'redis-cluster://h:1,h:x': the port of node 'h:x' is not a number from 1 to 65535");
        assertThatThrownBy(() -> RedisEndpoint.parse("redis-cluster://h:1?x=1")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("query parameters");
        assertThatThrownBy(() -> RedisEndpoint.parse("redis-cluster://")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("empty host");
    }

    @Test
    void refusesAPrefixWithBracesOnAClusterSinceTheyWouldDecideTheSlot() {
        RedisEndpoint cluster = RedisEndpoint.parse("redis-cluster://h:1");
        assertThatThrownBy(() -> new RedisOptions(cluster, Duration.ofSeconds(1), 4, "app{1}:")).isInstanceOf(ConfigurationException.class)
                .hasMessage("redis.prefix must not contain '{' or '}' on a Redis Cluster, got 'app{1}:'");
        assertThat(new RedisOptions(RedisEndpoint.parse("redis://h:1"), Duration.ofSeconds(1), 4, "app{1}:").prefix()).isEqualTo("app{1}:");
    }
}
