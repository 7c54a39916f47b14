package io.herald.presence;

import io.herald.api.ChannelName;
import io.herald.core.config.PluginSettings;
import io.herald.core.config.Setting;
import io.herald.core.config.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The typed settings of the {@code presence} extension and the settings they are read from. Immutable and
 * thread-safe; {@link #validate()} refuses what cannot work in one line, however Herald is assembled.
 *
 * @param source the configuration they were read from, to name a bad value as it was given
 * @param channels the channels and patterns that have presence (others pay nothing); empty for every channel
 * @param grace how long a user whose last connection went stays online, so that a reload is no leave
 * @param ttl how long a connection stays present without a heartbeat; a node beats every third of it
 * @param sweep how often each node looks for connections that expired and users whose grace is over
 * @param info the principal attributes (token claims) shown as a member's info
 * @param anonymous whether connections without a user count, each as a user of its own
 */
public record PresenceSettings(Settings source, List<String> channels, Duration grace, Duration ttl, Duration sweep,
                               List<String> info, boolean anonymous) implements PluginSettings {

    /** Channels with presence, comma-separated channels or patterns. */
    public static final Setting<List<String>> CHANNELS = Setting.list("presence.channels", "",
            "channels and patterns with presence, comma-separated, others pay nothing (default: every channel but /presence/**)");
    /** The grace period before a user whose last connection went is offline. */
    public static final Setting<Duration> GRACE = Setting.duration("presence.grace", "5s",
            "how long a user whose last connection dropped stays online (no leave, no new join if they come back)");
    /** How long a connection is present without a heartbeat (a node that died stops beating). */
    public static final Setting<Duration> TTL = Setting.duration("presence.ttl", "30s",
            "how long a connection stays present without its node's heartbeat (sent every third of it)");
    /** How often every node purges expired connections and takes users offline. */
    public static final Setting<Duration> SWEEP = Setting.duration("presence.sweep", "1s",
            "how often each node looks for dead connections and users whose grace is over");
    /** The principal attributes shown as member info. */
    public static final Setting<List<String>> INFO = Setting.list("presence.info", "",
            "token claims shown as a member's info in the member list, comma-separated");
    /** Whether anonymous connections count. */
    public static final Setting<Boolean> ANONYMOUS = Setting.bool("presence.anonymous", true,
            "whether connections without a user are present, each as a user of its own");

    /** The settings above. */
    public static List<Setting<?>> all() {
        return List.of(CHANNELS, GRACE, TTL, SWEEP, INFO, ANONYMOUS);
    }

    /**
     * Reads the settings; no I/O.
     *
     * @throws io.herald.core.config.ConfigurationException for a value that does not parse
     */
    public static PresenceSettings from(Settings settings) {
        return new PresenceSettings(settings, settings.get(CHANNELS), settings.get(GRACE), settings.get(TTL), settings.get(SWEEP),
                settings.get(INFO), settings.get(ANONYMOUS));
    }

    @Override
    public void validate() {
        patterns();
        if (ttl.compareTo(Duration.ofMillis(300)) < 0) {
            throw source.invalid(TTL, "it must be at least 300ms, got " + ttl.toMillis() + "ms");
        }
        if (sweep.isZero()) {
            throw source.invalid(SWEEP, "it must be positive");
        }
    }

    /** The channel patterns, validated. */
    List<ChannelName> patterns() {
        List<ChannelName> patterns = new ArrayList<>();
        for (String text : channels) {
            ChannelName pattern;
            try {
                pattern = ChannelName.lenient(text);
            } catch (RuntimeException e) {
                throw source.invalid(CHANNELS, "'" + text + "' is not a channel or pattern: " + e.getMessage());
            }
            if (PresenceChannels.isCompanion(pattern)) {
                throw source.invalid(CHANNELS, "'" + text + "' is under /presence/, where presence events go");
            }
            if (pattern.isMeta() || pattern.isService()) {
                throw source.invalid(CHANNELS, "'" + text + "' is reserved for protocol use");
            }
            patterns.add(pattern);
        }
        return patterns;
    }
}
