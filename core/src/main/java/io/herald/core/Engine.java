package io.herald.core;

import io.herald.api.AccessDeniedException;
import io.herald.api.Authorizer;
import io.herald.api.Broker;
import io.herald.api.ChannelName;
import io.herald.api.Gap;
import io.herald.api.HistoryStore;
import io.herald.api.InvalidChannelException;
import io.herald.api.Lifecycle;
import io.herald.api.Message;
import io.herald.api.PayloadTooLargeException;
import io.herald.api.Position;
import io.herald.api.Principal;
import io.herald.api.Publication;
import io.herald.api.Replay;
import io.herald.api.SubscriptionBacklog;
import io.herald.core.config.CoreSettings;
import io.herald.core.config.Settings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine: publish and subscribe over the configured store and broker, whatever the protocol.
 *
 * <p><b>Publish</b>: validate the channel and payload, authorize, then append to history (which assigns the
 * position) and hand the message to the broker and the {@link PublishListener}s. The {@link PublishPipeline}
 * does the last two steps: a channel's appends reach the store in publish order, several may be in flight
 * ({@link #publishAsync}), and the broker and listeners get a channel's messages in position order. No lock
 * is held while the store works.
 *
 * <p><b>Subscribe with resume</b>: register for live messages first (buffering), replay history up to the
 * head, then drain the buffer skipping what was replayed: no gap, no duplicate (G1, G2). Live fan-out
 * shares each immutable {@link Message} among all subscribers; a subscriber that cannot take a live
 * message is cut off with its position (G6).
 *
 * <p>Thread-safe. Transports get it injected; applications usually go through {@link Herald}.
 */
@Singleton
public final class Engine implements Lifecycle {


    private final HistoryStore history;
    private final Broker broker;
    private final Authorizer authorizer;
    private volatile List<ServerChannels> serverChannels = List.of();
    private volatile SubscriptionBacklog backlog = SubscriptionBacklog.NONE;
    private final PublishPipeline pipeline;
    private final long maxPayload;
    private final int bufferLimit;

    private final Map<ChannelName, ChannelFeed> feeds = new ConcurrentHashMap<>();
    private final ChannelIndex<ChannelSubscription> patterns = new ChannelIndex<>();
    private final Set<ChannelSubscription> patternSubscriptions = ConcurrentHashMap.newKeySet();
    private final Map<ChannelName, PatternRegistration> patternRegistrations = new HashMap<>();
    private final EngineThreads threads;
    private final long feedIdleNanos;
    private ScheduledFuture<?> feedSweep;
    private final Broker.Listener router = new Router();
    private final AtomicBoolean resyncPending = new AtomicBoolean();

    private final Counter published;
    private final Counter delivered;
    private final Counter gaps;
    private final Counter cutOffs;
    private final AtomicInteger subscriptions = new AtomicInteger();

    private static final class PatternRegistration {
        int count;
        Broker.Subscription brokerSubscription;
    }

    @Inject
    public Engine(HistoryStore history, Broker broker, Authorizer authorizer, MeterRegistry meters, Settings settings,
                  Set<PublishListener> publishListeners, EngineThreads threads) {
        this.history = history;
        this.broker = broker;
        this.authorizer = authorizer;
        this.maxPayload = settings.get(CoreSettings.PUBLISH_MAX_PAYLOAD);
        this.bufferLimit = settings.get(CoreSettings.SUBSCRIBER_QUEUE);
        this.threads = threads;
        this.feedIdleNanos = settings.get(CoreSettings.FEED_IDLE).toNanos();
        this.published = Counter.builder("herald.messages.published").description("messages published on this node").register(meters);
        this.pipeline = new PublishPipeline(history, broker, List.copyOf(publishListeners), published);
        this.delivered = Counter.builder("herald.messages.delivered").description("messages handed to subscribers").register(meters);
        this.gaps = Counter.builder("herald.gaps").description("gap notices given to subscribers").register(meters);
        this.cutOffs = Counter.builder("herald.subscribers.cutoff").description("slow subscribers cut off").register(meters);
        Gauge.builder("herald.subscriptions", subscriptions, AtomicInteger::get).register(meters);
        Gauge.builder("herald.channels.live", feeds, Map::size).register(meters);
    }

    /** The channels only the server publishes to; method-injected, so that code making an engine by hand need not. */
    @Inject
    void serverChannels(Set<ServerChannels> reserved) {
        this.serverChannels = List.copyOf(reserved);
    }

    /** The backlog that keeps durable subscriptions' messages beyond history; method-injected, {@code NONE} by hand. */
    @Inject
    void backlog(SubscriptionBacklog backlog) {
        this.backlog = backlog;
    }

    /** The node's {@link SubscriptionBacklog}; {@link SubscriptionBacklog#NONE} unless a plugin binds one. */
    public SubscriptionBacklog backlog() {
        return backlog;
    }

    /**
     * Publishes {@code publication} on behalf of {@code principal} and waits until it is stored and handed to
     * the broker: {@link #publishAsync}, waited for.
     *
     * @return the stored message with its position; for a publication whose id the channel's retained
     *     history already holds, that message, published again to no one
     * @throws InvalidChannelException for a pattern, {@code /meta/**} or {@code /service/**} channel
     * @throws PayloadTooLargeException over the configured payload limit
     * @throws AccessDeniedException if the authorizer refuses
     * @throws io.herald.api.StoreException if the store fails; nothing was published
     */
    public Message publish(Principal principal, Publication publication) {
        check(principal, publication);
        return pipeline.publishAndWait(publication);
    }

    /**
     * Publishes {@code publication} on behalf of {@code principal} without waiting for the store: one publisher
     * may have many publishes in flight. A channel's messages take their positions in the order this method
     * was called for them (from one thread, or calls the caller ordered otherwise), and subscribers, the broker
     * and the listeners see them in that order.
     *
     * <p>A refusal fails the future with the exception {@link #publish} throws, and changes nothing. The future
     * may complete on a thread of the store: what depends on it must not block (nor publish with
     * {@link #publish} there).
     *
     * @return the stored message, as {@link #publish} returns it, once handed to the broker and listeners
     */
    public CompletableFuture<Message> publishAsync(Principal principal, Publication publication) {
        try {
            check(principal, publication);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return pipeline.publish(publication);
    }

    /**
     * Whether {@link #publishAsync} always returns without waiting for anything (store, broker, network), so
     * that a thread which must never block (an HTTP selector) may call it: only when both the store's append
     * and the broker's publish are in this process (the memory store and broker). With any remote store or
     * broker an append may wait for room in its pipeline or for a round trip.
     */
    public boolean publishesWithoutWaiting() {
        return history.appendsWithoutWaiting() && (history.publishesTo(broker) || broker.publishesWithoutWaiting());
    }

    /** The refusals of a publish; one place for the synchronous and the asynchronous one. */
    private void check(Principal principal, Publication publication) {
        ChannelName channel = publication.channel();
        if (!channel.isPublishable() || channel.isService()) {
            throw new InvalidChannelException(channel.value(), channel.isPattern()
                    ? "cannot publish to a wildcard pattern"
                    : "channels under /" + channel.segments().get(0) + "/ are reserved and cannot be published to");
        }
        if (publication.payload().size() > maxPayload) {
            throw new PayloadTooLargeException(channel, publication.payload().size(), maxPayload);
        }
        if (principal != Principal.SERVER && (!authorizer.mayPublish(principal, channel) || reserved(channel))) {
            throw new AccessDeniedException(principal.name(), channel, "publish to");
        }
    }

    private boolean reserved(ChannelName channel) {
        for (ServerChannels reserved : serverChannels) {
            if (reserved.reserves(channel)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Subscribes {@code subscriber} to a channel or pattern on behalf of {@code principal}. For an exact
     * channel, {@code resume} says where delivery starts; a pattern is always live.
     *
     * @throws InvalidChannelException for {@code /meta/**} or {@code /service/**}
     * @throws AccessDeniedException if the authorizer refuses
     */
    public Subscription subscribe(Principal principal, ChannelName channel, Resume resume, Subscriber subscriber) {
        checkSubscribe(principal, channel);
        ChannelSubscription subscription = new ChannelSubscription(this, channel, subscriber, bufferLimit);
        if (channel.isPattern()) {
            subscribePattern(subscription);
        } else {
            // A feed retired between lookup and registration hands back null: take a fresh one.
            ChannelFeed feed;
            do {
                feed = feeds.computeIfAbsent(channel, c -> new ChannelFeed(c, this));
            } while (feed.register(subscription, resume) == null);
        }
        // Counted only once registered: a registration that failed left nothing behind to uncount.
        subscriptions.incrementAndGet();
        if (resume instanceof Resume.After after && !channel.isPattern()) {
            subscription.catchUp(after.position());
        }
        return subscription;
    }

    /**
     * {@code channel}, or the equal name the engine holds already while the channel has subscribers on this node. A
     * transport that keeps the name per subscription (as its key, and in the session's record) then keeps one copy
     * for every subscriber of a channel instead of one parsed from each request: about 80 bytes an idle subscriber.
     */
    public ChannelName named(ChannelName channel) {
        ChannelFeed feed = channel.isPattern() ? null : feeds.get(channel);
        return feed == null ? channel : feed.channel;
    }

    /**
     * Refuses, as {@link #subscribe} would, a subscription {@code principal} may not make; a transport that
     * subscribes one connection to several channels checks them all first, so that a refusal subscribes none.
     *
     * @throws InvalidChannelException for {@code /meta/**} or {@code /service/**}
     * @throws AccessDeniedException if the authorizer refuses
     */
    public void checkSubscribe(Principal principal, ChannelName channel) {
        if (channel.isMeta() || channel.isService()) {
            throw new InvalidChannelException(channel.value(), "channels under /" + channel.segments().get(0)
                    + "/ are reserved and cannot be subscribed to");
        }
        if (principal != Principal.SERVER && !authorizer.maySubscribe(principal, channel)) {
            throw new AccessDeniedException(principal.name(), channel, "subscribe to");
        }
    }

    /** History of a channel, straight from the store; see {@link HistoryStore#replay}. */
    public Replay history(ChannelName channel, Position after, int limit) {
        return history.replay(channel, after, limit);
    }

    /** The channel's head position; see {@link HistoryStore#head}. */
    public Position head(ChannelName channel) {
        return history.head(channel);
    }

    /** Counters since start. */
    public EngineStats stats() {
        return new EngineStats((long) published.count(), (long) delivered.count(), (long) gaps.count(), (long) cutOffs.count(),
                subscriptions.get(), feeds.size());
    }

    @Override
    public int phase() {
        return ENGINE;
    }

    @Override
    public void start() {
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(TimeUnit.SECONDS.toNanos(1), feedIdleNanos / 2));
        feedSweep = threads.scheduler().scheduleWithFixedDelay(this::retireIdleFeeds, period, period, TimeUnit.NANOSECONDS);
    }

    @Override
    public void stop() {
        if (feedSweep != null) {
            feedSweep.cancel(false);
        }
    }

    /** Retires feeds only pattern subscribers use once they are idle (G6). */
    private void retireIdleFeeds() {
        long now = System.nanoTime();
        for (ChannelFeed feed : feeds.values()) {
            feed.retireIfIdle(now, feedIdleNanos);
        }
    }

    // --- collaborators of feeds and subscriptions ---

    HistoryStore history() {
        return history;
    }

    Broker broker() {
        return broker;
    }

    Broker.Listener router() {
        return router;
    }

    PublishPipeline pipeline() {
        return pipeline;
    }

    /** Runs {@code task} on a worker, or {@code onRefused} here when the workers are saturated or stopped. */
    void execute(Runnable task, Runnable onRefused) {
        threads.execute(task, onRefused);
    }

    int offerToPatterns(Message message) {
        int[] count = {0};
        patterns.forEachPatternMatch(message.channel(), s -> {
            if (s.offer(message)) {
                count[0]++;
            }
        });
        return count[0];
    }

    void offerGapToPatterns(Gap gap) {
        patterns.forEachPatternMatch(gap.channel(), s -> s.offerGap(gap));
    }

    boolean patternsMatch(ChannelName channel) {
        boolean[] any = {false};
        patterns.forEachPatternMatch(channel, s -> any[0] = true);
        return any[0];
    }

    void removeFeed(ChannelFeed feed) {
        feeds.remove(feed.channel, feed);
    }

    void unsubscribe(ChannelSubscription subscription, ChannelFeed feed) {
        if (feed != null || patternSubscriptions.contains(subscription)) {
            subscriptions.decrementAndGet();
        }
        if (feed != null) {
            feed.unregister(subscription);
            return;
        }
        patterns.remove(subscription.channel(), subscription);
        patternSubscriptions.remove(subscription);
        synchronized (patternRegistrations) {
            PatternRegistration registration = patternRegistrations.get(subscription.channel());
            if (registration != null && --registration.count == 0) {
                patternRegistrations.remove(subscription.channel());
                registration.brokerSubscription.close();
            }
        }
    }

    /** The node's threads (the feeds hold their writers' wake-ups while they dispatch). */
    EngineThreads threads() {
        return threads;
    }

    void countDelivered(int n) {
        if (n > 0) {
            delivered.increment(n);
        }
    }

    void countGap() {
        gaps.increment();
    }

    void countCutOff() {
        cutOffs.increment();
    }

    private void subscribePattern(ChannelSubscription subscription) {
        synchronized (patternRegistrations) {
            PatternRegistration registration = patternRegistrations.get(subscription.channel());
            if (registration == null) {
                registration = new PatternRegistration();
                // Throws before anything is recorded: a failed registration leaves no trace.
                registration.brokerSubscription = broker.subscribe(subscription.channel(), router);
                patternRegistrations.put(subscription.channel(), registration);
            }
            registration.count++;
        }
        patterns.add(subscription.channel(), subscription);
        patternSubscriptions.add(subscription);
    }

    /** The node's one broker listener: routes each message to its channel's feed. */
    private final class Router implements Broker.Listener {
        @Override
        public void onMessage(Message message) {
            while (true) {
                ChannelFeed feed = feeds.get(message.channel());
                if (feed == null) {
                    if (!patternsMatch(message.channel())) {
                        return;
                    }
                    feed = feeds.computeIfAbsent(message.channel(), c -> new ChannelFeed(c, Engine.this));
                }
                if (feed.onMessage(message)) {
                    return;
                }
                // That feed retired meanwhile; a fresh one (or none, if nobody listens any more) takes over.
            }
        }

        @Override
        public void onResync() {
            // A broker may report one outage once per subscription; one pass over everything is enough.
            if (!resyncPending.compareAndSet(false, true)) {
                return;
            }
            Runnable pass = () -> {
                resyncPending.set(false);
                feeds.values().forEach(ChannelFeed::resync);
                // A pattern may match channels this node had no feed for, whose messages during the outage
                // no one can list: say so rather than stay silent (G2).
                for (ChannelSubscription subscription : patternSubscriptions) {
                    subscription.offerGap(Gap.patternReset(subscription.channel()));
                    countGap();
                }
            };
            execute(pass, pass);
        }
    }
}
