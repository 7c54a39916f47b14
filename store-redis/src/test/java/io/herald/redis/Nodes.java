package io.herald.redis;

import com.google.inject.Module;
import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.Message;
import io.herald.core.Herald;
import io.herald.core.Subscriber;
import io.herald.core.config.Settings;
import java.util.ArrayList;
import java.util.List;

/** Herald nodes on the Redis store, and a subscriber that keeps what it gets, for the multi-node tests. */
final class Nodes {

    private Nodes() {
    }

    /** Settings of a node on {@code url} under {@code prefix}. */
    static Settings settings(String url, String prefix) {
        return Settings.defaults().with(RedisSettings.URL, url).with(RedisSettings.PREFIX, prefix).with(RedisSettings.TIMEOUT, "1s");
    }

    /** An assembled node, not started. */
    static Herald build(Settings settings, Module... extra) {
        Herald.Builder builder = Herald.builder().settings(settings).store(new RedisStoreModule(settings));
        for (Module m : extra) {
            builder.module(m);
        }
        return builder.build();
    }

    /** A started node on {@code url} under {@code prefix}. */
    static Herald start(String url, String prefix) {
        return build(settings(url, prefix)).start();
    }

    /** A subscriber that accepts everything and keeps it. */
    static final class Collecting implements Subscriber {
        private final List<Message> messages = new ArrayList<>();
        private final List<Gap> gaps = new ArrayList<>();

        @Override
        public synchronized boolean deliver(Message message) {
            messages.add(message);
            return true;
        }

        @Override
        public synchronized void gap(Gap gap) {
            gaps.add(gap);
        }

        synchronized List<Message> messages(ChannelName channel) {
            return messages.stream().filter(m -> m.channel().equals(channel)).toList();
        }

        synchronized List<String> payloads(ChannelName channel) {
            return messages(channel).stream().map(m -> m.payload().utf8()).toList();
        }

        synchronized List<Gap> gaps() {
            return List.copyOf(gaps);
        }
    }
}
