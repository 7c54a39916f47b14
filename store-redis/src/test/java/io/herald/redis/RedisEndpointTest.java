package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.core.config.ConfigurationException;
import org.junit.jupiter.api.Test;

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
}
