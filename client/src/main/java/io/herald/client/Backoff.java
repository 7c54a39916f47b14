package io.herald.client;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): the n-th
 * retry in a row waits a uniformly random time in {@code [0, min(max, initial * 2^n)]}, so clients dropped
 * together by a server restart do not come back together. Not thread-safe (one client's protocol thread uses it).
 */
public final class Backoff {

    private final long initialMillis;
    private final long maxMillis;
    private final Random random;

    /**
     * @param initial the ceiling of the first retry's delay (> 0)
     * @param max     the ceiling no delay exceeds (>= initial)
     * @param random  the jitter source; seed it for reproducible tests
     */
    public Backoff(Duration initial, Duration max, Random random) {
        if (initial == null || initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("backoff initial delay must be positive, was " + initial);
        }
        if (max == null || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff max delay " + max + " is below the initial delay " + initial);
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    /** The ceiling of the delay before retry number {@code attempt} (0 for the first retry). */
    public long ceilingMillis(int attempt) {
        if (attempt < 0) {
            throw new IllegalArgumentException("negative attempt " + attempt);
        }
        int shift = Math.min(attempt, 62);
        long ceiling = initialMillis << shift;
        return ceiling <= 0 || (ceiling >> shift) != initialMillis ? maxMillis : Math.min(maxMillis, ceiling);
    }

    /** A delay for retry number {@code attempt}: uniform in {@code [0, ceilingMillis(attempt)]}. */
    public long delayMillis(int attempt) {
        long ceiling = ceilingMillis(attempt);
        return ceiling == 0 ? 0 : (long) (random.nextDouble() * (ceiling + 1));
    }
}
