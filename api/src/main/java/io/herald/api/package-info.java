/**
 * Herald's vocabulary and service provider interfaces.
 *
 * <p>Value types ({@link io.herald.api.ChannelName}, {@link io.herald.api.Position},
 * {@link io.herald.api.Message}, ...) are immutable records. The SPIs ({@link io.herald.api.HistoryStore},
 * {@link io.herald.api.Broker}, {@link io.herald.api.SessionStore}, {@link io.herald.api.PresenceStore},
 * {@link io.herald.api.Authenticator}, {@link io.herald.api.Authorizer}) state their contracts here; the
 * abstract tests in {@code herald-testkit} check them. This package depends on nothing but the JDK.
 */
package io.herald.api;
