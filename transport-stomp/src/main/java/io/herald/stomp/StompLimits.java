package io.herald.stomp;

/**
 * What one frame may hold, checked as bytes arrive so that an oversized frame is refused before it is
 * buffered whole (G6, G7). Immutable.
 *
 * @param maxFrame largest frame, headers and body together, in bytes (4 MiB by default, as RabbitMQ)
 * @param maxHeaders most headers in one frame
 * @param maxHeaderLength longest command or header line, in bytes
 */
public record StompLimits(int maxFrame, int maxHeaders, int maxHeaderLength) {

    public static final StompLimits DEFAULT = new StompLimits(4 * 1024 * 1024, 100, 8 * 1024);

    public StompLimits {
        if (maxFrame < 64 || maxHeaders < 8 || maxHeaderLength < 64) {
            throw new IllegalArgumentException("STOMP limits too small: frame " + maxFrame + ", headers " + maxHeaders
                    + ", header length " + maxHeaderLength);
        }
    }
}
