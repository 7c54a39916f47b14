package io.herald.core;

/**
 * Counters of one engine since it started.
 *
 * @param published messages published through this node
 * @param delivered messages handed to subscribers (live and replayed)
 * @param gaps gap notices given to subscribers
 * @param cutOffs subscriptions dropped because their subscriber fell behind (G6)
 * @param subscriptions subscriptions active now
 * @param channels channels with live subscribers on this node now
 */
public record EngineStats(long published, long delivered, long gaps, long cutOffs, long subscriptions, long channels) {
}
