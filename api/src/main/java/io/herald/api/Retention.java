package io.herald.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How much of a channel's history a {@link HistoryStore} keeps: at most {@code maxCount} messages, none older
 * than {@code maxAge}. Whichever limit is hit first applies.
 *
 * @param maxCount messages kept per channel, at least 1 (Redisse keeps 100)
 * @param maxAge age after which a message is dropped; {@link Duration#ZERO} for no age limit
 */
public record Retention(int maxCount, Duration maxAge) {

    /** The default: 100 messages per channel, no age limit. */
    public static final Retention DEFAULT = new Retention(100, Duration.ZERO);

    public Retention {
        if (maxCount < 1) {
            throw new IllegalArgumentException("retention must keep at least 1 message, got " + maxCount);
        }
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("negative retention age " + maxAge);
        }
    }

    /** Whether an age limit applies. */
    public boolean hasMaxAge() {
        return !maxAge.isZero();
    }

    /** Chooses the retention of each channel; must be cheap and thread-safe. */
    @FunctionalInterface
    public interface Policy {
        Retention retentionFor(ChannelName channel);

        /** The same retention for every channel. */
        static Policy uniform(Retention retention) {
            return channel -> retention;
        }
    }
}
