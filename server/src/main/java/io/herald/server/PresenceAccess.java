package io.herald.server;

import io.herald.api.AccessDeniedException;
import io.herald.api.AuthenticationException;
import io.herald.api.Authenticator;
import io.herald.api.Authorizer;
import io.herald.api.ChannelName;
import io.herald.api.Credentials;
import io.herald.api.Principal;
import io.herald.core.config.Settings;
import io.herald.http.ApiKeyGuard;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * Who may read presence over HTTP. The API key (or no key configured) reads everything. Without it, a client
 * token ({@code Authorization: Bearer <token>} or {@code ?token=}) reads a channel's presence when the
 * {@link Authorizer} lets it subscribe to the channel's companion {@code /presence<channel>}, where the same
 * joins and leaves are published: seeing who is there is reading that channel. Online time is more
 * personal: a token reads its own user's only, unless {@link ServerSettings#PRESENCE_OTHERS} allows others' (a user id sent by a
 * client is taken only where configuration says so). Thread-safe.
 */
@Singleton
final class PresenceAccess {

    private final ApiKeyGuard guard;
    private final Authenticator authenticator;
    private final Authorizer authorizer;
    private final boolean others;

    @Inject
    PresenceAccess(ApiKeyGuard guard, Authenticator authenticator, Authorizer authorizer, Settings settings) {
        this.guard = guard;
        this.authenticator = authenticator;
        this.authorizer = authorizer;
        this.others = settings.get(ServerSettings.PRESENCE_OTHERS);
    }

    /**
     * The principal reading {@code channel}'s presence: {@link Principal#SERVER} for the API key.
     *
     * @throws ClientError 401 with a challenge when neither the key nor a user's token was presented
     * @throws io.herald.api.AuthenticationException for a bad token (401)
     * @throws AccessDeniedException when the token may not read the companion channel (403)
     */
    Principal reader(Request request, Response response, Query query, ChannelName channel) {
        ApiKeyGuard.Refusal refusal = guard.check(request);
        if (refusal == null) {
            return Principal.SERVER;
        }
        String token = token(request, query);
        Principal principal = null;
        if (token != null) {
            try {
                principal = authenticator.authenticate(new Credentials(token, Request.getRemoteAddr(request)));
            } catch (AuthenticationException e) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, refusal.challenge);
                throw e;
            }
        }
        if (principal == null || principal.name().equals(Principal.ANONYMOUS_NAME)) {
            // Not a user's token either (or no tokens are configured): the key is what was missing.
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, refusal.challenge);
            throw new ClientError(401, refusal.message + ", or a client token that grants /presence" + channel.value());
        }
        ChannelName companion = ChannelName.of("/presence" + channel.value());
        if (!authorizer.maySubscribe(principal, companion)) {
            throw new AccessDeniedException(principal.name(), companion, "read the presence of " + channel.value() + " through");
        }
        return principal;
    }

    /**
     * Refuses {@code reader} the online time of {@code user} ({@code null}: every user) unless it is the
     * key, the user themselves, or configuration lets readers see others'.
     *
     * @throws AccessDeniedException naming the channel and the user asked for (403)
     */
    void checkTime(Principal reader, ChannelName channel, String user) {
        if (reader == Principal.SERVER || others || reader.name().equals(user)) {
            return;
        }
        throw new AccessDeniedException(reader.name(), channel, "read the online time of "
                + (user == null ? "every user" : "'" + user + "'") + " (only its own, unless " + ServerSettings.PRESENCE_OTHERS.flag() + ") on");
    }

    private static String token(Request request, Query query) {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization != null && authorization.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
            return authorization.substring("bearer ".length()).trim();
        }
        return query.optional("token");
    }
}
