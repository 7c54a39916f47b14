/**
 * The {@code presence} extension: who is online on which channel, per user across connections and nodes,
 * with join and leave events on companion channels and accumulated online time (faye-online semantics).
 * See the module README for the semantics, settings, events and HTTP API.
 */
package io.herald.presence;
