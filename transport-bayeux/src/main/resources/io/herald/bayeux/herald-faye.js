/*
 * Herald's extension for the stock Faye client (browser or Node), served by Herald at <bayeux path>/herald-faye.js.
 *
 *   client.addExtension(HeraldFaye.extension());            // browser: <script src=".../bayeux/herald-faye.js">
 *   client.addExtension(require('./herald-faye.js').extension({store: myStore}));   // Node
 *
 * It keeps the client id and the position reached on each channel in a store (localStorage by default in a
 * browser; in Node pass {store: {load() -> string|null, save(string)}}). So:
 *  - after a page reload or a process restart, the handshake asks for the same client id (ext.herald.clientId)
 *    and the session, with its subscriptions and everything published meanwhile, is resumed;
 *  - every /meta/connect acknowledges the positions received (ext.herald.ack), and the server replays from
 *    there what it sent but the client never got (a reply lost with a dropped connection);
 *  - a message at or before a position already received is dropped, so each message is handled once.
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) {
    module.exports = factory();
  } else {
    root.HeraldFaye = factory();
  }
}(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  var KEY = 'herald.faye';

  function localStore() {
    return {
      load: function () { return window.localStorage.getItem(KEY); },
      save: function (value) { window.localStorage.setItem(KEY, value); }
    };
  }

  function parse(position) {
    var colon = typeof position === 'string' ? position.lastIndexOf(':') : -1;
    return colon < 1 ? null : { epoch: position.substring(0, colon), offset: Number(position.substring(colon + 1)) };
  }

  function extension(options) {
    var store = (options && options.store) || localStore();
    var state = { clientId: null, positions: {} };
    try {
      var saved = store.load();
      if (saved) {
        state = JSON.parse(saved);
        state.positions = state.positions || {};
      }
    } catch (e) {
      state = { clientId: null, positions: {} };
    }

    function save() {
      store.save(JSON.stringify(state));
    }

    function herald(message) {
      message.ext = message.ext || {};
      message.ext.herald = message.ext.herald || {};
      return message.ext.herald;
    }

    return {
      outgoing: function (message, callback) {
        if (message.channel === '/meta/handshake' && state.clientId) {
          herald(message).clientId = state.clientId;
        } else if (message.channel === '/meta/connect') {
          herald(message).ack = state.positions;
        } else if (message.channel === '/meta/disconnect') {
          state = { clientId: null, positions: {} };
          save();
        }
        callback(message);
      },

      incoming: function (message, callback) {
        if (message.channel === '/meta/handshake' && message.successful) {
          if (message.clientId !== state.clientId) {
            state = { clientId: message.clientId, positions: {} };
          }
          save();
          return callback(message);
        }
        if (message.channel === '/meta/subscribe' && message.successful && message.ext && message.ext.herald) {
          var starts = message.ext.herald.positions || {};
          Object.keys(starts).forEach(function (channel) {
            if (!state.positions[channel]) {
              state.positions[channel] = starts[channel];
            }
          });
          save();
          return callback(message);
        }
        var position = message.data !== undefined && message.ext && message.ext.herald && parse(message.ext.herald.position);
        if (!position || message.channel.indexOf('*') >= 0) {
          return callback(message);
        }
        var known = parse(state.positions[message.channel]);
        if (known && known.epoch === position.epoch && position.offset <= known.offset && !message.ext.herald.missedevents) {
          return callback(null); // received already
        }
        state.positions[message.channel] = message.ext.herald.position;
        save();
        callback(message);
      }
    };
  }

  return { extension: extension };
}));
