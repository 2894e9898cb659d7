// window.llmctlRealtime.connect(...) for pages written for the Flask-SocketIO stack, on the hub's
// Socket.IO endpoint (docs/protocol.md "Socket.IO"). Needs socket.io-client as window.io, which the hub
// serves at <hub>/socket.io/socket.io.min.js. WebSocket first; polling only after a verified socket
// failure (no connect within connectTimeoutMs, a connect_error that is not a refusal, or a dropped
// WebSocket not back within graceMs while socket.io-client retries it), with the failed socket torn
// down first. Keeps {offset, epoch} per room and resubscribes with `since` on every
// (re)connect, so a dropped connection or a dead replica loses nothing within the hub's history.
(function (global) {
  'use strict';

  function connect(options) {
    var io = options.io || global.io;
    if (typeof io !== 'function') {
      throw new Error('llmctlRealtime: load socket.io-client first (<hub>/socket.io/socket.io.min.js)');
    }
    var url = (options.url || global.location.origin).replace(/\/$/, '');
    var path = options.path || '/socket.io';
    var connectTimeoutMs = options.connectTimeoutMs || 5000;
    var graceMs = options.graceMs || 10000;
    var onEvent = options.onEvent || function () {};
    var onStatus = options.onStatus || function () {};
    var cursors = {};
    var rooms = [];
    var socket = null;
    var transport = 'websocket';
    var closed = false;
    var timer = null;
    var grace = null;

    (options.rooms || []).forEach(function (room) { rooms.push(room); });

    function status(state, detail) {
      onStatus({ state: state, transport: transport, detail: detail || null });
    }

    function token() {
      return options.tokenProvider ? Promise.resolve(options.tokenProvider()) : Promise.resolve(options.token);
    }

    function open() {
      var opened = io(url + '/rt', {
        path: path,
        transports: [transport],
        forceNew: true,
        auth: function (cb) { token().then(function (t) { cb({ token: t }); }); },
      });
      socket = opened;
      var everConnected = false;
      status('connecting');
      if (transport === 'websocket') {
        timer = setTimeout(function () { if (!everConnected) fallBack(opened, 'no connect within ' + connectTimeoutMs + ' ms'); },
          connectTimeoutMs);
      }
      opened.on('connect', function () {
        everConnected = true;
        clearTimeout(timer);
        clearTimeout(grace);
        status('connected');
        subscribe(rooms);
      });
      opened.on('connect_error', function (error) {
        var refused = error && error.data && error.data.code;
        if (refused) {
          status('refused', error.message);     // a bad token: no transport would help
          teardown(opened);
        } else if (!everConnected && transport === 'websocket') {
          fallBack(opened, error && error.message);
        }
      });
      opened.on('disconnect', function (reason) {
        status('disconnected', reason);
        // socket.io-client retries the WebSocket by itself; one that stays broken past the grace period
        // (a proxy that stopped passing upgrades) is a verified failure. A server's refusal is not retried.
        if (transport === 'websocket' && reason !== 'io client disconnect' && reason !== 'io server disconnect') {
          clearTimeout(grace);
          grace = setTimeout(function () {
            if (!opened.connected) fallBack(opened, 'no reconnect within ' + graceMs + ' ms');
          }, graceMs);
        }
      });
      opened.on('rt.event', function (message) {
        var cursor = cursors[message.room];
        if (cursor && cursor.epoch === message.epoch && message.offset <= cursor.offset) {
          return;                                 // already seen (a resume overlapping live delivery)
        }
        cursors[message.room] = { offset: message.offset, epoch: message.epoch };
        onEvent(message.event.event_type, message.event,
          { room: message.room, offset: message.offset, epoch: message.epoch, conflated: message.conflated || 0, transport: transport });
      });
      opened.on('rt.closing', function (why) { status('closing', why.reason); });
    }

    /** Verified failure: the WebSocket never connected. Tear it down completely, then poll. */
    function fallBack(failed, detail) {
      if (closed || failed !== socket || transport !== 'websocket') {
        return;
      }
      clearTimeout(timer);
      clearTimeout(grace);
      teardown(failed);
      transport = 'polling';
      status('fallback', detail);
      open();
    }

    function teardown(target) {
      target.removeAllListeners();
      target.io.removeAllListeners();
      target.disconnect();
      target.io.engine && target.io.engine.close();
      target.io.reconnection(false);
    }

    function subscribe(wanted) {
      if (!socket || !socket.connected || wanted.length === 0) {
        return Promise.resolve(null);
      }
      var since = {};
      wanted.forEach(function (room) { if (cursors[room]) since[room] = cursors[room]; });
      return socket.timeout(10000).emitWithAck('rt.subscribe', { rooms: wanted, since: since }).then(function (ack) {
        Object.keys(ack.rooms || {}).forEach(function (room) {
          var answer = ack.rooms[room];
          if (answer.error) return;
          if (!cursors[room] || answer.recovered === false) {
            cursors[room] = { offset: answer.offset, epoch: answer.epoch };
          }
        });
        if (options.onSubscribed) options.onSubscribed(ack);
        return ack;
      });
    }

    open();

    return {
      subscribe: function (more) {
        more.forEach(function (room) { if (rooms.indexOf(room) < 0) rooms.push(room); });
        return subscribe(more);
      },
      unsubscribe: function (less) {
        rooms = rooms.filter(function (room) { return less.indexOf(room) < 0; });
        less.forEach(function (room) { delete cursors[room]; });
        return socket && socket.connected ? socket.timeout(10000).emitWithAck('rt.unsubscribe', { rooms: less }) : Promise.resolve(null);
      },
      cursors: function () { return JSON.parse(JSON.stringify(cursors)); },
      transport: function () { return transport; },
      close: function () {
        closed = true;
        clearTimeout(timer);
        clearTimeout(grace);
        if (socket) teardown(socket);
        status('closed');
      },
    };
  }

  global.llmctlRealtime = { connect: connect };
})(typeof window !== 'undefined' ? window : globalThis);
