// Drives the real npm @stomp/stompjs Client (over the npm `ws` WebSocket) against a Herald STOMP URL and
// prints one JSON line per thing that happens (connected, message, receipt, error, close), so a Java test
// can read what a real client saw. Commands arrive as JSON lines on stdin. Reconnection is stompjs' own;
// like any stompjs application, this one subscribes inside onConnect, which runs again on every reconnect.
import { Client } from '@stomp/stompjs';
import WebSocket from 'ws';

Object.assign(globalThis, { WebSocket });

const url = process.argv[2];
const config = JSON.parse(process.argv[3] || '{}');
const print = (kind, fields) => process.stdout.write(JSON.stringify({ kind, ...fields }) + '\n');

const client = new Client({
  brokerURL: url,
  connectHeaders: config.connectHeaders || {},
  reconnectDelay: config.reconnectDelay ?? 200,
  heartbeatIncoming: config.heartbeat ?? 10000,
  heartbeatOutgoing: config.heartbeat ?? 10000,
  debug: config.debug ? (m) => process.stderr.write('stompjs: ' + m + '\n') : () => {},
});

// Subscriptions made in every onConnect: {id, destination, headers, ack: true to ack each message}.
const subscriptions = config.subscriptions || [];

function subscribe(spec) {
  client.subscribe(spec.destination, (message) => {
    print('message', { subscription: spec.id, headers: message.headers, body: message.body,
      base64: Buffer.from(message.binaryBody).toString('base64') });
    if (spec.ack) {
      message.ack();
    }
  }, { id: spec.id, ...(spec.headers || {}) });
}

client.onConnect = (frame) => {
  print('connected', { headers: frame.headers, protocol: client.webSocket && client.webSocket.protocol });
  subscriptions.forEach(subscribe);
};
client.onStompError = (frame) => print('error', { headers: frame.headers, body: frame.body });
client.onWebSocketClose = (event) => print('close', { code: event.code });

const commands = {
  send(c) {
    if (c.receipt) {
      client.watchForReceipt(c.receipt, (frame) => print('receipt', { id: frame.headers['receipt-id'] }));
    }
    const headers = { ...(c.headers || {}), ...(c.receipt ? { receipt: c.receipt } : {}) };
    if (c.binary) {
      client.publish({ destination: c.destination, binaryBody: Buffer.from(c.body, 'base64'), headers });
    } else {
      client.publish({ destination: c.destination, body: c.body, headers });
    }
  },
  subscribe(c) {
    if (c.receipt) {
      client.watchForReceipt(c.receipt, (frame) => print('receipt', { id: frame.headers['receipt-id'] }));
    }
    subscribe({ ...c, headers: { ...(c.headers || {}), ...(c.receipt ? { receipt: c.receipt } : {}) } });
    subscriptions.push(c);
  },
  async deactivate() {
    await client.deactivate();
    print('deactivated', {});
  },
};

let buffered = '';
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let nl;
  while ((nl = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, nl);
    buffered = buffered.slice(nl + 1);
    if (line.trim()) {
      const command = JSON.parse(line);
      commands[command.op](command);
    }
  }
});
process.stdin.on('end', () => { client.deactivate().finally(() => process.exit(0)); });
client.activate();
