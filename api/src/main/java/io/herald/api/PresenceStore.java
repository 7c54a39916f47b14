package io.herald.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who is present on which channel: connections (clients) kept alive by heartbeats, and the users they
 * belong to, with each user's accumulated online time.
 *
 * <h2>Connections</h2>
 * A member (a client: one connection) stays present {@code ttl} after its last {@link #join}; calling
 * {@code join} again is the heartbeat, which keeps {@link Member#joinedAt()} and updates the info. Expired
 * members are never returned by {@link #members}; {@link #purgeExpired} removes them and hands each out
 * exactly once, so that a dead connection is noticed even when the node that held it died.
 *
 * <h2>Users</h2>
 * Every member belongs to a user; one user may have several clients on a channel (three browser tabs). The
 * store keeps, per channel and user, atomically with the members, when the user came online and how many
 * of their clients are there:
 * <ul>
 *   <li>a user comes <em>online</em> when a client of theirs joins while they are offline:
 *       {@link #arrive} says so ({@link Arrival#userJoined()}), to exactly one caller, whichever node it runs on;</li>
 *   <li>when their last client leaves ({@link #leave}) or expires (at its {@code expiresAt}), the user
 *       <em>is leaving</em>: still listed by {@link #users}, with no connection; a client arriving then
 *       takes them back, with no new join ({@code userJoined} is {@code false});</li>
 *   <li>a user leaving for {@code grace} or longer goes <em>offline</em> when {@link #purgeOffline} claims
 *       them: each such user is handed out exactly once across every caller and node, with the time their
 *       last client went, and the interval from {@code since} to then is added to their online time.</li>
 * </ul>
 * Online time is counted per user, from coming online to going offline, so overlapping connections of one
 * user never count twice; a short absence within the grace period counts as online (no leave was told).
 * Accumulated time is kept, by a persistent store durably, after the user goes offline.
 *
 * <p>A client keeps the user it first joined with: a heartbeat naming another user still counts for the
 * first one. Example, the presence service's view:
 * <pre>{@code
 * Arrival a = store.arrive(room, "conn-1", "alice", Map.of(), Duration.ofSeconds(30));
 * if (a.userJoined()) announce("join", "alice");            // first connection of alice
 * store.arrive(room, "conn-2", "alice", Map.of(), ttl);     // userJoined() false: a second tab
 * store.leave(room, "conn-1");                              // alice still online
 * store.leave(room, "conn-2");                              // alice leaving, still listed
 * for (Offline o : store.purgeOffline(clock.instant(), Duration.ofSeconds(5))) announce("leave", o.userId());
 * Duration online = store.onlineTime(room, "alice", clock.instant());
 * }</pre>
 *
 * <p>Thread-safe; every operation on one channel is atomic with respect to the others, on every node.
 */
public interface PresenceStore {

    /** Adds or refreshes {@code clientId} on {@code channel}; returns the member as stored. {@link #arrive}, without the user's news. */
    Member join(ChannelName channel, String clientId, String userId, Map<String, String> info, Duration ttl);

    /**
     * Adds or refreshes {@code clientId} on {@code channel}, as {@link #join}, and says whether its user came
     * online with it.
     */
    Arrival arrive(ChannelName channel, String clientId, String userId, Map<String, String> info, Duration ttl);

    /**
     * Removes {@code clientId} from {@code channel}; {@code false} if it was not present (an expired member
     * is not: it stays for the purge). When it was its user's last client, the user starts leaving.
     */
    boolean leave(ChannelName channel, String clientId);

    /** The live members of {@code channel}, in joining order. */
    List<Member> members(ChannelName channel);

    /** The users online on {@code channel}, leaving ones included, in the order they came online. */
    List<OnlineUser> users(ChannelName channel);

    /**
     * Removes and returns the members that expired by {@code now}, each exactly once, across this method and
     * {@link #purgeOffline} (a member one of them removed is not handed out by the other).
     */
    List<Member> purgeExpired(Instant now);

    /**
     * Removes the members that expired by {@code now} (as {@link #purgeExpired}, without handing them out),
     * then takes offline and returns every user whose last client went {@code grace} or more before
     * {@code now}: each exactly once across every caller and node, its interval added to its online time.
     */
    List<Offline> purgeOffline(Instant now, Duration grace);

    /**
     * The online time of {@code userId} on {@code channel} as of {@code now}: every finished interval, plus the
     * current one while online (up to when the last client went, while leaving). Zero for a user never seen.
     */
    Duration onlineTime(ChannelName channel, String userId, Instant now);

    /** {@link #onlineTime} of every user ever online on {@code channel}, by user. */
    Map<String, Duration> onlineTimes(ChannelName channel, Instant now);

    /**
     * What an {@link #arrive} did.
     *
     * @param member the member as stored
     * @param userJoined whether its user was offline before: the one arrival that tells the user's join
     * @param connections how many clients the user has on the channel now, this one included
     */
    record Arrival(Member member, boolean userJoined, int connections) {
        public Arrival {
            Objects.requireNonNull(member, "member");
        }
    }

    /**
     * A user online (or leaving) on a channel.
     *
     * @param channel the channel
     * @param userId the user
     * @param connections their live clients there; 0 while leaving
     * @param since when they came online
     */
    record OnlineUser(ChannelName channel, String userId, int connections, Instant since) {
        public OnlineUser {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(userId, "userId");
            Objects.requireNonNull(since, "since");
        }
    }

    /**
     * A user gone offline, as {@link #purgeOffline} hands it out.
     *
     * @param channel the channel
     * @param userId the user
     * @param since when they had come online
     * @param at when their last client left or expired: the end of the interval counted as online
     */
    record Offline(ChannelName channel, String userId, Instant since, Instant at) {
        public Offline {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(userId, "userId");
            Objects.requireNonNull(since, "since");
            Objects.requireNonNull(at, "at");
        }
    }
}
